"""Derived pairs (gan_jax.data.paired): each derivation against a numpy reference on a
hand-made image, their per-example randomness, and their config errors."""
import ml_collections
import numpy as np
import pytest
import tensorflow as tf

from gan_jax.config.errors import ConfigError
from gan_jax.common import pixels
from gan_jax.data import paired


def square_image(size=6, low=-1.0, high=1.0) -> np.ndarray:
  """A [1, size, size, 1] image: background `low`, a 2x2 square of `high` at (2..3, 2..3)."""
  image = np.full((1, size, size, 1), low, np.float32)
  image[0, 2:4, 2:4] = high
  return image


def sobel_by_hand(luma: np.ndarray) -> np.ndarray:
  """|gradient| / 4 with the 3x3 Sobel kernels, borders repeated, by explicit sums."""
  padded = np.pad(luma, 1, mode='edge')
  smooth, diff = np.array([1, 2, 1]), np.array([-1, 0, 1])
  gx, gy = np.zeros_like(luma), np.zeros_like(luma)
  for r in range(luma.shape[0]):
    for c in range(luma.shape[1]):
      window = padded[r:r + 3, c:c + 3]
      gx[r, c] = smooth @ window @ diff
      gy[r, c] = diff @ window @ smooth
  return np.hypot(gx, gy) / 4.0


def test_negative_and_edges_by_hand():
  image = square_image()
  np.testing.assert_array_equal(paired.negative(image), -image)
  # The square's 4 pixels and its ring of 12 neighbours see the step; farther pixels do not.
  expected = np.where(sobel_by_hand((image[0, ..., 0] + 1) / 2) > 0.25, 1.0, -1.0)
  assert (expected == 1).sum() == 16
  np.testing.assert_array_equal(paired.edges(image, 0.25)[0, ..., 0], expected)
  flat = np.full((2, 5, 5, 3), 0.3, np.float32)
  np.testing.assert_array_equal(paired.edges(flat, 0.01), -1.0)  # No edges, nor at borders.
  # Each image's edges are its own: a batch gives each image what it gives alone.
  batch = np.concatenate([image, -image, np.zeros_like(image)])
  for i in range(3):
    np.testing.assert_array_equal(paired.edges(batch, 0.25)[i], paired.edges(batch[i:i + 1],
                                                                             0.25)[0])


def test_thicken_is_the_maximum_over_a_square():
  image = np.full((1, 7, 7, 1), -1.0, np.float32)
  image[0, 3, 3] = 0.5
  thick = paired.thicken(image, 3)
  expected = np.full((7, 7), -1.0)
  expected[2:5, 2:5] = 0.5
  np.testing.assert_array_equal(thick[0, ..., 0], expected)
  np.testing.assert_array_equal(paired.thicken(image, 1), image)


def test_centre_and_random_holes():
  images = np.ones((3, 28, 28, 1), np.float32)
  centre = paired.mask(images, 14, 'centre', 0, np.arange(3))
  expected = np.ones((28, 28))
  expected[7:21, 7:21] = paired.HOLE_VALUE
  for image in centre:
    np.testing.assert_array_equal(image[..., 0], expected)
  examples = np.array([5, 9, 5])
  holes = paired.mask(images, 6, 'random', 1, examples)
  for image in holes:
    rows, columns = np.nonzero(image[..., 0] == paired.HOLE_VALUE)
    assert len(rows) == 36 and np.ptp(rows) == 5 and np.ptp(columns) == 5
  np.testing.assert_array_equal(holes[0], holes[2])  # The example decides, not the batch.
  assert not np.array_equal(holes[0], holes[1])
  again = paired.mask(images[:1], 6, 'random', 1, np.array([9]))
  np.testing.assert_array_equal(again[0], holes[1])
  assert not np.array_equal(paired.mask(images[:1], 6, 'random', 2, np.array([9]))[0], holes[1])


def test_noise_is_per_example_gaussian_and_clipped():
  images = np.zeros((2, 64, 64, 1), np.float32)
  noisy = paired.noise(images, 0.1, 0, np.array([3, 4]))
  assert abs(noisy.std() - 0.1) < 0.005 and abs(noisy.mean()) < 0.005
  np.testing.assert_array_equal(paired.noise(images[:1], 0.1, 0, np.array([4]))[0], noisy[1])
  assert paired.noise(np.ones((1, 8, 8, 1), np.float32), 0.5, 0, np.array([0])).max() <= 1.0


def test_downsample_is_antialiased_bicubic_as_tensorflows():
  images = np.random.default_rng(0).uniform(-1, 1, (2, 28, 28, 3)).astype(np.float32)
  low = paired.downsample(images, 4)
  assert low.shape == (2, 7, 7, 3)
  reference = tf.image.resize(images, (7, 7), method='bicubic', antialias=True).numpy()
  np.testing.assert_allclose(low, reference, atol=1e-5)
  # Cubic convolution reproduces a linear ramp away from the borders: samples at 4j + 1.5.
  ramp = np.tile(np.arange(28, dtype=np.float32), (1, 28, 1))[..., None]
  np.testing.assert_allclose(paired.downsample(ramp, 4)[0, 3, 2:5, 0], [9.5, 13.5, 17.5],
                             atol=1e-4)


def test_the_lr_input_is_what_a_uint8_file_holds():
  """The downsample derivation's LR image: bicubic's overshoot clipped to [0, 255], then the
  nearest of the 256 levels, as the file the bicubic baseline reads."""
  bar = -np.ones((8, 8, 1), np.float32)
  bar[:, 3:5] = 1  # A bright bar on black, and a black bar on white: both ring.
  images = np.stack([bar, -bar])
  overshoot = paired.downsample(images, 2)
  assert overshoot.min() < -1.09 and overshoot.max() > 1.09  # Beyond the pixel range.
  low = paired.derivation_fn(pairs_config('downsample', downsample_scale=2).pairs, 0)(images,
                                                                                       [0, 1])
  np.testing.assert_allclose(low, pixels.to_uint8(overshoot) / 127.5 - 1, atol=1e-6)
  assert low.min() == -1 and low.max() == 1


def pairs_config(derivation: str, **params):
  config = ml_collections.ConfigDict()
  paired.add_fields(config, derivation)
  config.pairs.update(params)
  return config


def test_derivation_fn_reads_config_pairs_and_its_errors():
  images = square_image(size=8)
  np.testing.assert_array_equal(
      paired.derivation_fn(pairs_config('mask', mask_size=2).pairs, 0)(images, [0]),
      paired.mask(images, 2, 'centre', 0, [0]))
  np.testing.assert_array_equal(paired.derivation_fn(pairs_config('edges').pairs, 0)(images, [0]),
                                paired.edges(images, 0.25))
  for derivation, params, message in [
      ('blur', {}, r"config.pairs.derivation='blur' is not accepted; accepted: \('edges'"),
      ('mask', {'mask_placement': 'corner'}, r"config.pairs.mask_placement='corner' is not"),
      ('thicken', {'thicken_size': 0}, r'config.pairs.thicken_size=0 must be > 0'),
      ('noise', {'noise_std': -1.0}, r'config.pairs.noise_std=-1.0 must be >= 0')]:
    with pytest.raises(ConfigError, match=message):
      paired.check(pairs_config(derivation, **params))
  with pytest.raises(ConfigError, match=r"config.pairs.derivation='downsample' is not accepted"):
    paired.check(pairs_config('downsample'), accepted=('edges',))
  for derivation, params, message in [
      ('mask', {'mask_size': 9}, r'config.pairs.mask_size=9 must be at most 8 for 8x8 images'),
      ('downsample', {'downsample_scale': 3}, 'downsample_scale=3 must divide the image size 8x8')]:
    with pytest.raises(ConfigError, match=message):
      paired.check_data(pairs_config(derivation, **params).pairs, (8, 8, 1))
  paired.check_data(pairs_config('downsample', downsample_scale=2).pairs, (8, 8, 1))


def test_every_derivation_treats_each_image_alone():
  """A derivation of a batch is the derivation of each of its images alone (no mixing
  across the batch axis), for every derivation."""
  images = np.random.default_rng(1).uniform(-1, 1, (3, 8, 8, 1)).astype(np.float32)
  for name in paired.DERIVATIONS:
    config = pairs_config(name, mask_placement='random', mask_size=3, downsample_scale=2)
    derive = paired.derivation_fn(config.pairs, 0)
    whole = derive(images, np.arange(3))
    for i in range(3):
      np.testing.assert_allclose(whole[i], derive(images[i:i + 1], np.array([i]))[0],
                                 atol=1e-6, err_msg=name)

"""PSNR and SSIM (and the luma and border crop SR papers score) against scikit-image, the
independent implementation (a test-only dependency), to 1e-4, and PSNR by hand."""
import jax.numpy as jnp
import numpy as np
import pytest
from skimage.color import rgb2ycbcr
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from gan_jax.eval.metrics import image_quality

RNG = np.random.default_rng(0)


def structured_pair(shape, data_range):
  """Smooth targets (cumulative sums: edges and gradients, not white noise) and noisy outputs."""
  targets = np.cumsum(RNG.uniform(0, 1, shape), axis=1)
  targets = targets / targets.max(axis=(1, 2, 3), keepdims=True) * data_range
  outputs = np.clip(targets + RNG.normal(0, 0.05 * data_range, shape), 0, data_range)
  return outputs, targets


@pytest.mark.parametrize('shape,data_range', [((3, 28, 28, 1), 255.0), ((2, 32, 24, 3), 255.0),
                                              ((2, 28, 28, 1), 2.0), ((2, 11, 11, 1), 1.0)])
def test_psnr_and_ssim_match_scikit_image(shape, data_range):
  outputs, targets = structured_pair(shape, data_range)
  as_jax = lambda a: jnp.asarray(a, jnp.float32)
  ssim = image_quality.ssim(as_jax(outputs), as_jax(targets), data_range)
  psnr = image_quality.psnr(as_jax(outputs), as_jax(targets), data_range)
  np.testing.assert_allclose(ssim, [structural_similarity(
      o, t, data_range=data_range, gaussian_weights=True, sigma=1.5,
      use_sample_covariance=False, channel_axis=-1) for o, t in zip(outputs, targets)],
                             atol=1e-4)
  np.testing.assert_allclose(psnr, [peak_signal_noise_ratio(t, o, data_range=data_range)
                                    for o, t in zip(outputs, targets)], atol=1e-4)
  assert 0.3 < float(ssim.min()) < 0.99  # Neither trivial end: the comparison means something.


def test_psnr_by_hand_and_ssim_of_identical_images():
  targets = np.zeros((2, 28, 28, 1), np.float32)
  outputs = targets.copy()
  outputs[0] = 255.0  # MSE 255^2: PSNR 0.
  outputs[1, 3, 4, 0] = 255.0  # MSE 255^2 / 784: PSNR 10 log10(784).
  np.testing.assert_allclose(image_quality.psnr(outputs, targets), [0.0, 10 * np.log10(784)],
                             atol=1e-4)
  same = RNG.uniform(0, 255, (1, 16, 16, 3)).astype(np.float32)
  np.testing.assert_allclose(image_quality.ssim(same, same), [1.0], atol=1e-6)
  assert np.isinf(image_quality.psnr(same, same)).all()


def test_luma_is_bt601_as_scikit_images_rgb2ycbcr():
  rgb = RNG.uniform(0, 1, (2, 5, 6, 3))
  np.testing.assert_allclose(image_quality.luma(jnp.asarray(rgb * 255, jnp.float32)),
                             rgb2ycbcr(rgb)[..., :1], atol=1e-4)
  white_black = np.array([[[[255., 255., 255.], [0., 0., 0.]]]], np.float32)
  np.testing.assert_allclose(image_quality.luma(white_black)[0, 0, :, 0], [235., 16.], atol=1e-4)


def test_crop_border_drops_the_scale_on_every_side():
  images = np.arange(2 * 8 * 8).reshape(2, 8, 8, 1)
  cropped = image_quality.crop_border(images, 2)
  np.testing.assert_array_equal(cropped, images[:, 2:6, 2:6])
  assert image_quality.crop_border(images, 0) is images


def test_bad_shapes_are_named():
  with pytest.raises(ValueError, match=r'one shape \[N, H, W, C\]'):
    image_quality.psnr(np.zeros((1, 8, 8, 1)), np.zeros((1, 8, 8, 3)))
  with pytest.raises(ValueError, match='at least 11x11'):
    image_quality.ssim(np.zeros((1, 10, 28, 1)), np.zeros((1, 10, 28, 1)))
  with pytest.raises(ValueError, match='3 channels'):
    image_quality.luma(np.zeros((1, 8, 8, 1)))

"""DiffAugment: each op's closed form, the ranges of its random draws, gradients, determinism."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gan_jax.objectives import augment as aug

FULL_POLICY = aug.OPS
BATCH_SHAPE = (6, 8, 8, 3)  # shared by the tests below so that they reuse compiled augments


def example_keys(count, seed=0):
  """Raw (count, 2) uint32 keys, one per example."""
  return np.asarray(jax.random.split(jax.random.PRNGKey(seed), count))


def coded_images(count, height, width, channels):
  """Every value distinct and positive: an output value names the input value it came from."""
  codes = np.arange(1, count * height * width * channels + 1, dtype=np.float32)
  return jnp.asarray(codes.reshape(count, height, width, channels))


def shift_by_hand(image, row_shift, col_shift):
  height, width = image.shape[:2]
  shifted = np.zeros_like(image)
  for row in range(height):
    for col in range(width):
      if 0 <= row - row_shift < height and 0 <= col - col_shift < width:
        shifted[row, col] = image[row - row_shift, col - col_shift]
  return shifted


@pytest.mark.parametrize('policy, expected', [
    ('', ()),
    ('color,translation,cutout', ('color', 'translation', 'cutout')),
    (' color , flip ,', ('color', 'flip')),
])
def test_parse_policy(policy, expected):
  assert aug.parse_policy(policy) == expected


def test_parse_policy_rejects_unknown_and_repeated_ops():
  with pytest.raises(ValueError, match=r"'zoom'.*\('color', 'translation', 'cutout', 'flip'\)"):
    aug.parse_policy('color,zoom')
  with pytest.raises(ValueError, match='twice'):
    aug.parse_policy('flip,flip')
  with pytest.raises(ValueError, match="'zoom'"):
    aug.augment(jnp.zeros((1, 4, 4, 1)), example_keys(1), ('zoom',))


@pytest.mark.parametrize('dtype', [jnp.float32, jnp.bfloat16])
@pytest.mark.parametrize('ops', [(op,) for op in aug.OPS] + [FULL_POLICY])
def test_shape_and_dtype_kept(ops, dtype):
  images = np.random.default_rng(0).uniform(-1, 1, BATCH_SHAPE)
  out = aug.augment(jnp.asarray(images, dtype), example_keys(len(images)), ops)
  assert out.shape == images.shape and out.dtype == dtype


def test_color_closed_forms():
  image = np.random.default_rng(0).uniform(-1, 1, (4, 5, 3)).astype(np.float32)
  channel_mean = image.mean(axis=-1, keepdims=True)
  np.testing.assert_allclose(aug.brightness(image, 0.3), image + 0.3, rtol=1e-6)
  np.testing.assert_allclose(aug.saturation(image, 1.7),
                             channel_mean + 1.7 * (image - channel_mean), rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(aug.contrast(image, 0.6),
                             image.mean() + 0.6 * (image - image.mean()), rtol=1e-5, atol=1e-6)


def test_random_color_factors_cover_the_official_ranges():
  # Two grey pixels and one coloured: brightness moves the image mean, contrast scales the grey
  # pixels' spread, and saturation times contrast scales the coloured pixel's chroma.
  image = jnp.array([[[0.5] * 3, [-0.5] * 3, [0.3, -0.3, 0.0]]])
  count = 200
  out = np.asarray(aug.augment(jnp.broadcast_to(image, (count, 1, 3, 3)), example_keys(count),
                               ('color',)))
  brightness = out.mean(axis=(1, 2, 3)) - float(image.mean())
  contrast = out[:, 0, 0, 0] - out[:, 0, 1, 0]  # the grey pixels were 1 apart
  saturation = (out[:, 0, 2, 0] - out[:, 0, 2, 1]) / 0.6 / contrast
  for values, low, high in [(brightness, -0.5, 0.5), (saturation, 0.0, 2.0), (contrast, 0.5, 1.5)]:
    assert values.min() >= low - 1e-5 and values.max() < high + 1e-5
    assert values.min() < low + 0.1 and values.max() > high - 0.1


@pytest.mark.parametrize('row_shift, col_shift', [(2, -1), (-2, 3), (0, 0)])
def test_translate_matches_hand_shift_and_its_gradient_shifts_back(row_shift, col_shift):
  image = np.arange(1, 5 * 6 + 1, dtype=np.float32).reshape(5, 6, 1)
  weights = np.random.default_rng(1).normal(size=image.shape).astype(np.float32)
  translate = lambda x: aug.translate(x, row_shift, col_shift, max_shift=(2, 3))
  np.testing.assert_array_equal(translate(image), shift_by_hand(image, row_shift, col_shift))
  grad = jax.jit(jax.grad(lambda x: jnp.sum(translate(x) * weights)))(image)
  np.testing.assert_array_equal(grad, shift_by_hand(weights, -row_shift, -col_shift))


def test_random_translation_draws_every_shift_up_to_an_eighth():
  height, width = 20, 12  # limits int(2.5 + 0.5) = 3 rows and int(1.5 + 0.5) = 2 columns
  assert aug.translation_limits(height, width) == (3, 2)
  image = jnp.zeros((height, width, 1)).at[10, 6].set(1.0)
  count = 200
  out = np.asarray(aug.augment(jnp.broadcast_to(image, (count, height, width, 1)),
                               example_keys(count), ('translation',)))
  assert np.all(out.sum(axis=(1, 2, 3)) == 1.0)
  rows, cols = np.unravel_index(out.reshape(count, -1).argmax(axis=1), (height, width))
  assert set(rows - 10) == set(range(-3, 4)) and set(cols - 6) == set(range(-2, 3))


def test_cutout_zeroes_exactly_the_square_and_blocks_its_gradient():
  image = jnp.ones((9, 8, 2))
  weights = np.random.default_rng(2).normal(size=image.shape).astype(np.float32)
  cut = lambda x: aug.cutout(x, 5, 4, size=(4, 5))
  expected_inside = np.zeros(image.shape, bool)
  expected_inside[3:7, 2:7] = True  # rows 5 - 4 // 2 onwards, columns 4 - 5 // 2 onwards
  np.testing.assert_array_equal(cut(image), np.where(expected_inside, 0.0, 1.0))
  grad = jax.jit(jax.grad(lambda x: jnp.sum(cut(x) * weights)))(image)
  np.testing.assert_array_equal(grad, np.where(expected_inside, 0.0, weights))
  # Centred on the corner, only the quarter inside the image is cut.
  np.testing.assert_array_equal(aug.cutout(image, 0, 0, size=(4, 4))[:, :, 0] == 0,
                                np.pad(np.ones((2, 2), bool), ((0, 7), (0, 6))))


def cut_spans(cut, axis):
  """The (first, end) spans of cut rows (axis=2) or columns (axis=1) that the examples show."""
  hit = cut.any(axis=axis)
  first = hit.argmax(axis=1)
  return set(zip(first, first + hit.sum(axis=1)))


def test_random_cutout_cuts_half_squares_at_the_official_offsets():
  # Sizes int(x / 2 + 0.5): 8 rows (even, 17 centres 0..16) and 5 columns (odd, centres 0..9),
  # the square spanning [centre - size // 2, centre - size // 2 + size) clipped to the image.
  height, width = 16, 10
  assert aug.cutout_size(height, width) == (8, 5)
  count = 400
  out = np.asarray(aug.augment(jnp.ones((count, height, width, 1)), example_keys(count),
                               ('cutout',)))
  cut = out[..., 0] == 0
  cut_rows, cut_cols = cut.any(axis=2), cut.any(axis=1)
  np.testing.assert_array_equal(cut, cut_rows[:, :, None] & cut_cols[:, None, :])
  assert cut_spans(cut, 2) == {(max(c - 4, 0), min(c + 4, height)) for c in range(17)}
  assert cut_spans(cut, 1) == {(max(c - 2, 0), min(c + 3, width)) for c in range(10)}


def test_random_flip_mirrors_about_half_the_examples():
  count = 100
  images = coded_images(count, 3, 4, 1)
  out = np.asarray(aug.augment(images, example_keys(count), ('flip',)))
  np.testing.assert_array_equal(aug.flip(images[0], True), images[0, :, ::-1])
  flipped = np.all(out == np.asarray(images)[:, :, ::-1], axis=(1, 2, 3))
  kept = np.all(out == np.asarray(images), axis=(1, 2, 3))
  assert np.all(flipped ^ kept) and 30 < flipped.sum() < 70


@pytest.mark.parametrize('ops', [('translation',), ('cutout',), ('flip',),
                                 ('translation', 'cutout', 'flip')])
def test_gradient_routes_each_output_weight_back_to_its_source_pixel(ops):
  images = coded_images(*BATCH_SHAPE)
  keys = example_keys(len(images))
  weights = np.random.default_rng(3).normal(size=images.shape).astype(np.float32)
  sources = np.asarray(aug.augment(images, keys, ops)).astype(np.int64) - 1
  expected = np.zeros(images.size, np.float32)
  np.add.at(expected, sources[sources >= 0], weights[sources >= 0])
  grad = jax.jit(jax.grad(lambda x: jnp.sum(aug.augment(x, keys, ops) * weights)))(images)
  np.testing.assert_array_equal(grad, expected.reshape(images.shape))


@pytest.mark.parametrize('dtype', [jnp.float32, jnp.bfloat16])
def test_full_policy_gradient_is_finite_and_nonzero(dtype):
  images = jnp.asarray(np.random.default_rng(4).uniform(-1, 1, BATCH_SHAPE), dtype)
  keys = example_keys(len(images))
  grad = jax.jit(jax.grad(lambda x: jnp.sum(aug.augment(x, keys, FULL_POLICY)
                                            .astype(jnp.float32)**2)))(images)
  assert grad.dtype == dtype
  assert np.all(np.isfinite(np.asarray(grad, np.float32))) and np.any(grad != 0)


def test_each_example_depends_only_on_its_own_key():
  images = np.random.default_rng(5).uniform(-1, 1, BATCH_SHAPE).astype(np.float32)
  keys = example_keys(len(images))
  batch = np.asarray(aug.augment(images, keys, FULL_POLICY))
  for i in range(len(images)):
    np.testing.assert_array_equal(aug.augment(images[i:i + 1], keys[i:i + 1], FULL_POLICY)[0],
                                  batch[i])

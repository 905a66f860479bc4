"""DiffAugment (Zhao et al. 2020) and a random horizontal flip, on batches of NHWC images.

Follows the official DiffAugment_pytorch.py (mit-han-lab/data-efficient-gans): colour jitter,
translation by up to 1/8 of the image with zero fill, and cutout of a square half the image's
size. Every op is differentiable w.r.t. the images, so D's loss on augmented real and fake batches
trains G through them.
Each example draws its own parameters from its own key, so a batch's augmentation does not depend
on how the batch is split across devices. Each op below is a deterministic transform of one
HWC image with explicit parameters; its `_random_*` twin turns uniform draws into them.
"""
import functools

import jax
import jax.numpy as jnp
from jax import lax

from gan_jax.config.errors import ConfigError

# Applied in this order whatever order a policy lists them in.
OPS = ('color', 'translation', 'cutout', 'flip')
TRANSLATION_RATIO = 0.125
CUTOUT_RATIO = 0.5


def parse_policy(policy: str) -> tuple[str, ...]:
  """'color, translation' -> ('color', 'translation'); '' -> ().

  Raises ValueError on a name not in OPS or on a repeated one.
  """
  ops = tuple(name.strip() for name in policy.split(',') if name.strip())
  _check_known(ops)
  # OPS fixes the order, so a repeat would silently do nothing.
  if len(set(ops)) != len(ops):
    raise ValueError(f'An augmentation is listed twice in {policy!r}.')
  return ops


def check_policy(field: str, policy: str) -> None:
  """ConfigError naming `field` when parse_policy rejects `policy`."""
  try:
    parse_policy(policy)
  except ValueError as e:
    raise ConfigError(f'config.{field}={policy!r}: {e}') from None


def _check_known(ops):
  unknown = [op for op in ops if op not in OPS]
  if unknown:
    raise ValueError(f'Unknown augmentation {unknown[0]!r}; accepted: {OPS}.')


def brightness(image: jax.Array, shift) -> jax.Array:
  return image + shift


def saturation(image: jax.Array, factor) -> jax.Array:
  """Scales each pixel's deviation from its mean over channels."""
  mean = jnp.mean(image, axis=-1, keepdims=True)
  return (image - mean) * factor + mean


def contrast(image: jax.Array, factor) -> jax.Array:
  """Scales each value's deviation from the image's mean."""
  mean = jnp.mean(image)
  return (image - mean) * factor + mean


def translate(image: jax.Array, row_shift, col_shift, max_shift: tuple[int, int]) -> jax.Array:
  """Moves the content down by row_shift and right by col_shift; uncovered pixels become 0.

  Needs |row_shift| <= max_shift[0] and |col_shift| <= max_shift[1]: padding by that much keeps
  the slice in bounds (dynamic_slice would clamp its start otherwise). On 32x32 batches, pad and
  slice measured 5-15x faster on XLA:CPU than one-hot matmuls or a select per possible shift.
  """
  height, width, channels = image.shape
  pad_rows, pad_cols = max_shift
  padded = jnp.pad(image, ((pad_rows, pad_rows), (pad_cols, pad_cols), (0, 0)))
  start = (pad_rows - row_shift, pad_cols - col_shift, 0)
  return lax.dynamic_slice(padded, start, (height, width, channels))


def cutout(image: jax.Array, row_offset, col_offset, size: tuple[int, int]) -> jax.Array:
  """Zeroes a size[0] x size[1] rectangle, clipped to the image.

  Its top-left corner is size // 2 before (row_offset, col_offset), as in the official code.
  """
  height, width, _ = image.shape
  row_in_cut = jnp.arange(height) - (row_offset - size[0] // 2)
  col_in_cut = jnp.arange(width) - (col_offset - size[1] // 2)
  inside = (((row_in_cut >= 0) & (row_in_cut < size[0]))[:, None]
            & ((col_in_cut >= 0) & (col_in_cut < size[1]))[None, :])
  return jnp.where(inside[:, :, None], jnp.zeros_like(image), image)


def flip(image: jax.Array, flipped) -> jax.Array:
  """Mirrors left-right when `flipped`."""
  return jnp.where(flipped, image[:, ::-1], image)


def translation_limits(height: int, width: int) -> tuple[int, int]:
  """The largest shift in rows and columns; int(x + 0.5) rounds as the official code does."""
  return int(height * TRANSLATION_RATIO + 0.5), int(width * TRANSLATION_RATIO + 0.5)


def cutout_size(height: int, width: int) -> tuple[int, int]:
  return int(height * CUTOUT_RATIO + 0.5), int(width * CUTOUT_RATIO + 0.5)


def _uniform_ints(uniforms, lows, highs):
  """Maps uniforms in [0, 1) to integers uniform in [lows, highs).

  floor(u * n) < n: u is at least one float32 step below 1, so the product rounds below n.
  """
  lows, highs = jnp.asarray(lows), jnp.asarray(highs)
  return lows + jnp.floor(uniforms * (highs - lows)).astype(jnp.int32)


def _random_color(uniforms, image):
  image = brightness(image, uniforms[0] - 0.5)
  image = saturation(image, uniforms[1] * 2.0)
  return contrast(image, uniforms[2] + 0.5)


def _random_translation(uniforms, image):
  limits = translation_limits(*image.shape[:2])
  row_shift, col_shift = _uniform_ints(uniforms, [-limit for limit in limits],
                                       [limit + 1 for limit in limits])
  return translate(image, row_shift, col_shift, limits)


def _random_cutout(uniforms, image):
  height, width, _ = image.shape
  size = cutout_size(height, width)
  # The official bounds: an even size gets one more centre, so that squares clipped at the
  # top and at the bottom edge are equally likely.
  row_offset, col_offset = _uniform_ints(uniforms, [0, 0],
                                         [height + 1 - size[0] % 2, width + 1 - size[1] % 2])
  return cutout(image, row_offset, col_offset, size)


def _random_flip(uniforms, image):
  return flip(image, uniforms[0] < 0.5)


# Each op with how many uniform numbers it takes.
_RANDOM_OPS = {
    'color': (_random_color, 3),
    'translation': (_random_translation, 2),
    'cutout': (_random_cutout, 2),
    'flip': (_random_flip, 1),
}


def _augment_one(image, key, ops):
  # One draw covers every op, used or not: an op's parameters do not depend on the policy, and
  # one call to the generator compiles faster than one per op.
  uniforms = jax.random.uniform(key, (sum(count for _, count in _RANDOM_OPS.values()),))
  start = 0
  for op in OPS:
    random_op, count = _RANDOM_OPS[op]
    if op in ops:
      image = random_op(uniforms[start:start + count], image)
    start += count
  return image


@functools.partial(jax.jit, static_argnames='ops')
def augment(images: jax.Array, keys: jax.Array, ops: tuple[str, ...]) -> jax.Array:
  """Applies `ops` (see OPS) to NHWC images, drawing example i's parameters from keys[i].

  Same shape and dtype out. Computed in float32 so that bfloat16 images are rounded once.
  """
  _check_known(ops)
  augment_one = functools.partial(_augment_one, ops=ops)
  augmented = jax.vmap(augment_one)(images.astype(jnp.float32), keys)
  return augmented.astype(images.dtype)

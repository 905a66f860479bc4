"""Adaptive discriminator augmentation (Karras et al. 2020, "Training Generative Adversarial
Networks with Limited Data"): the augmentation pipeline of NVlabs/stylegan2-ada-pytorch,
applied to every image D sees, each transformation per example with probability p.

Geometric transformations (x-flip, 90-degree rotations, integer translation, isotropic
scaling, rotation, anisotropic scaling, fractional translation) compose into one inverse
affine map per example, executed once: reflect padding, 2x up-sampling through the sym6
wavelet low-pass filter, bilinear sampling, and 2x down-sampling through it again (an
orthogonal filter pair, so an identity map is the identity). Colour transformations
(brightness, contrast, luma flip, hue rotation, saturation) compose into one 4x4 colour
matrix. Both are differentiable, so G's gradient flows through them.

`draw` picks each example's parameters from its own key (its index in the global batch, so
1 device = 4); `apply` executes them. Split so the reference's fixed-parameter mode
(debug_percentile) can be reproduced exactly (tests/test_ada.py).
"""
import jax
import jax.numpy as jnp
import numpy as np

from gan_jax.common.example_keys import per_example_keys
from gan_jax.common import upfirdn

# The Symlet-6 wavelet's low-pass filter (the reference's wavelets['sym6']).
SYM6 = np.array([
    0.015404109327027373, 0.0034907120842174702, -0.11799011114819057, -0.048311742585633,
    0.4910559419267466, 0.787641141030194, 0.3379294217276218, -0.07263752278646252,
    -0.021060292512300564, 0.04472490177066578, 0.0017677118642428036, -0.007800708325034148])
GEOMETRIC = ('xflip', 'rotate90', 'xint', 'scale', 'rotate', 'aniso', 'xfrac')
COLOUR = ('brightness', 'contrast', 'lumaflip', 'hue', 'saturation')
# The reference's pipelines by name (its 'bgc' is the paper's default).
PIPELINES = {'blit': GEOMETRIC[:3], 'geom': GEOMETRIC[3:], 'color': COLOUR,
             'bg': GEOMETRIC, 'bgc': GEOMETRIC + COLOUR}
# The reference's ranges: translations relative to the image size, standard deviations of
# log2 scale factors, rotation as a share of the full circle.
XINT_MAX, SCALE_STD, ROTATE_MAX, ANISO_STD, XFRAC_STD = 0.125, 0.2, 1.0, 0.2, 0.125
BRIGHTNESS_STD, CONTRAST_STD, HUE_MAX, SATURATION_STD = 0.2, 0.5, 1.0, 1.0
LUMA_AXIS = np.array([1, 1, 1, 0], np.float32) / np.sqrt(3)


def identity_parameters(batch: int) -> dict[str, jax.Array]:
  """Every transformation's parameters at their identity value."""
  zeros, ones = jnp.zeros((batch,)), jnp.ones((batch,))
  return {'xflip': zeros, 'rotate90': zeros, 'xint': jnp.zeros((batch, 2)), 'scale': ones,
          'rotate_pre': zeros, 'aniso': ones, 'rotate_post': zeros,
          'xfrac': jnp.zeros((batch, 2)), 'brightness': zeros, 'contrast': ones,
          'lumaflip': zeros, 'hue': zeros, 'saturation': ones}


def _draw_one(key: jax.Array, p: jax.Array, transforms: tuple[str, ...]) -> dict:
  """One example's parameters: each transformation in `transforms` applied with probability
  p (rotation: before or after the anisotropic scaling, each with 1 - sqrt(1 - p), so
  either with p), else the identity."""
  params = jax.tree.map(lambda x: x[0], identity_parameters(1))
  keys = iter(jax.random.split(key, 2 * (len(transforms) + 1)))
  chance = lambda q=p: jax.random.uniform(next(keys)) < q
  uniform = lambda shape=(): jax.random.uniform(next(keys), shape)
  normal = lambda shape=(): jax.random.normal(next(keys), shape)
  p_rotate = 1 - jnp.sqrt(jnp.clip(1 - p, 0, 1))
  drawn = {
      'xflip': lambda: jnp.floor(uniform() * 2),
      'rotate90': lambda: jnp.floor(uniform() * 4),
      'xint': lambda: (uniform((2,)) * 2 - 1) * XINT_MAX,
      'scale': lambda: jnp.exp2(normal() * SCALE_STD),
      'aniso': lambda: jnp.exp2(normal() * ANISO_STD),
      'xfrac': lambda: normal((2,)) * XFRAC_STD,
      'brightness': lambda: normal() * BRIGHTNESS_STD,
      'contrast': lambda: jnp.exp2(normal() * CONTRAST_STD),
      'lumaflip': lambda: jnp.floor(uniform() * 2),
      'hue': lambda: (uniform() * 2 - 1) * np.pi * HUE_MAX,
      'saturation': lambda: jnp.exp2(normal() * SATURATION_STD),
  }
  for name in transforms:
    if name == 'rotate':
      for part in ('rotate_pre', 'rotate_post'):
        theta = (uniform() * 2 - 1) * np.pi * ROTATE_MAX
        params[part] = jnp.where(chance(p_rotate), theta, 0.0)
    else:
      params[name] = jnp.where(chance(), drawn[name](), params[name])
  return params


def draw(key: jax.Array, batch: int, p: jax.Array, transforms: tuple[str, ...],
         axis_name: str | None) -> dict[str, jax.Array]:
  """Each example's parameters, from its key by index in the global batch."""
  keys = per_example_keys(key, batch, axis_name)
  return jax.vmap(_draw_one, (0, None, None))(keys, p, transforms)


def _affine(a, b, c, d, e, f):
  """Per-example 3x3 matrices [[a, b, c], [d, e, f], [0, 0, 1]] of (batch,) entries."""
  a, b, c, d, e, f = jnp.broadcast_arrays(a, b, c, d, e, f)
  zero, one = jnp.zeros_like(a), jnp.ones_like(a)
  return jnp.stack([jnp.stack([a, b, c], -1), jnp.stack([d, e, f], -1),
                    jnp.stack([zero, zero, one], -1)], -2)


def _translate(tx, ty):
  return _affine(1.0, 0.0, tx, 0.0, 1.0, ty)


def _scale(sx, sy):
  return _affine(sx, 0.0, 0.0, 0.0, sy, 0.0)


def _rotate(theta):
  return _affine(jnp.cos(theta), -jnp.sin(theta), 0.0, jnp.sin(theta), jnp.cos(theta), 0.0)


def geometric_inverse(params: dict, height: int, width: int) -> jax.Array:
  """(batch, 3, 3): output pixel -> input pixel, in pixel coordinates centred on the image."""
  flip = 1 - 2 * params['xflip']
  xint = jnp.round(params['xint'] * jnp.array([width, height]))
  xfrac = params['xfrac'] * jnp.array([width, height])
  steps = [
      _scale(1 / flip, 1.0),
      _rotate(np.pi / 2 * params['rotate90']),
      _translate(-xint[:, 0], -xint[:, 1]),
      _scale(1 / params['scale'], 1 / params['scale']),
      _rotate(params['rotate_pre']),
      _scale(1 / params['aniso'], params['aniso']),
      _rotate(params['rotate_post']),
      _translate(-xfrac[:, 0], -xfrac[:, 1]),
  ]
  g_inv = steps[0]
  for step in steps[1:]:
    g_inv = g_inv @ step
  return g_inv


def _bilinear(image: jax.Array, rows: jax.Array, cols: jax.Array) -> jax.Array:
  """image (H, W, C) sampled at fractional pixel positions, zero outside (torch's
  grid_sample, bilinear, zeros)."""
  sample = lambda channel: jax.scipy.ndimage.map_coordinates(channel, [rows, cols], order=1,
                                                             mode='constant', cval=0.0)
  return jax.vmap(sample, in_axes=-1, out_axes=-1)(image)


def warp(images: jax.Array, g_inv: jax.Array) -> jax.Array:
  """Images (N, H, W, C) resampled through their inverse maps, as the reference executes
  them: reflect-padded (by H - 1 and W - 1, the most it ever pads), up-sampled 2x through
  sym6, sampled bilinearly, down-sampled 2x through sym6 (as correlation) and cropped. The
  padding and both resamplings are linear and separable: one matmul per axis each."""
  n, height, width, _ = images.shape
  margin = len(SYM6) // 4  # The reference's Hz_pad: what the filters need beyond the image.
  images = _resample(images, _pad_and_upsample(height), _pad_and_upsample(width))
  up_h, up_w = images.shape[1:3]
  out_h, out_w = (height + 2 * margin) * 2, (width + 2 * margin) * 2
  # Output pixel (i, j) of the up-sampled result -> centred coordinates of the original
  # image (each pixel half as wide), through g_inv, -> up-sampled padded input pixels.
  rows, cols = jnp.meshgrid(jnp.arange(out_h), jnp.arange(out_w), indexing='ij')
  # The reference's -0.5 shifts undo the even-length filter's half-pixel delay.
  x = (cols - (out_w - 1) / 2 + 0.5) / 2
  y = (rows - (out_h - 1) / 2 + 0.5) / 2
  points = jnp.stack([x.ravel(), y.ravel(), jnp.ones(x.size)])  # (3, P)
  source = g_inv @ points  # (N, 3, P)
  src_x = source[:, 0] * 2 - 0.5 + (up_w - 1) / 2
  src_y = source[:, 1] * 2 - 0.5 + (up_h - 1) / 2
  sampled = jax.vmap(_bilinear)(images, src_y, src_x).reshape(n, out_h, out_w, -1)
  return _resample(sampled, _downsample(out_h, margin), _downsample(out_w, margin))


def _pad_and_upsample(size: int) -> np.ndarray:
  """(2 (3 size - 2), size): reflect padding by size - 1, then 2x up-sampling through sym6."""
  pad = size - 1
  reflect = np.pad(np.eye(size), ((pad, pad), (0, 0)), mode='reflect')
  taps = len(SYM6)
  up = upfirdn.resample_matrix(size + 2 * pad, SYM6 / SYM6.sum(), up=2,
                               padding=((taps + 1) // 2, (taps - 2) // 2), gain=2)
  return up @ reflect


def _downsample(size: int, margin: int) -> np.ndarray:
  """2x down-sampling through sym6 as correlation (the reference's flip_filter=True), cropped
  by 2 x margin beyond its default padding."""
  taps = len(SYM6)
  crop = ((taps - 2 + 1) // 2 - 2 * margin, (taps - 2) // 2 - 2 * margin)
  return upfirdn.resample_matrix(size, SYM6[::-1] / SYM6.sum(), down=2, padding=crop)


def _resample(images: jax.Array, rows: np.ndarray, cols: np.ndarray) -> jax.Array:
  """Images (N, H, W, C) -> (N, R, S, C) through the (R, H) and (S, W) matrices."""
  images = jnp.einsum('rh,nhwc->nrwc', rows.astype(np.float32), images)
  return jnp.einsum('sw,nrwc->nrsc', cols.astype(np.float32), images)


def colour_matrix(params: dict, channels: int) -> jax.Array:
  """(batch, 4, 4): colour_in -> colour_out in homogeneous RGB. Hue and saturation act on
  RGB only."""
  batch = params['brightness'].shape[0]
  eye = jnp.broadcast_to(jnp.eye(4), (batch, 4, 4))
  v = jnp.asarray(LUMA_AXIS)
  vv = jnp.outer(v, v)
  b, c = params['brightness'], params['contrast']
  m = eye.at[:, :3, 3].add(b[:, None])  # Brightness: translate along every channel.
  m = (eye * jnp.concatenate([jnp.broadcast_to(c[:, None], (batch, 3)),
                              jnp.ones((batch, 1))], -1)[:, None, :]) @ m
  m = (eye - 2 * vv * params['lumaflip'][:, None, None]) @ m  # Householder reflection.
  if channels > 1:
    m = _rotate_about(v, params['hue']) @ m
    m = (vv + (jnp.eye(4) - vv) * params['saturation'][:, None, None]) @ m
  return m


def _rotate_about(v: jax.Array, theta: jax.Array) -> jax.Array:
  """(batch, 4, 4) rotations by theta about the unit axis v (x, y, z, 0)."""
  vx, vy, vz = v[0], v[1], v[2]
  s, c = jnp.sin(theta), jnp.cos(theta)
  cc = 1 - c
  zero, one = jnp.zeros_like(theta), jnp.ones_like(theta)
  rows = [[vx * vx * cc + c, vx * vy * cc - vz * s, vx * vz * cc + vy * s, zero],
          [vy * vx * cc + vz * s, vy * vy * cc + c, vy * vz * cc - vx * s, zero],
          [vz * vx * cc - vy * s, vz * vy * cc + vx * s, vz * vz * cc + c, zero],
          [zero, zero, zero, one]]
  return jnp.stack([jnp.stack(row, -1) for row in rows], -2)


def recolour(images: jax.Array, m: jax.Array) -> jax.Array:
  """Images through their colour matrices; grey images through the matrices' mean row."""
  if images.shape[-1] == 3:
    return jnp.einsum('nij,nhwj->nhwi', m[:, :3, :3], images) + m[:, None, None, :3, 3]
  row = jnp.mean(m[:, :3, :], axis=1)  # (N, 4)
  return images * jnp.sum(row[:, :3], -1)[:, None, None, None] + row[:, None, None, None, 3]


def apply(images: jax.Array, params: dict, transforms: tuple[str, ...]) -> jax.Array:
  """Images with each example's drawn transformations. The warp runs only when a
  geometric transformation is on and some example of the batch drew one."""
  height, width, channels = images.shape[1:]
  if any(t in GEOMETRIC for t in transforms):
    g_inv = geometric_inverse(params, height, width)
    moved = jnp.any(jnp.abs(g_inv - jnp.eye(3)) > 0)
    images = jax.lax.cond(moved, warp, lambda x, _: x, images, g_inv)
  if any(t in COLOUR for t in transforms):
    images = recolour(images, colour_matrix(params, channels))
  return images


def augment(images: jax.Array, key: jax.Array, p: jax.Array, transforms: tuple[str, ...],
            axis_name: str | None) -> jax.Array:
  """Each image of the batch through `transforms`, each applied with probability p."""
  return apply(images, draw(key, images.shape[0], p, transforms, axis_name), transforms)

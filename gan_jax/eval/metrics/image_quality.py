"""Full-reference image quality: PSNR and SSIM of outputs against their ground truth, per
image, as image restoration and super-resolution papers compute them.

Images are float arrays [N, H, W, C] on a stated `data_range` (255 for uint8 pixels).
SSIM is Wang et al. (2004)'s: an 11x11 Gaussian window of sigma 1.5, K1 = 0.01, K2 = 0.03,
population (not sample) covariances, averaged over the positions where the window fits
inside the image and over channels; this is scikit-image's structural_similarity with
gaussian_weights=True, use_sample_covariance=False (and MATLAB's ssim.m). SR papers score
the luma only, with `scale` pixels of border cropped: `luma` and `crop_border`.
"""
import jax
import jax.numpy as jnp
import numpy as np

SSIM_SIGMA = 1.5
SSIM_WINDOW = 11  # 2 * int(3.5 * sigma + 0.5) + 1: scikit-image's truncation of the Gaussian.
SSIM_K1, SSIM_K2 = 0.01, 0.03


def crop_border(images: jax.Array, border: int) -> jax.Array:
  """Drops `border` pixels on every side (SR papers: the scale factor)."""
  if border == 0:
    return images
  return images[:, border:-border, border:-border, :]


def luma(rgb: jax.Array, data_range: float = 255.0) -> jax.Array:
  """[N, H, W, 3] RGB -> [N, H, W, 1] Y of ITU-R BT.601 YCbCr, on the input's range.

  MATLAB's rgb2ycbcr, which SR papers' tables use: Y = 16 + 65.481 R + 128.553 G + 24.966 B
  for R, G, B in [0, 1], a result in [16, 235] of 255.
  """
  if rgb.shape[-1] != 3:
    raise ValueError(f'luma needs RGB images (3 channels); got shape {rgb.shape}.')
  weights = jnp.array([65.481, 128.553, 24.966]) / 255.0
  y = 16.0 / 255.0 + (rgb / data_range) @ weights
  return (y * data_range)[..., None]


def psnr(outputs: jax.Array, targets: jax.Array, data_range: float = 255.0) -> jax.Array:
  """Per image: 10 log10(data_range^2 / MSE), the MSE over all pixels and channels.

  An exact reconstruction has MSE 0 and PSNR +inf, as scikit-image's.
  """
  _check_pair(outputs, targets, 'psnr')
  mse = jnp.mean(jnp.square(outputs - targets), axis=(1, 2, 3))
  return 10.0 * jnp.log10(data_range ** 2 / mse)


def _gaussian_window() -> np.ndarray:
  offsets = np.arange(SSIM_WINDOW) - SSIM_WINDOW // 2
  g = np.exp(-offsets ** 2 / (2 * SSIM_SIGMA ** 2))
  return g / g.sum()


def _local_mean(images: jax.Array) -> jax.Array:
  """The Gaussian-weighted mean around every position where the window fits (per channel)."""
  g = jnp.asarray(_gaussian_window(), images.dtype)
  n, h, w, c = images.shape
  planes = jnp.moveaxis(images, 3, 1).reshape(n * c, 1, h, w)
  # Separable: rows, then columns; VALID keeps only positions whose window is inside.
  rows = jax.lax.conv_general_dilated(planes, g.reshape(1, 1, -1, 1), (1, 1), 'VALID')
  both = jax.lax.conv_general_dilated(rows, g.reshape(1, 1, 1, -1), (1, 1), 'VALID')
  return jnp.moveaxis(both.reshape(n, c, h - SSIM_WINDOW + 1, w - SSIM_WINDOW + 1), 1, 3)


def ssim(outputs: jax.Array, targets: jax.Array, data_range: float = 255.0) -> jax.Array:
  """Per image: the mean SSIM over window positions and channels (see the module doc)."""
  _check_pair(outputs, targets, 'ssim')
  if min(outputs.shape[1:3]) < SSIM_WINDOW:
    raise ValueError(f'ssim needs images of at least {SSIM_WINDOW}x{SSIM_WINDOW} pixels (its '
                     f'window); got {outputs.shape[1]}x{outputs.shape[2]}.')
  x, y = outputs, targets
  mean_x, mean_y = _local_mean(x), _local_mean(y)
  var_x = _local_mean(x * x) - mean_x ** 2
  var_y = _local_mean(y * y) - mean_y ** 2
  cov = _local_mean(x * y) - mean_x * mean_y
  c1, c2 = (SSIM_K1 * data_range) ** 2, (SSIM_K2 * data_range) ** 2
  ssim_map = ((2 * mean_x * mean_y + c1) * (2 * cov + c2)
              / ((mean_x ** 2 + mean_y ** 2 + c1) * (var_x + var_y + c2)))
  return jnp.mean(ssim_map, axis=(1, 2, 3))


def _check_pair(outputs, targets, metric: str) -> None:
  if outputs.shape != targets.shape or outputs.ndim != 4:
    raise ValueError(f'{metric} needs outputs and targets of one shape [N, H, W, C]; got '
                     f'{outputs.shape} and {targets.shape}.')

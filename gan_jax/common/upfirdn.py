"""StyleGAN2's resampling ops (Karras et al. 2020), NHWC, for its networks and ADA's warp:
upfirdn2d (up-sample by inserting zeros, pad, FIR-filter, down-sample) and the convolutions
with up- or down-sampling built from it. Each matches NVlabs/stylegan2-ada-pytorch's reference op of the same name and
padding convention (tests/test_stylegan2_parity.py compares them to its goldens).
"""
import jax
import jax.numpy as jnp
import numpy as np

# Padding: (x_before, x_after, y_before, y_after), as the reference orders it; negative crops.
Padding = tuple[int, int, int, int]


def fir_filter(taps=(1, 3, 3, 1)) -> np.ndarray:
  """The 2D low-pass filter of 1D `taps`: their outer product, normalised to sum 1, so a
  constant image keeps its value."""
  f = np.asarray(taps, np.float32)
  f = np.outer(f, f) if f.ndim == 1 else f
  return f / f.sum()


def upfirdn2d(x: jax.Array, f: np.ndarray, up: int = 1, down: int = 1,
              padding: Padding = (0, 0, 0, 0), gain: float = 1.0) -> jax.Array:
  """Per channel: insert up - 1 zeros after each pixel, pad (or crop) by `padding`, convolve
  with the 2D filter f (times gain) keeping only outputs whose footprint lies inside, and
  keep every `down`-th pixel."""
  x0, x1, y0, y1 = padding
  # One lax.pad does both: interior zeros, the trailing up - 1 zeros and the padding.
  x = jax.lax.pad(x, jnp.zeros((), x.dtype),
                  ((0, 0, 0), (y0, y1 + up - 1, up - 1), (x0, x1 + up - 1, up - 1), (0, 0, 0)))
  # A true convolution: the correlation below with the flipped filter.
  return _correlate(x, np.flip(f, (0, 1)) * gain, down)


def _correlate(x: jax.Array, kernel: np.ndarray, stride: int) -> jax.Array:
  """Each channel's valid correlation with the constant `kernel`, every stride-th output: a
  sum of shifted, strided slices. XLA:CPU runs this 15-40x faster, forward and backward,
  than the depthwise convolution it equals (feature_group_count = channels). A separable
  kernel (every FIR filter here: an outer product) runs as a column pass then a row pass,
  kh + kw slices instead of kh * kw."""
  columns, rows = _separate(kernel)
  if columns is not None:
    return _correlate_axis(_correlate_axis(x, columns, stride, 1), rows, stride, 2)
  kh, kw = kernel.shape
  out_h = (x.shape[1] - kh) // stride + 1
  out_w = (x.shape[2] - kw) // stride + 1
  span_h, span_w = (out_h - 1) * stride + 1, (out_w - 1) * stride + 1
  return sum(float(kernel[a, b]) * x[:, a:a + span_h:stride, b:b + span_w:stride]
             for a in range(kh) for b in range(kw) if kernel[a, b] != 0)


def _separate(kernel: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
  """(columns, rows) with kernel = outer(columns, rows), or (None, None) if it has rank > 1."""
  u, s, vt = np.linalg.svd(np.asarray(kernel, np.float64))
  if len(s) > 1 and s[1] > 1e-9 * s[0]:
    return None, None
  return u[:, 0] * s[0], vt[0]


def _correlate_axis(x: jax.Array, taps: np.ndarray, stride: int, axis: int) -> jax.Array:
  """The valid correlation of x with 1D `taps` along `axis`, every stride-th output."""
  out = (x.shape[axis] - len(taps)) // stride + 1
  span = (out - 1) * stride + 1
  shifted = lambda a: jax.lax.slice_in_dim(x, a, a + span, stride, axis)
  return sum(float(t) * shifted(a) for a, t in enumerate(taps) if abs(t) > 1e-12 * abs(taps).max())


def upsample2d(x: jax.Array, f: np.ndarray, up: int = 2) -> jax.Array:
  """x up-sampled `up` times through f: an H x W image becomes (up H) x (up W)."""
  fh, fw = f.shape
  padding = ((fw + up - 1) // 2, (fw - up) // 2, (fh + up - 1) // 2, (fh - up) // 2)
  return upfirdn2d(x, f, up=up, padding=padding, gain=up * up)


def downsample2d(x: jax.Array, f: np.ndarray, down: int = 2) -> jax.Array:
  """x low-passed through f and down-sampled `down` times."""
  return upfirdn2d(x, f, down=down, padding=_down_padding(f, down, 0))


def _down_padding(f: np.ndarray, down: int, pad: int) -> Padding:
  fh, fw = f.shape
  return (pad + (fw - down + 1) // 2, pad + (fw - down) // 2,
          pad + (fh - down + 1) // 2, pad + (fh - down) // 2)


def resample_matrix(size: int, taps, up: int = 1, down: int = 1, padding=(0, 0),
                    gain: float = 1.0) -> np.ndarray:
  """The (out, size) matrix of upfirdn2d along one axis with the 1D filter `taps` and that
  axis's (before, after) padding, so a separable upfirdn2d is one matmul per axis. ADA's warp
  uses it: a matmul is not fused into the gather that follows, which XLA:CPU otherwise
  re-evaluates the whole filter for at every sampled point."""
  before, after = padding
  signal = np.zeros((size * up, size))
  signal[::up] = np.eye(size)  # Each column: one input pixel, up-sampled by zeros.
  signal = np.pad(signal, ((max(before, 0), max(after, 0)), (0, 0)))
  signal = signal[max(-before, 0):len(signal) - max(-after, 0)]
  kernel = np.flip(np.asarray(taps, np.float64)) * gain  # A convolution, as upfirdn2d.
  out = (len(signal) - len(kernel)) // down + 1
  return np.stack([kernel @ signal[i * down:i * down + len(kernel)] for i in range(out)])


def conv2d(x: jax.Array, w: jax.Array, stride: int = 1, padding: int = 0) -> jax.Array:
  """Cross-correlation of x (NHWC) with w (HWIO), as torch's conv2d."""
  return jax.lax.conv_general_dilated(x, w.astype(x.dtype), (stride, stride),
                                      ((padding, padding), (padding, padding)),
                                      dimension_numbers=('NHWC', 'HWIO', 'NHWC'))


def conv2d_resample(x: jax.Array, w: jax.Array, f: np.ndarray, up: int = 1,
                    down: int = 1) -> jax.Array:
  """A k x k convolution of x with w (HWIO, k odd) at 'same' padding, with f-filtered up- or
  down-sampling by 2: the reference's conv2d_resample as its layers call it.

  Up (by 2 only): a transposed convolution (a true convolution with w, as the reference's
  layers with up=2 run it) then f. Down: f then a stride-2 convolution (k = 1: the
  f-filtered down-sampling, then the 1 x 1 convolution)."""
  k = w.shape[0]
  if up == 1 and down == 1:
    return conv2d(x, w, padding=k // 2)
  if up not in (1, 2):
    raise ValueError(f'Up-sampling by {up}; accepted: 1, 2.')
  if down > 1:
    if k == 1:
      return conv2d(downsample2d(x, f, down), w)
    return strided_conv2d(upfirdn2d(x, f, padding=_down_padding(f, down, k // 2)), w, down)
  fh, fw = f.shape
  # The reference's padding, less what the transposed convolution adds (k - 1, k - up).
  x0 = k // 2 + (fw + up - 1) // 2 - (k - 1)
  x1 = k // 2 + (fw - up) // 2 - (k - up)
  y0 = k // 2 + (fh + up - 1) // 2 - (k - 1)
  y1 = k // 2 + (fh - up) // 2 - (k - up)
  return upfirdn2d(transposed_conv2d(x, w), f, padding=(x0, x1, y0, y1), gain=up * up)


def transposed_conv2d(x: jax.Array, w: jax.Array) -> jax.Array:
  """The full transposed convolution of stride 2 (a true convolution of x with zeros between
  its pixels) with a k x k kernel, k odd: 2 (H - 1) + k outputs a side.

  One matmul of every pixel with the k x k kernel slices; then each output phase (even or
  odd row, even or odd column) sums the products of the taps of its parity, shifted, and
  the phases interleave. XLA:CPU runs its gradient 3x faster than a convolution with
  lhs_dilation's."""
  n, h, width, c = x.shape
  k, o = w.shape[0], w.shape[-1]
  products = (x.reshape(-1, c) @ w.transpose(2, 0, 1, 3).reshape(c, k * k * o).astype(x.dtype))
  products = products.reshape(n, h, width, k, k, o)
  size = k // 2  # Extra rows (columns) of each phase beyond the input's.
  shift = lambda t, a, b: jnp.pad(t, ((0, 0), (a // 2, size - a // 2), (b // 2, size - b // 2),
                                      (0, 0)))
  phases = [[sum(shift(products[:, :, :, a, b], a, b)
                 for a in range(row, k, 2) for b in range(column, k, 2))
             for column in (0, 1)] for row in (0, 1)]
  out = jnp.stack([jnp.stack(row, axis=3) for row in phases], axis=2)  # (N, H', 2, W', 2, O)
  out = out.reshape(n, 2 * (h + size), 2 * (width + size), o)
  return out[:, :2 * (h - 1) + k, :2 * (width - 1) + k]


def strided_conv2d(x: jax.Array, w: jax.Array, stride: int) -> jax.Array:
  """Valid cross-correlation with w (HWIO), every stride-th output, as one matmul of the
  k x k strided slices side by side (im2col): XLA:CPU's gradient of a strided convolution
  (a convolution with lhs_dilation) is several times slower."""
  k, c, o = w.shape[0], w.shape[2], w.shape[3]
  out_h = (x.shape[1] - k) // stride + 1
  out_w = (x.shape[2] - k) // stride + 1
  span_h, span_w = (out_h - 1) * stride + 1, (out_w - 1) * stride + 1
  patches = jnp.concatenate([x[:, a:a + span_h:stride, b:b + span_w:stride]
                             for a in range(k) for b in range(k)], axis=-1)
  return patches @ w.reshape(k * k * c, o).astype(x.dtype)

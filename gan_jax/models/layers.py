"""Pieces shared by every architecture."""
from typing import Callable

import flax.linen as nn
import jax
import jax.numpy as jnp

NORMS = ('batch_norm', 'none')


def has_bias(norm: str) -> bool:
  """Whether a layer followed by normalization `norm` needs its own bias."""
  return norm == 'none'


def normalization(kind: str, train: bool, axis_name: str | None) -> Callable:
  """A normalization layer by name.

  The layer before a normalization takes no bias (`has_bias`): the
  normalization subtracts it again, so its gradient is zero up to rounding,
  which Adam would amplify into full-size random updates.

  Batch norm reduces its statistics over `axis_name` (the device axis inside
  the pmapped train step), so N devices normalize with the global batch's
  statistics exactly as one device would.
  """
  if kind == 'batch_norm':
    return nn.BatchNorm(use_running_average=not train, momentum=0.9,
                        axis_name=axis_name if train else None)
  if kind == 'none':
    return lambda x: x
  raise ValueError(f'Unknown normalization {kind!r}; accepted: {NORMS}.')


class SubPixelConvTranspose(nn.Module):
  """`nn.ConvTranspose(features, (4, 4), strides=(2, 2), padding='SAME')`, computed faster.

  Same parameters (kernel (4, 4, in, out) and bias, same initialisers) and the
  same outputs, up to float rounding. Output row 2m is x[m-1] K[0] + x[m] K[2]
  and row 2m+1 is x[m] K[1] + x[m+1] K[3] (likewise for columns), so the layer
  is four 2x2 convolutions, one per output phase, interleaved. XLA:CPU takes
  the gradient of a strided transposed convolution ~10x slower than this.
  """
  features: int
  use_bias: bool = True
  kernel_init: Callable = nn.initializers.lecun_normal()
  bias_init: Callable = nn.initializers.zeros_init()

  @nn.compact
  def __call__(self, x):
    batch, height, width, channels = x.shape
    kernel = self.param('kernel', self.kernel_init, (4, 4, channels, self.features))
    padded = jnp.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    rows = []
    for row_phase in (0, 1):  # Even output rows read input rows m-1, m; odd rows m, m+1.
      columns = []
      for column_phase in (0, 1):
        window = padded[:, row_phase:row_phase + height + 1, column_phase:column_phase + width + 1]
        columns.append(jax.lax.conv_general_dilated(
            window, kernel[row_phase::2, column_phase::2], (1, 1), 'VALID',
            dimension_numbers=('NHWC', 'HWIO', 'NHWC')))
      rows.append(jnp.stack(columns, axis=3))  # (B, H, W, column phase, C)
    out = jnp.stack(rows, axis=2)  # (B, H, row phase, W, column phase, C)
    out = out.reshape(batch, 2 * height, 2 * width, self.features)
    if self.use_bias:
      out = out + self.param('bias', self.bias_init, (self.features,))
    return out

"""CycleGAN's ResNet generator (Zhu et al. 2017, after Johnson et al. 2016): a 7x7
convolution, `downsamplings` stride-2 3x3 convolutions doubling the width, `num_blocks`
residual blocks at the bottleneck, as many stride-2 3x3 transposed convolutions back, and a
7x7 convolution to the output (tanh). Reflection padding around every stride-1 convolution,
as the paper's, so the borders are not dark. The paper: 64 features, 2 downsamplings and 9
blocks at 256x256 (6 at 128x128)."""
import flax.linen as nn
import jax
import jax.numpy as jnp

from gan_jax.models.layers import LayerSpec


def reflect_pad(x: jax.Array, pad: int) -> jax.Array:
  return jnp.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode='reflect')


class ResNetTranslator(nn.Module):
  """x [N, H, W, C] in [-1, 1] -> [N, H, W, out_channels] in [-1, 1]; H and W divisible by
  2^downsamplings. Every layer but the output one is normalised (spec) and ReLU'd."""
  out_channels: int
  features: int = 64
  downsamplings: int = 2
  num_blocks: int = 9
  spec: LayerSpec = LayerSpec()

  def conv(self, x, features: int, kernel: int, train: bool, normalized: bool = True):
    """A stride-1 convolution on the reflection-padded input (same size out)."""
    layer = nn.Conv(features, (kernel, kernel), padding='VALID',
                    use_bias=self.spec.bias(normalized), dtype=self.spec.dtype)
    return self.spec.weight(layer, reflect_pad(x, kernel // 2), train)

  def norm_relu(self, x, train: bool):
    return nn.relu(self.spec.normalize(x, train))

  @nn.compact
  def __call__(self, x, train: bool = True):
    x = self.norm_relu(self.conv(x, self.features, 7, train), train)
    for i in range(self.downsamplings):
      layer = nn.Conv(self.features * 2 ** (i + 1), (3, 3), strides=(2, 2),
                      padding=((1, 1), (1, 1)), use_bias=self.spec.bias(True),
                      dtype=self.spec.dtype)
      x = self.norm_relu(self.spec.weight(layer, x, train), train)
    width = x.shape[-1]
    for _ in range(self.num_blocks):
      h = self.norm_relu(self.conv(x, width, 3, train), train)
      x = x + self.spec.normalize(self.conv(h, width, 3, train), train)
    for i in reversed(range(self.downsamplings)):
      # 'SAME' with stride 2 doubles the size exactly (the reference: padding 1, output
      # padding 1).
      layer = nn.ConvTranspose(self.features * 2 ** i, (3, 3), strides=(2, 2), padding='SAME',
                               use_bias=self.spec.bias(True), dtype=self.spec.dtype)
      x = self.norm_relu(self.spec.weight(layer, x, train), train)
    return jnp.tanh(self.conv(x, self.out_channels, 7, train, normalized=False))

"""SRGAN's generator, SRResNet (Ledig et al. 2017): a 9x9 convolution and PReLU, `num_blocks`
residual blocks (3x3 conv - norm - PReLU - 3x3 conv - norm, plus the block's input), a 3x3
conv - norm added to the first layer's output (the long skip), log2(scale) sub-pixel
upsamplings (a 3x3 conv to 4x the width, depth-to-space by 2, PReLU) and a 9x9 convolution to
the image's channels, tanh: a low-resolution image in [-1, 1] -> one `scale` times larger."""
import math

import flax.linen as nn
import jax
import jax.numpy as jnp

from gan_jax.models.layers import LayerSpec


def depth_to_space(x: jax.Array, block: int) -> jax.Array:
  """[N, H, W, b*b*C] -> [N, b*H, b*W, C], TensorFlow's order: output pixel (b*h + i, b*w + j)
  channel c is input pixel (h, w) channel (i*b + j)*C + c (sub-pixel convolution's shuffle)."""
  n, h, w, depth = x.shape
  c = depth // (block * block)
  x = x.reshape(n, h, w, block, block, c)
  return x.transpose(0, 1, 3, 2, 4, 5).reshape(n, h * block, w * block, c)


def prelu(x: jax.Array, name: str, module: nn.Module) -> jax.Array:
  """PReLU with one slope per channel, 0.25 at first (as the paper's PyTorch ports)."""
  slope = module.param(name, nn.initializers.constant(0.25), (x.shape[-1],))
  return jnp.where(x >= 0, x, slope * x)


class SRResNet(nn.Module):
  channels: int
  scale: int = 4
  num_blocks: int = 16
  features: int = 64
  spec: LayerSpec = LayerSpec('batch_norm')

  def conv(self, x, features: int, kernel: int, normalized: bool, train: bool):
    layer = nn.Conv(features, (kernel, kernel), use_bias=self.spec.bias(normalized),
                    dtype=self.spec.dtype)
    x = self.spec.weight(layer, x, train)
    return self.spec.normalize(x, train) if normalized else x

  @nn.compact
  def __call__(self, x, train: bool = True):
    first = prelu(self.conv(x, self.features, 9, False, train), 'prelu_in', self)
    x = first
    for i in range(self.num_blocks):
      h = prelu(self.conv(x, self.features, 3, True, train), f'prelu_block_{i}', self)
      x = x + self.conv(h, self.features, 3, True, train)
    x = first + self.conv(x, self.features, 3, True, train)
    for i in range(int(math.log2(self.scale))):
      x = depth_to_space(self.conv(x, 4 * self.features, 3, False, train), 2)
      x = prelu(x, f'prelu_up_{i}', self)
    return jnp.tanh(self.conv(x, self.channels, 9, False, train))

"""DCGAN (Radford et al. 2016) G and D for square images of any channel count.

Both networks work at sizes base * 2**k with base 4 or 7 and k >= 2: 28 and
56 (MNIST-like, from 7x7), 16, 32, 64, 128, ... (from 4x4). Channels double at
every down-sampling in D and halve at every up-sampling in G, so `features` is
the width at full resolution.
"""
import flax.linen as nn
import jax.numpy as jnp

from gan_jax.models.layers import SubPixelConvTranspose, has_bias, normalization

BASE_SIZES = (4, 7)


def upsamplings(image_size: int) -> int | None:
  """How many stride-2 stages reach `image_size` from a 4x4 or 7x7 base (None: cannot)."""
  for base in BASE_SIZES:
    stages, size = 0, base
    while size < image_size:
      size, stages = size * 2, stages + 1
    if size == image_size and stages >= 2:
      return stages
  return None


class DCGANGenerator(nn.Module):
  """z -> Dense to base x base (a 4x4 ConvT on 1x1) -> stride-2 4x4 ConvTs -> tanh."""
  image_size: int
  channels: int
  features: int
  norm: str = 'batch_norm'
  axis_name: str | None = None

  @nn.compact
  def __call__(self, z, train: bool = True):
    stages = upsamplings(self.image_size)
    base = self.image_size // 2**stages
    width = self.features * 2**(stages - 1)
    bias = has_bias(self.norm)
    x = nn.Dense(base * base * width, use_bias=bias)(z).reshape((z.shape[0], base, base, width))
    x = nn.relu(normalization(self.norm, train, self.axis_name)(x))
    for _ in range(stages - 1):
      width //= 2
      x = SubPixelConvTranspose(width, use_bias=bias)(x)
      x = nn.relu(normalization(self.norm, train, self.axis_name)(x))
    x = SubPixelConvTranspose(self.channels)(x)
    return jnp.tanh(x)


class DCGANDiscriminator(nn.Module):
  """Stride-2 4x4 convs with LeakyReLU 0.2 down to base x base -> one logit."""
  image_size: int
  features: int
  norm: str = 'batch_norm'
  axis_name: str | None = None

  @nn.compact
  def __call__(self, x, train: bool = True):
    stages = upsamplings(self.image_size)
    width = self.features
    x = nn.leaky_relu(nn.Conv(width, (4, 4), strides=(2, 2), padding='SAME')(x), 0.2)
    for _ in range(stages - 1):  # No norm on the first layer, as in DCGAN.
      width *= 2
      x = nn.Conv(width, (4, 4), strides=(2, 2), padding='SAME', use_bias=has_bias(self.norm))(x)
      x = nn.leaky_relu(normalization(self.norm, train, self.axis_name)(x), 0.2)
    # A base x base 'VALID' conv to one channel, written as the Dense it equals.
    return nn.Dense(1)(x.reshape((x.shape[0], -1)))[:, 0]

"""DCGAN (Radford et al. 2016) G and D for square images of any channel count, and the
InfoGAN-style MNIST networks of Lucic et al. 2018 (DCGAN plus one wide dense layer).

Both networks work at sizes base * 2**k with base 4 or 7 and k >= 2: 28 and
56 (MNIST-like, from 7x7), 16, 32, 64, 128, ... (from 4x4). Channels double at
every down-sampling in D and halve at every up-sampling in G, so `features` is
the width at full resolution.
"""
import flax.linen as nn
import jax.numpy as jnp

from gan_jax.models.layers import (DiscriminatorHead, LayerSpec, class_condition,
                                   generator_input)

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
  """z -> [Dense hidden] -> Dense to base x base (a 4x4 ConvT on 1x1) -> stride-2 4x4 ConvTs -> tanh.

  hidden_dense > 0 adds a Dense(hidden_dense) + norm + ReLU layer first (InfoGAN/Lucic).
  """
  image_size: int
  channels: int
  features: int
  spec: LayerSpec = LayerSpec()
  hidden_dense: int = 0
  conditioning: str = 'none'
  num_classes: int = 0
  embedding_dim: int = 128  # conditioning='concat': the class embedding's width.

  @nn.compact
  def __call__(self, z, labels, train: bool = True):
    spec = self.spec
    stages = upsamplings(self.image_size)
    base = self.image_size // 2**stages
    width = self.features * 2**(stages - 1)
    x = generator_input(z, labels, self.conditioning, self.num_classes,
                        self.embedding_dim)
    cond = class_condition(labels, self.conditioning, self.num_classes)
    if self.hidden_dense:
      x = nn.relu(spec.normalize(spec.dense(self.hidden_dense, x, train, normalized=True),
                                 train, cond))
    x = spec.dense(base * base * width, x, train, normalized=True)
    x = nn.relu(spec.normalize(x.reshape((z.shape[0], base, base, width)), train, cond))
    for _ in range(stages - 1):
      width //= 2
      x = nn.relu(spec.normalize(spec.conv_transpose(width, x, train, normalized=True), train,
                                 cond))
    return jnp.tanh(spec.conv_transpose(self.channels, x, train))


def downsampling_features(spec: LayerSpec, image_size: int, features: int, hidden_dense: int,
                          x, train: bool):
  """D's body, called inside a module's compact method (whose layers it makes): stride-2 4x4
  convs with LeakyReLU 0.2 down to base x base, flattened, then [Dense hidden].

  Returns (features (B, F), pooled (B, C)): pooled is the last activations summed over
  space (the projection's input), or the hidden Dense's output when there is one."""
  stages = upsamplings(image_size)
  width = features
  x = nn.leaky_relu(spec.conv(width, 4, x, train, strides=2), 0.2)
  for _ in range(stages - 1):  # No norm on the first layer, as in DCGAN.
    width *= 2
    x = spec.conv(width, 4, x, train, strides=2, normalized=True)
    x = nn.leaky_relu(spec.normalize(x, train), 0.2)
  pooled = jnp.sum(x, axis=(1, 2))
  x = x.reshape((x.shape[0], -1))
  if hidden_dense:
    x = spec.dense(hidden_dense, x, train, normalized=True)
    x = pooled = nn.leaky_relu(spec.normalize(x, train), 0.2)
  return x, pooled


class DCGANDiscriminator(nn.Module):
  """downsampling_features -> head. The features before the head are sown as
  intermediates 'features' (f-AnoGAN's discrimination features)."""
  image_size: int
  features: int
  spec: LayerSpec = LayerSpec()
  hidden_dense: int = 0
  conditioning: str = 'none'
  num_classes: int = 0

  @nn.compact
  def __call__(self, x, labels, train: bool = True):
    x, pooled = downsampling_features(self.spec, self.image_size, self.features,
                                      self.hidden_dense, x, train)
    self.sow('intermediates', 'features', x)
    # The head's Dense(1) on base x base features is DCGAN's 'VALID' conv to one channel.
    return DiscriminatorHead(self.spec, self.conditioning, self.num_classes)(x, labels, train,
                                                                            pooled)


class DCGANEncoder(nn.Module):
  """Image -> z: D's body with a linear Dense(z_dim) head (f-AnoGAN's encoder mirrors the
  critic and leaves z unbounded, for a normal prior)."""
  image_size: int
  features: int
  z_dim: int
  spec: LayerSpec = LayerSpec()
  hidden_dense: int = 0

  @nn.compact
  def __call__(self, x, train: bool = True):
    x, _ = downsampling_features(self.spec, self.image_size, self.features, self.hidden_dense,
                                 x, train)
    return self.spec.dense(self.z_dim, x, train)

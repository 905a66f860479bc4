"""Fully connected G and D (the original GAN; the 2D mixture benchmarks)."""
import math

import flax.linen as nn
import jax.numpy as jnp

from gan_jax.models.layers import has_bias, normalization


class MLPGenerator(nn.Module):
  """z -> `layers` x (Dense, norm, ReLU) -> Dense -> reshape to `out_shape`."""
  out_shape: tuple[int, ...]
  features: int
  layers: int
  norm: str = 'none'
  tanh_output: bool = True  # Images live in [-1, 1]; 2D points are unbounded.
  axis_name: str | None = None

  @nn.compact
  def __call__(self, z, train: bool = True):
    x = z
    for _ in range(self.layers):
      x = nn.Dense(self.features, use_bias=has_bias(self.norm))(x)
      x = normalization(self.norm, train, self.axis_name)(x)
      x = nn.relu(x)
    x = nn.Dense(math.prod(self.out_shape))(x)
    if self.tanh_output:
      x = jnp.tanh(x)
    return x.reshape((z.shape[0],) + tuple(self.out_shape))


class MLPDiscriminator(nn.Module):
  """x -> flatten -> `layers` x (Dense, norm, LeakyReLU 0.2) -> one logit."""
  features: int
  layers: int
  norm: str = 'none'
  axis_name: str | None = None

  @nn.compact
  def __call__(self, x, train: bool = True):
    x = x.reshape((x.shape[0], -1))
    for _ in range(self.layers):
      x = nn.Dense(self.features, use_bias=has_bias(self.norm))(x)
      x = normalization(self.norm, train, self.axis_name)(x)
      x = nn.leaky_relu(x, 0.2)
    return nn.Dense(1)(x)[:, 0]

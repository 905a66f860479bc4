"""Fully connected G and D (the original GAN; the 2D mixture benchmarks)."""
import math

import flax.linen as nn
import jax.numpy as jnp

from gan_jax.models.layers import (DiscriminatorHead, LayerSpec, class_condition,
                                   generator_input)


class MLPGenerator(nn.Module):
  """z -> `layers` x (Dense, norm, ReLU) -> Dense -> reshape to `out_shape`."""
  out_shape: tuple[int, ...]
  features: int
  layers: int
  spec: LayerSpec = LayerSpec()
  tanh_output: bool = True  # Images live in [-1, 1]; 2D points are unbounded.
  conditioning: str = 'none'
  num_classes: int = 0
  embedding_dim: int = 128  # conditioning='concat': the class embedding's width.

  @nn.compact
  def __call__(self, z, labels, train: bool = True):
    x = generator_input(z, labels, self.conditioning, self.num_classes,
                        self.embedding_dim)
    cond = class_condition(labels, self.conditioning, self.num_classes)
    for _ in range(self.layers):
      x = self.spec.dense(self.features, x, train, normalized=True)
      x = nn.relu(self.spec.normalize(x, train, cond))
    x = self.spec.dense(math.prod(self.out_shape), x, train)
    if self.tanh_output:
      x = jnp.tanh(x)
    return x.reshape((z.shape[0],) + tuple(self.out_shape))


class MLPDiscriminator(nn.Module):
  """x -> flatten -> `layers` x (Dense, norm, activation) -> head (logit, class logits).

  The activation is LeakyReLU 0.2, or with `maxout_pieces` > 1 a maxout unit (Goodfellow et
  al. 2013): each of the `features` outputs is the max of that many linear pieces (PacGAN's D).
  """
  features: int
  layers: int
  spec: LayerSpec = LayerSpec()
  maxout_pieces: int = 1
  conditioning: str = 'none'
  num_classes: int = 0

  @nn.compact
  def __call__(self, x, labels, train: bool = True):
    x = x.reshape((x.shape[0], -1))
    for _ in range(self.layers):
      x = self.spec.dense(self.features * self.maxout_pieces, x, train, normalized=True)
      x = self.spec.normalize(x, train)
      if self.maxout_pieces > 1:
        x = x.reshape(x.shape[:-1] + (self.features, self.maxout_pieces)).max(axis=-1)
      else:
        x = nn.leaky_relu(x, 0.2)
    return DiscriminatorHead(self.spec, self.conditioning, self.num_classes)(x, labels, train)

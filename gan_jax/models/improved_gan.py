"""Improved GAN's MNIST networks (Salimans et al. 2016, openai/improved-gan's
train_mnist_feature_matching.py): a classifier-discriminator with K class logits and an
MLP generator of images in [0, 1]."""
import math
from typing import Sequence

import flax.linen as nn
import jax

from gan_jax.models.weight_norm import GaussianNoise, WeightNormDense


def hidden_names(num_hidden: int) -> tuple[str, ...]:
  """The classifier's hidden layers, by name: what config.model.feature_layer may name."""
  return tuple(f'hidden_{i}' for i in range(num_hidden))


class ImprovedGANClassifier(nn.Module):
  """Input noise, then weight-normalised ReLU layers each followed by noise, then K logits.

  D(x) = Z / (Z + 1) with Z = sum(exp(logits)): the fake class is implicit. The hidden
  layers keep the scale their data-dependent initialisation gives; the logits train theirs.
  """
  num_classes: int
  hidden: Sequence[int] = (1000, 500, 250, 250, 250)
  input_noise: float = 0.3
  hidden_noise: float = 0.5
  axis_name: str | None = None

  @nn.compact
  def __call__(self, x: jax.Array, train: bool) -> jax.Array:
    x = GaussianNoise(self.input_noise, self.axis_name, name='input_noise')(
        x.reshape((x.shape[0], -1)), not train)
    for i, (name, width) in enumerate(zip(hidden_names(len(self.hidden)), self.hidden)):
      x = WeightNormDense(width, nn.relu, train_scale=False, name=name)(x)
      x = GaussianNoise(self.hidden_noise, self.axis_name, name=f'noise_{i}')(x, not train)
    return WeightNormDense(self.num_classes, name='logits')(x)


class ImprovedGANGenerator(nn.Module):
  """z -> (dense, batch norm without scale, softplus) per hidden width -> weight-normalised
  dense -> sigmoid: images in [0, 1] of `image_shape`. Batch norm always normalises with
  the batch's own statistics, as the paper's G (its running averages are kept, unused)."""
  image_shape: tuple[int, ...]
  hidden: Sequence[int] = (500, 500)
  axis_name: str | None = None

  @nn.compact
  def __call__(self, z: jax.Array) -> jax.Array:
    x = z
    for i, width in enumerate(self.hidden):
      x = nn.Dense(width, use_bias=False, kernel_init=nn.initializers.glorot_uniform(),
                   name=f'dense_{i}')(x)
      x = nn.BatchNorm(use_running_average=False, use_scale=False, momentum=0.9, epsilon=1e-6,
                       axis_name=self.axis_name, name=f'batch_norm_{i}')(x)
      x = nn.softplus(x)
    x = WeightNormDense(math.prod(self.image_shape), nn.sigmoid, data_init=False,
                        direction_init=nn.initializers.glorot_uniform(), name='output')(x)
    return x.reshape((-1,) + tuple(self.image_shape))

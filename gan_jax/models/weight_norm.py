"""Weight-normalised dense layers with data-dependent initialisation, and Gaussian noise
layers: the pieces of Improved GAN's networks (Salimans & Kingma 2016; Salimans et al. 2016).
"""
from typing import Callable

import flax.linen as nn
import jax
import jax.numpy as jnp

_EPS = 1e-12  # Keeps the norms and the init's division finite on a degenerate batch.


class WeightNormDense(nn.Module):
  """y = activation(scale * x @ (v / ||v||) + bias), the norm per output unit.

  data_init: initialised (module.init) on a real batch, scale and bias are set so that
  this layer's pre-activations on that batch have zero mean and unit variance per unit
  (later layers see the already normalised earlier ones). train_scale=False keeps scale
  at its initial value (Improved GAN's hidden layers); otherwise scale is trained.
  """
  features: int
  activation: Callable = lambda x: x
  data_init: bool = True
  train_scale: bool = True
  direction_init: Callable = nn.initializers.normal(0.1)

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    x = x.reshape((x.shape[0], -1))
    v = self.param('direction', self.direction_init, (x.shape[-1], self.features))
    t = x @ (v / jnp.sqrt(jnp.sum(jnp.square(v), axis=0) + _EPS))
    if self.data_init and self.is_initializing():
      mean = jnp.mean(t, axis=0)
      inv_std = 1.0 / jnp.sqrt(jnp.mean(jnp.square(t - mean), axis=0) + _EPS)
      scale_init, bias_init = (lambda _, shape: inv_std), (lambda _, shape: -mean * inv_std)
    else:
      scale_init, bias_init = nn.initializers.ones, nn.initializers.zeros
    scale = self.param('scale', scale_init, (self.features,))
    bias = self.param('bias', bias_init, (self.features,))
    if not self.train_scale:
      scale = jax.lax.stop_gradient(scale)
    return self.activation(t * scale + bias)


class GaussianNoise(nn.Module):
  """x + N(0, sigma^2) noise in training (rng stream 'noise'); the identity otherwise.

  The noise of each example is keyed by its index in the global batch (axis_name: the
  device axis, None outside pmap), so a step draws the same noise on 1 device or N.
  """
  sigma: float
  axis_name: str | None = None

  @nn.compact
  def __call__(self, x: jax.Array, deterministic: bool) -> jax.Array:
    if deterministic or self.sigma == 0:
      return x
    batch = x.shape[0]
    first = 0 if self.axis_name is None else jax.lax.axis_index(self.axis_name) * batch
    keys = jax.vmap(jax.random.fold_in, (None, 0))(self.make_rng('noise'),
                                                   first + jnp.arange(batch))
    noise = jax.vmap(lambda k: jax.random.normal(k, x.shape[1:], x.dtype))(keys)
    return x + self.sigma * noise

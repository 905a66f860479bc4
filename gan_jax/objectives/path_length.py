"""StyleGAN2's path-length regulariser (Karras et al. 2020): G's Jacobian from w to the image,
projected on random image-space directions, should have a norm that does not depend on w.

For ws (N, num_ws, w_dim) and y ~ N(0, I) / sqrt(H W), each example's length is
||J^T y|| = sqrt(mean over the ws of |grad_w (G(w) . y)|^2); the penalty is the mean of
(length - a)^2, where a is the running mean of the lengths (decay 0.01), this batch's
included, over every device's examples.

One difference from stylegan2-ada-pytorch: there a's new value enters the penalty
undetached, so the penalty's gradient also flows through a (weighted by the decay). Here a
is a constant of the gradient: the gradient is then each device's own, and their mean (the
train step averages gradients over devices) is exactly the global batch's.
"""
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

from gan_jax.common.example_keys import per_example_normal


def path_lengths(synthesize: Callable[[jax.Array], jax.Array], ws: jax.Array, key: jax.Array,
                 axis_name: str | None) -> jax.Array:
  """Each example's ||J^T y|| for its own direction y (keyed by its global index)."""
  images = jax.eval_shape(synthesize, ws)
  height, width = images.shape[1:3]
  directions = per_example_normal(key, ws.shape[0], images.shape[1:], axis_name) / np.sqrt(
      height * width)
  grads = jax.grad(lambda w: jnp.sum(synthesize(w) * directions.astype(images.dtype)))(ws)
  return jnp.sqrt(jnp.mean(jnp.sum(jnp.square(grads), axis=2), axis=1))


def path_length_penalty(synthesize: Callable[[jax.Array], jax.Array], ws: jax.Array,
                        key: jax.Array, running_mean: jax.Array, decay: float,
                        axis_name: str | None):
  """(this device's penalty, the running mean after this batch, the batch's mean length).
  The means are over every device's examples when `axis_name` is set."""
  lengths = path_lengths(synthesize, ws, key, axis_name)
  batch_mean = jax.lax.stop_gradient(jnp.mean(lengths))
  if axis_name is not None:
    batch_mean = jax.lax.pmean(batch_mean, axis_name)
  mean = running_mean + decay * (batch_mean - running_mean)
  return jnp.mean(jnp.square(lengths - mean)), mean, batch_mean

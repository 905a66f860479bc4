"""Regularisers of the discriminator that need D itself, not just its logits."""
from typing import Callable

import jax
import jax.numpy as jnp


def gradient_penalty(d_fn: Callable[[jax.Array], jax.Array], real: jax.Array,
                     fake: jax.Array, eps: jax.Array) -> jax.Array:
  """WGAN-GP (Gulrajani et al. 2017): E[(||grad_x D(x_hat)||_2 - 1)^2].

  x_hat = eps * real + (1 - eps) * fake with one eps in [0, 1] per example;
  `d_fn` maps a batch to per-example logits.
  """
  eps = eps.reshape((-1,) + (1,) * (real.ndim - 1))
  x_hat = eps * real + (1.0 - eps) * fake
  # D's logits are independent per example, so the gradient of their sum
  # gives every example's own input gradient in one backward pass.
  grads = jax.grad(lambda x: jnp.sum(d_fn(x)))(x_hat)
  norms = jnp.sqrt(jnp.sum(grads.reshape((grads.shape[0], -1))**2, axis=1) + 1e-12)
  return jnp.mean((norms - 1.0)**2)

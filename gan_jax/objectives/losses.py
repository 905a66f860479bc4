"""GAN objectives on discriminator logits, each a pair of pure functions.

`d_loss(real_logits, fake_logits)` is minimised by D and `g_loss(fake_logits)`
by G. D returns raw logits; the log-sigmoid forms are written with softplus,
which is exact and never takes log(0): -log(sigmoid(t)) = softplus(-t) and
-log(1 - sigmoid(t)) = softplus(t).
To add a loss: one pair of functions here, one entry in LOSSES, one test.
"""
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp


class GANLoss(NamedTuple):
  d_loss: Callable[[jax.Array, jax.Array], jax.Array]
  g_loss: Callable[[jax.Array], jax.Array]


def _d_cross_entropy(real_logits, fake_logits):
  """-log D(x) - log(1 - D(G(z))): D's side of the original minimax game."""
  return jnp.mean(jax.nn.softplus(-real_logits)) + jnp.mean(jax.nn.softplus(fake_logits))


def non_saturating_g(fake_logits):
  """-log D(G(z)) (Goodfellow et al. 2014, the variant used in practice)."""
  return jnp.mean(jax.nn.softplus(-fake_logits))


def minimax_g(fake_logits):
  """log(1 - D(G(z))): the saturating original objective."""
  return -jnp.mean(jax.nn.softplus(fake_logits))


def least_squares_d(real_logits, fake_logits):
  """LSGAN (Mao et al. 2017), a-b-c = 0-1-1, on D's raw output."""
  return 0.5 * jnp.mean((real_logits - 1.0)**2) + 0.5 * jnp.mean(fake_logits**2)


def least_squares_g(fake_logits):
  return 0.5 * jnp.mean((fake_logits - 1.0)**2)


def hinge_d(real_logits, fake_logits):
  """Geometric GAN / SNGAN hinge loss."""
  return jnp.mean(jax.nn.relu(1.0 - real_logits)) + jnp.mean(jax.nn.relu(1.0 + fake_logits))


def linear_g(fake_logits):
  """-D(G(z)): G's side of the hinge and Wasserstein losses."""
  return -jnp.mean(fake_logits)


def wasserstein_d(real_logits, fake_logits):
  """WGAN critic loss E[D(G(z))] - E[D(x)]; needs a Lipschitz constraint (gp_weight)."""
  return jnp.mean(fake_logits) - jnp.mean(real_logits)


LOSSES = {
    'non_saturating': GANLoss(_d_cross_entropy, non_saturating_g),
    'minimax': GANLoss(_d_cross_entropy, minimax_g),
    'least_squares': GANLoss(least_squares_d, least_squares_g),
    'hinge': GANLoss(hinge_d, linear_g),
    'wasserstein': GANLoss(wasserstein_d, linear_g),
}


def get_loss(name: str) -> GANLoss:
  if name not in LOSSES:
    raise ValueError(f'Unknown config.loss.name {name!r}; accepted: {tuple(LOSSES)}.')
  return LOSSES[name]

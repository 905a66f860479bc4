"""The anomaly task's training states: f-AnoGAN's (the trained GAN's G and D, frozen, and the
encoder) and GANomaly's (its G and D, both trained)."""
from typing import Any

import flax
import flax.linen as nn
import jax
import jax.numpy as jnp
import optax

Params = Any


@flax.struct.dataclass
class AnomalyState:
  step: jax.Array
  e_params: Params  # The encoder, trained.
  ema_e_params: Params  # Its EMA, which scores in evaluation.
  e_opt_state: optax.OptState
  g_params: Params  # The GAN's G and D, taken from its run (config.init_from), never updated.
  g_batch_stats: Params
  d_params: Params
  d_batch_stats: Params
  lr_scale: jax.Array  # Multiplies the learning rate; lowered after a divergence restore.


def create_state(rng: jax.Array, generator: nn.Module, discriminator: nn.Module,
                 encoder: nn.Module, e_tx: optax.GradientTransformation, z_dim: int,
                 image_shape: tuple[int, ...]) -> AnomalyState:
  """All three networks initialised (eval mode), compiled; G and D are replaced by the
  GAN's (config.init_from) before training."""
  def init(rng):
    g_rng, d_rng, e_rng = jax.random.split(rng, 3)
    labels = jnp.zeros((1,), jnp.int32)
    images = jnp.zeros((1,) + tuple(image_shape))
    g_vars = generator.init(g_rng, jnp.zeros((1, z_dim)), labels, train=False)
    d_vars = discriminator.init(d_rng, images, labels, train=False)
    e_params = encoder.init(e_rng, images, train=False)['params']
    return AnomalyState(
        step=jnp.zeros((), jnp.int32), g_params=g_vars['params'],
        g_batch_stats=g_vars.get('batch_stats', {}), d_params=d_vars['params'],
        d_batch_stats=d_vars.get('batch_stats', {}), e_params=e_params, ema_e_params=e_params,
        e_opt_state=e_tx.init(e_params), lr_scale=jnp.ones((), jnp.float32))
  state = jax.jit(init)(rng)
  # The EMA gets its own buffers: the state is donated, and jit may return equal outputs as one.
  return state.replace(ema_e_params=jax.tree.map(jnp.copy, state.e_params))


@flax.struct.dataclass
class GANomalyState:
  step: jax.Array
  g_params: Params  # GANomaly's G: {'encoder', 'decoder', 'reencoder'}.
  g_batch_stats: Params
  g_opt_state: optax.OptState
  d_params: Params
  d_batch_stats: Params
  d_opt_state: optax.OptState
  lr_scale: jax.Array  # Multiplies both learning rates; lowered after a divergence restore.


def create_ganomaly_state(rng: jax.Array, generator: nn.Module, discriminator: nn.Module,
                          g_tx: optax.GradientTransformation, d_tx: optax.GradientTransformation,
                          image_shape: tuple[int, ...]) -> GANomalyState:
  """Both networks initialised (eval mode), compiled."""
  def init(rng):
    g_rng, d_rng = jax.random.split(rng)
    images = jnp.zeros((1,) + tuple(image_shape))
    g_vars = generator.init(g_rng, images, train=False)
    d_vars = discriminator.init(d_rng, images, jnp.zeros((1,), jnp.int32), train=False)
    return GANomalyState(
        step=jnp.zeros((), jnp.int32), g_params=g_vars['params'],
        g_batch_stats=g_vars.get('batch_stats', {}), g_opt_state=g_tx.init(g_vars['params']),
        d_params=d_vars['params'], d_batch_stats=d_vars.get('batch_stats', {}),
        d_opt_state=d_tx.init(d_vars['params']), lr_scale=jnp.ones((), jnp.float32))
  return jax.jit(init)(rng)

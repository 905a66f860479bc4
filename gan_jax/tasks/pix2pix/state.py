"""The pix2pix task's training state: G (the U-Net, with an EMA of its weights) and D (the
PatchGAN), each with its optimizer."""
from typing import Any

import flax
import flax.linen as nn
import jax
import jax.numpy as jnp
import optax

Params = Any


@flax.struct.dataclass
class Pix2PixState:
  step: jax.Array
  g_params: Params
  ema_g_params: Params  # Evaluated with generator='ema' (with G's batch statistics).
  g_batch_stats: Params
  g_opt_state: optax.OptState
  d_params: Params
  d_batch_stats: Params
  d_opt_state: optax.OptState
  lr_scale: jax.Array  # Multiplies both learning rates; lowered after a divergence restore.


def create_state(rng: jax.Array, generator: nn.Module, discriminator: nn.Module,
                 g_tx: optax.GradientTransformation, d_tx: optax.GradientTransformation,
                 input_shape: tuple[int, ...], pair_shape: tuple[int, ...]) -> Pix2PixState:
  """Both networks initialised (eval mode), compiled. pair_shape: D's input, the input and
  an image concatenated on channels."""
  def init(rng):
    g_rng, d_rng = jax.random.split(rng)
    g_vars = generator.init(g_rng, jnp.zeros((1,) + tuple(input_shape)), train=False)
    d_vars = discriminator.init(d_rng, jnp.zeros((1,) + tuple(pair_shape)), train=False)
    return Pix2PixState(
        step=jnp.zeros((), jnp.int32), g_params=g_vars['params'], ema_g_params=g_vars['params'],
        g_batch_stats=g_vars.get('batch_stats', {}), g_opt_state=g_tx.init(g_vars['params']),
        d_params=d_vars['params'], d_batch_stats=d_vars.get('batch_stats', {}),
        d_opt_state=d_tx.init(d_vars['params']), lr_scale=jnp.ones((), jnp.float32))
  state = jax.jit(init)(rng)
  # The EMA gets its own buffers: the state is donated, and jit may return equal outputs as one.
  return state.replace(ema_g_params=jax.tree.map(jnp.copy, state.g_params))

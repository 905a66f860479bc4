"""The semi-supervised task's training state: the classifier-discriminator, its EMA, and G."""
from typing import Any

import flax
import flax.linen as nn
import jax
import jax.numpy as jnp
import optax

Params = Any


@flax.struct.dataclass
class SemiSupervisedState:
  step: jax.Array
  d_params: Params  # The classifier-discriminator (K logits).
  ema_d_params: Params  # Its EMA, which classifies in evaluation.
  d_opt_state: optax.OptState
  g_params: Params  # {} without a generator (the supervised-only control).
  g_batch_stats: Params
  g_opt_state: optax.OptState
  rng: jax.Array  # Base key; each step folds in its number.
  lr_scale: jax.Array  # Multiplies both learning rates; lowered after a divergence restore.


def create_state(rng: jax.Array, classifier: nn.Module, generator: nn.Module | None,
                 d_tx: optax.GradientTransformation, g_tx: optax.GradientTransformation,
                 init_images: jax.Array, z_dim: int) -> SemiSupervisedState:
  """Both networks initialised, compiled; D's weight norm from `init_images` (in [0, 1]),
  with its noise on, as the paper's data-dependent initialisation."""
  def init(rng, init_images):
    d_rng, noise_rng, g_rng, state_rng = jax.random.split(rng, 4)
    d_params = classifier.init({'params': d_rng, 'noise': noise_rng}, init_images,
                               train=True)['params']
    g_vars = {} if generator is None else generator.init(g_rng, jnp.zeros((2, z_dim)))
    g_params = g_vars.get('params', {})
    return SemiSupervisedState(
        step=jnp.zeros((), jnp.int32), d_params=d_params, ema_d_params=d_params,
        d_opt_state=d_tx.init(d_params), g_params=g_params,
        g_batch_stats=g_vars.get('batch_stats', {}), g_opt_state=g_tx.init(g_params),
        rng=state_rng, lr_scale=jnp.ones((), jnp.float32))
  state = jax.jit(init)(rng, init_images)
  # The EMA gets its own buffers: the state is donated, and jit may return equal outputs as one.
  return state.replace(ema_d_params=jax.tree.map(jnp.copy, state.d_params))

"""The one pytree that holds a GAN's whole training state."""
from typing import Any

import flax
import flax.linen as nn
import jax
import jax.numpy as jnp
import optax

Params = Any


@flax.struct.dataclass
class GANState:
  """Everything a resumed run needs; the optax transforms stay outside (pure data)."""
  step: jax.Array  # Train steps done (each: n_critic D updates, one G update).
  g_params: Params
  d_params: Params
  g_batch_stats: Params  # Batch-norm running averages ({} without batch norm).
  d_batch_stats: Params
  g_opt_state: optax.OptState
  d_opt_state: optax.OptState
  ema_g_params: Params  # Exponential moving average of g_params, used for samples.
  rng: jax.Array  # Base key; each step folds in its number, so it never changes.
  lr_scale: jax.Array  # Multiplies both learning rates; lowered after a divergence restore.
  lecam_anchors: jax.Array  # EMAs of D's mean (real, fake) logits (penalties.lecam).
  ada_p: jax.Array  # ADA's augmentation probability (config.augment.ada_*).
  # Since p's last adjustment: (sum of D updates' mean sign of D(real), D updates).
  ada_signs: jax.Array
  path_length_mean: jax.Array  # The path-length regulariser's running mean length.
  # Each lazy regulariser's metrics at the last update that computed them (mean over devices),
  # so a log between two such updates reports them, not zeros.
  lazy_values: dict[str, jax.Array]


def create_state(rng: jax.Array, generator: nn.Module, discriminator: nn.Module,
                 g_tx: optax.GradientTransformation, d_tx: optax.GradientTransformation,
                 z_dim: int, d_input_shape: tuple[int, ...], ada_p: float = 0.0,
                 lazy_names: tuple[str, ...] = ()) -> GANState:
  """Initialises both networks (eval mode, so no device axis is needed), compiled: spectral
  norm and attention make an op-by-op initialisation of a ResNet take seconds.

  `d_input_shape`: one of D's inputs (with PacGAN packing, m samples' channels). `ada_p`:
  ADA's initial augmentation probability. `lazy_names`: the lazily computed metrics
  (step.lazy_metric_names).
  """
  def init(rng):
    g_rng, d_rng, state_rng = jax.random.split(rng, 3)
    labels = jnp.zeros((1,), jnp.int32)
    g_vars = generator.init(g_rng, jnp.zeros((1, z_dim)), labels, train=False)
    d_vars = discriminator.init(d_rng, jnp.zeros((1,) + tuple(d_input_shape)), labels,
                                train=False)
    g_params, d_params = g_vars['params'], d_vars['params']
    return GANState(
        step=jnp.zeros((), jnp.int32),
        g_params=g_params,
        d_params=d_params,
        g_batch_stats=g_vars.get('batch_stats', {}),
        d_batch_stats=d_vars.get('batch_stats', {}),
        g_opt_state=g_tx.init(g_params),
        d_opt_state=d_tx.init(d_params),
        ema_g_params=g_params,
        rng=state_rng,
        lr_scale=jnp.ones((), jnp.float32),
        lecam_anchors=jnp.zeros((2,), jnp.float32),
        ada_p=jnp.asarray(ada_p, jnp.float32),
        ada_signs=jnp.zeros((2,), jnp.float32),
        path_length_mean=jnp.zeros((), jnp.float32),
        lazy_values={name: jnp.zeros((), jnp.float32) for name in lazy_names},
    )
  state = jax.jit(init)(rng)
  # The EMA gets its own buffers: the state is donated, and jit may return equal outputs as one.
  return state.replace(ema_g_params=jax.tree.map(jnp.copy, state.g_params))


def param_count(params: Params) -> int:
  return sum(x.size for x in jax.tree.leaves(params))

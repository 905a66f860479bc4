"""pix2pix's objective and step (Isola et al. 2017): D judges (input, target) against
(input, G(input)) patch by patch; G minimises its adversarial loss + lambda L1(G(x), y).
Both players' gradients come from one forward pass (updates.two_player_grads)."""
from typing import Callable

import flax.linen as nn
import jax
import jax.numpy as jnp
import ml_collections
import optax

from gan_jax.common.device_axis import AXIS
from gan_jax.common.example_keys import per_example_keys
from gan_jax.data import jitter
from gan_jax.objectives import losses
from gan_jax.tasks.pix2pix.state import Pix2PixState
from gan_jax.training import updates

# fold_in(PRNGKey(seed), this): training's dropout keys, then the step; the same for the
# pairs' random jitter.
DROPOUT_STREAM, JITTER_STREAM = 0, 1


def make_loss_fn(generator: nn.Module, discriminator: nn.Module,
                 config: ml_collections.ConfigDict) -> Callable:
  """loss_fn(d_params, g_params, state, inputs, targets, dropout_keys) -> ((d_loss, g_loss),
  (metrics, G's and D's new batch stats)); both networks in train mode."""
  gan_loss = losses.get_loss(config.loss.name)
  l1_weight, adversarial_weight = config.loss.l1_weight, config.loss.adversarial_weight

  def d_apply(d_params, batch_stats, inputs, images):
    logits, new = discriminator.apply({'params': d_params, 'batch_stats': batch_stats},
                                      jnp.concatenate([inputs, images], axis=-1), train=True,
                                      mutable=['batch_stats'])
    return logits, new.get('batch_stats', batch_stats)

  def loss_fn(d_params, g_params, state: Pix2PixState, inputs, targets, dropout_keys):
    fake, g_new = generator.apply({'params': g_params, 'batch_stats': state.g_batch_stats},
                                  inputs, dropout_keys, train=True, mutable=['batch_stats'])
    l1 = jnp.mean(jnp.abs(fake - targets))
    terms, d_stats = {'l1': l1}, state.d_batch_stats
    d_loss, g_loss = jnp.zeros_like(l1), l1_weight * l1
    if adversarial_weight:  # 0: the L1-only arm, D never runs.
      real_logits, d_stats = d_apply(d_params, d_stats, inputs, targets)
      fake_logits, d_stats = d_apply(d_params, d_stats, inputs, fake)
      d_loss = gan_loss.d_loss(real_logits, fake_logits)
      terms['adversarial'] = gan_loss.g_loss(fake_logits)
      g_loss = g_loss + adversarial_weight * terms['adversarial']
    return (d_loss, g_loss), (terms, g_new.get('batch_stats', state.g_batch_stats), d_stats)
  return loss_fn


def make_step_fn(loss_fn: Callable, config: ml_collections.ConfigDict,
                 g_tx: optax.GradientTransformation,
                 d_tx: optax.GradientTransformation) -> Callable:
  """(state, batch) -> (state, metrics, finite), inside pmap over AXIS: one update of G and
  (unless the adversarial weight is 0) one of D on a batch of pairs (batch['data'])."""
  train_d = bool(config.loss.adversarial_weight)
  dropout_key = jax.random.fold_in(jax.random.PRNGKey(config.seed), DROPOUT_STREAM)
  jitter_key = jax.random.fold_in(jax.random.PRNGKey(config.seed), JITTER_STREAM)

  def train_step(state: Pix2PixState, batch: dict):
    inputs, targets = batch['data']['input'][0], batch['data']['image'][0]
    inputs, targets = jitter.jitter_batch(
        (inputs, targets), per_example_keys(jax.random.fold_in(jitter_key, state.step),
                                            inputs.shape[0]), config.jitter)
    keys = per_example_keys(jax.random.fold_in(dropout_key, state.step), inputs.shape[0])
    return update_both(state, updates.two_player_grads(
        loss_fn, state.d_params, state.g_params, state, inputs, targets, keys), config, g_tx,
        d_tx, train_d)
  return train_step


def update_both(state: Pix2PixState, grads: tuple, config: ml_collections.ConfigDict,
                g_tx: optax.GradientTransformation, d_tx: optax.GradientTransformation,
                train_d: bool):
  """(state, metrics, finite) after one update of G (and of D if train_d) from
  updates.two_player_grads' ((d_loss, g_loss), d_grads, g_grads, (terms, G's and D's new batch
  stats)); the metrics averaged over devices. Shared by the paired tasks (pix2pix, srgan)."""
  (d_loss, g_loss), d_grads, g_grads, (terms, g_stats, d_stats) = grads
  g_params, g_opt_state = updates.apply_gradients(g_grads, state.g_params, state.g_opt_state,
                                                  g_tx, state.lr_scale)
  d_params, d_opt_state = state.d_params, state.d_opt_state
  metrics = {'g_loss': g_loss, **terms}
  if train_d:
    d_params, d_opt_state = updates.apply_gradients(d_grads, state.d_params,
                                                    state.d_opt_state, d_tx, state.lr_scale)
    metrics['d_loss'] = d_loss
  metrics = jax.lax.pmean(metrics, AXIS)
  state = state.replace(
      step=state.step + 1, g_params=g_params, g_opt_state=g_opt_state, g_batch_stats=g_stats,
      ema_g_params=updates.update_ema(state.ema_g_params, g_params, state.step, config.train),
      d_params=d_params, d_opt_state=d_opt_state, d_batch_stats=d_stats)
  return state, metrics, updates.finite_flags(metrics, {'g_params': g_params,
                                                        'd_params': d_params})

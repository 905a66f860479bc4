"""Pieces every task's step is made of: applying gradients, the EMA of weights, gradients of
two players from one pass, and the divergence guard's flags."""
from typing import Callable

import jax
import jax.numpy as jnp
import ml_collections
import optax

from gan_jax.common.device_axis import AXIS
from gan_jax.config import fields


def scale_updates(updates, lr_scale: jax.Array):
  """Adam's update is linear in the learning rate: this is Adam at lr * lr_scale."""
  return jax.tree.map(lambda u: u * lr_scale.astype(u.dtype), updates)


def apply_gradients(grads, params, opt_state, tx: optax.GradientTransformation,
                    lr_scale: jax.Array):
  """(params, opt_state) after one update: gradients averaged over the devices, the
  optimizer, the divergence guard's learning-rate scale, then applied."""
  grads = jax.lax.pmean(grads, AXIS)
  updates, opt_state = tx.update(grads, opt_state, params)
  return optax.apply_updates(params, scale_updates(updates, lr_scale)), opt_state


def two_player_grads(loss_fn: Callable, d_params, g_params, *args):
  """((d_loss, g_loss), d_grads, g_grads, aux) from one forward pass of
  loss_fn(d_params, g_params, *args) -> ((d_loss, g_loss), aux).

  D's gradient is of d_loss only and G's of g_loss only: one vjp, pulled back with
  cotangents (1, 0) and (0, 1), as magvit's VQGAN trainer does. For objectives whose G loss
  needs more than the fake images (cycle consistency, feature matching, content losses).
  """
  (d_loss, g_loss), vjp, aux = jax.vjp(lambda d, g: loss_fn(d, g, *args), d_params, g_params,
                                       has_aux=True)
  one, zero = jnp.ones_like(d_loss), jnp.zeros_like(d_loss)
  d_grads, _ = vjp((one, zero))
  _, g_grads = vjp((zero, one))
  return (d_loss, g_loss), d_grads, g_grads, aux


def add_ema_fields(train: ml_collections.ConfigDict, decay: float) -> None:
  """The fields of an EMA of weights in config.train (GAN: G's; semi-supervised: D's)."""
  train.ema_decay = decay  # Decay per step (see ema_warmup).
  train.ema_halflife_images = 0  # If > 0, the decay instead: 0.5 ** (batch / this).
  train.ema_rampup = 0.0  # If > 0, that half-life is at most this x the images seen so far.
  train.ema_start_step = 0  # Until this step the EMA equals the weights.
  train.ema_warmup = True  # Decay min(decay, (1+t)/(10+t)), t counted from the start step.


def check_ema_fields(config: ml_collections.ConfigDict) -> None:
  fields.in_unit_interval('train.ema_decay', config.train.ema_decay)
  fields.non_negative(config, 'train.ema_halflife_images', 'train.ema_start_step',
                      'train.ema_rampup')


def ema_decay_at(step: jax.Array, train: ml_collections.ConfigDict) -> jax.Array:
  """The EMA decay of update `step` (counted from 0; the EMA starts at train.ema_start_step).

  ema_halflife_images > 0 gives the decay whose weight halves every that many
  images (StyleGAN's ema_kimg), with ema_rampup at most that times the images seen before
  this update (stylegan2-ada's ramp-up: at step 0 the EMA is the weights); the warm-up
  keeps early averages from being dominated by the random initial weights
  (tf.train.ExponentialMovingAverage).
  """
  if train.ema_halflife_images > 0:
    halflife = jnp.float32(train.ema_halflife_images)
    if train.ema_rampup > 0:
      seen = (step - train.ema_start_step).astype(jnp.float32) * train.batch_size
      halflife = jnp.minimum(halflife, seen * train.ema_rampup)
    decay = 0.5**(train.batch_size / jnp.maximum(halflife, 1e-8))
  else:
    decay = train.ema_decay
  if train.ema_warmup:
    since = (step - train.ema_start_step).astype(jnp.float32)
    decay = jnp.minimum(decay, (1.0 + since) / (10.0 + since))
  return jnp.asarray(decay, jnp.float32)


def update_ema(ema_params, params, step: jax.Array, train: ml_collections.ConfigDict):
  """The EMA after the update at `step`: the weights themselves before the start step."""
  decay = ema_decay_at(step, train)
  started = step >= train.ema_start_step
  return jax.tree.map(lambda e, p: jnp.where(started, decay * e + (1.0 - decay) * p, p),
                      ema_params, params)


def all_finite(tree) -> jax.Array:
  """No NaN/Inf in the tree's floating-point leaves (True for a tree without any)."""
  floats = [x for x in jax.tree.leaves(tree) if jnp.issubdtype(x.dtype, jnp.inexact)]
  return jnp.all(jnp.stack([jnp.all(jnp.isfinite(x)) for x in floats])) if floats else (
      jnp.bool_(True))


def finite_flags(metrics: dict, parts: dict) -> dict[str, jax.Array]:
  """The divergence guard's flags: each metric, and each named part of the state.

  The state is identical on all devices (gradients and batch statistics are averaged),
  so a local check suffices.
  """
  return {**{k: jnp.isfinite(v) for k, v in metrics.items()},
          **{name: all_finite(tree) for name, tree in parts.items()}}

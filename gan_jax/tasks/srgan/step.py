"""SRGAN's objective and step (Ledig et al. 2017): G minimises pixel_weight x the pixel loss
(MSE or L1) + content_weight x the mean square of a frozen network's activations of the output
against the target's + adversarial_weight x its adversarial loss; D judges HR images against
G's outputs. adversarial_weight 0 is SRResNet: D neither runs nor trains. Both players'
gradients come from one forward pass (updates.two_player_grads)."""
from typing import Callable

import flax.linen as nn
import jax.numpy as jnp
import ml_collections
import optax

from gan_jax.objectives import losses
from gan_jax.tasks.pix2pix import step as pix2pix_step
from gan_jax.tasks.pix2pix.state import Pix2PixState
from gan_jax.training import updates

PIXEL = {'mse': lambda x, y: jnp.mean(jnp.square(x - y)),
         'l1': lambda x, y: jnp.mean(jnp.abs(x - y))}


def make_loss_fn(generator: nn.Module, discriminator: nn.Module | None,
                 config: ml_collections.ConfigDict, content_features: Callable | None) -> Callable:
  """loss_fn(d_params, g_params, state, low, high) -> ((d_loss, g_loss), (metrics, G's and D's
  new batch stats)); content_features(images) -> the frozen network's activations (None: no
  content loss)."""
  loss = config.loss
  gan_loss, pixel = losses.get_loss(loss.name), PIXEL[loss.pixel]

  def d_apply(d_params, batch_stats, images):
    logits, new = discriminator.apply({'params': d_params, 'batch_stats': batch_stats}, images,
                                      train=True, mutable=['batch_stats'])
    return logits, new.get('batch_stats', batch_stats)

  def loss_fn(d_params, g_params, state: Pix2PixState, low, high):
    fake, g_new = generator.apply({'params': g_params, 'batch_stats': state.g_batch_stats}, low,
                                  train=True, mutable=['batch_stats'])
    terms = {'pixel': pixel(fake, high)}
    g_loss = loss.pixel_weight * terms['pixel']
    if content_features is not None:
      terms['content'] = jnp.mean(jnp.square(content_features(fake)
                                             - content_features(high)))
      g_loss = g_loss + loss.content_weight * terms['content']
    d_loss, d_stats = jnp.zeros_like(g_loss), state.d_batch_stats
    if loss.adversarial_weight:
      real_logits, d_stats = d_apply(d_params, d_stats, high)
      fake_logits, d_stats = d_apply(d_params, d_stats, fake)
      d_loss = gan_loss.d_loss(real_logits, fake_logits)
      terms['adversarial'] = gan_loss.g_loss(fake_logits)
      g_loss = g_loss + loss.adversarial_weight * terms['adversarial']
    return (d_loss, g_loss), (terms, g_new.get('batch_stats', state.g_batch_stats), d_stats)
  return loss_fn


def make_step_fn(loss_fn: Callable, config: ml_collections.ConfigDict,
                 g_tx: optax.GradientTransformation,
                 d_tx: optax.GradientTransformation) -> Callable:
  """(state, batch) -> (state, metrics, finite), inside pmap over AXIS: one update of G and
  (unless the adversarial weight is 0) one of D on a batch of LR/HR pairs (batch['data'])."""
  train_d = bool(config.loss.adversarial_weight)

  def train_step(state: Pix2PixState, batch: dict):
    low, high = batch['data']['input'][0], batch['data']['image'][0]
    return pix2pix_step.update_both(state, updates.two_player_grads(
        loss_fn, state.d_params, state.g_params, state, low, high), config, g_tx, d_tx,
        train_d)
  return train_step

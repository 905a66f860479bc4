"""GANomaly (Akcay et al. 2018): an encoder-decoder-encoder G and a DCGAN D, both trained on
normal images; a test image is anomalous when its code and its reconstruction's code differ.
One step: G's and D's gradients from one forward pass (updates.two_player_grads)."""
from typing import Callable

import flax.linen as nn
import jax
import jax.numpy as jnp
import ml_collections
import optax

from gan_jax.common.device_axis import AXIS
from gan_jax.objectives import anomaly, losses
from gan_jax.tasks.anomaly.state import GANomalyState
from gan_jax.training import updates


def loss_weights(config: ml_collections.ConfigDict) -> tuple[float, float, float]:
  a = config.anomaly
  return a.adversarial_weight, a.contextual_weight, a.latent_weight


def make_loss_fn(generator: nn.Module, discriminator: nn.Module,
                 config: ml_collections.ConfigDict) -> Callable:
  """loss_fn(d_params, g_params, state, images) -> ((d_loss, g_loss), (metrics, new batch
  stats)): both networks in train mode; D sees the real batch, then the reconstructions."""
  weights = loss_weights(config)

  def d_apply(d_params, batch_stats, x):
    labels = jnp.zeros((x.shape[0],), jnp.int32)
    (logits, _), new = discriminator.apply({'params': d_params, 'batch_stats': batch_stats}, x,
                                           labels, train=True,
                                           mutable=['batch_stats', 'intermediates'])
    return logits, new['intermediates']['features'][0], new.get('batch_stats', batch_stats)

  def loss_fn(d_params, g_params, state: GANomalyState, images):
    (recon, z, z_reencoded), g_new = generator.apply(
        {'params': g_params, 'batch_stats': state.g_batch_stats}, images, train=True,
        mutable=['batch_stats'])
    real_logits, real_features, d_stats = d_apply(d_params, state.d_batch_stats, images)
    fake_logits, fake_features, d_stats = d_apply(d_params, d_stats, recon)
    d_loss = losses.LOSSES['non_saturating'].d_loss(real_logits, fake_logits)
    g_loss, terms = anomaly.ganomaly_g_loss(images, recon, real_features, fake_features, z,
                                            z_reencoded, weights)
    return (d_loss, g_loss), (terms, g_new.get('batch_stats', state.g_batch_stats), d_stats)
  return loss_fn


def make_step_fn(loss_fn: Callable, g_tx: optax.GradientTransformation,
                 d_tx: optax.GradientTransformation) -> Callable:
  """(state, batch) -> (state, metrics, finite), inside pmap over AXIS: one update of G and
  one of D on one batch of normal training images (batch['data'])."""
  def train_step(state: GANomalyState, batch: dict):
    images = batch['data']['image'][0]
    (d_loss, g_loss), d_grads, g_grads, (terms, g_stats, d_stats) = updates.two_player_grads(
        loss_fn, state.d_params, state.g_params, state, images)
    g_params, g_opt_state = updates.apply_gradients(g_grads, state.g_params, state.g_opt_state,
                                                    g_tx, state.lr_scale)
    d_params, d_opt_state = updates.apply_gradients(d_grads, state.d_params, state.d_opt_state,
                                                    d_tx, state.lr_scale)
    metrics = jax.lax.pmean({'g_loss': g_loss, 'd_loss': d_loss, **terms}, AXIS)
    state = state.replace(step=state.step + 1, g_params=g_params, g_opt_state=g_opt_state,
                          g_batch_stats=g_stats, d_params=d_params, d_opt_state=d_opt_state,
                          d_batch_stats=d_stats)
    return state, metrics, updates.finite_flags(metrics, {'g_params': g_params,
                                                          'd_params': d_params})
  return train_step


def make_score_fn(generator: nn.Module) -> tuple[Callable, Callable]:
  """score(g_params, g_batch_stats, images) -> GANomaly's score per image (eval mode: each
  image's score is its own), jitted; reconstruct(...) -> G(x)."""
  def outputs(g_params, g_batch_stats, images):
    return generator.apply({'params': g_params, 'batch_stats': g_batch_stats}, images,
                           train=False)

  @jax.jit
  def score(g_params, g_batch_stats, images):
    _, z, z_reencoded = outputs(g_params, g_batch_stats, images)
    return anomaly.ganomaly_score(z, z_reencoded)
  return score, jax.jit(lambda *args: outputs(*args)[0])

"""f-AnoGAN's encoder stage (izi_f): E learns to map images to the z that the frozen G
reconstructs them from, judged in pixels and in the frozen critic's features; the same
residuals score test images in one forward pass."""
from typing import Callable

import flax.linen as nn
import jax
import jax.numpy as jnp
import ml_collections
import optax

from gan_jax.common.device_axis import AXIS
from gan_jax.objectives import anomaly
from gan_jax.tasks.anomaly.state import AnomalyState
from gan_jax.tasks.gan import latent_search
from gan_jax.training import updates


def make_residuals_fn(generator: nn.Module, discriminator: nn.Module,
                      encoder: nn.Module) -> Callable:
  """residuals(e_params, state, images) -> (reconstructions, A_R, A_D) per image. G and D run
  in eval mode (batch norm's running averages), so an image's score is its own."""
  def features(state: AnomalyState, x):
    return latent_search.discriminator_features(discriminator, state.d_params,
                                                state.d_batch_stats, x)

  def residuals(e_params, state: AnomalyState, images):
    z = encoder.apply({'params': e_params}, images, train=False)
    labels = jnp.zeros((images.shape[0],), jnp.int32)
    recon = generator.apply({'params': state.g_params, 'batch_stats': state.g_batch_stats}, z,
                            labels, train=False)
    image_residual, feature_residual = anomaly.izif_residuals(
        images, recon, features(state, images), features(state, recon))
    return recon, image_residual, feature_residual
  return residuals


def make_step_fn(config: ml_collections.ConfigDict, residuals: Callable,
                 e_tx: optax.GradientTransformation) -> Callable:
  """(state, batch) -> (state, metrics, finite), inside pmap over AXIS: one update of E on
  one batch of normal training images (batch['data'])."""
  kappa = config.anomaly.kappa

  def e_loss_fn(e_params, state, images):
    _, image_residual, feature_residual = residuals(e_params, state, images)
    loss = jnp.mean(anomaly.izif_score(image_residual, feature_residual, kappa))
    return loss, {'image_residual': jnp.mean(image_residual),
                  'feature_residual': jnp.mean(feature_residual)}

  def train_step(state: AnomalyState, batch: dict):
    images = batch['data']['image'][0]
    (loss, metrics), grads = jax.value_and_grad(e_loss_fn, has_aux=True)(
        state.e_params, state, images)
    e_params, e_opt_state = updates.apply_gradients(grads, state.e_params, state.e_opt_state,
                                                    e_tx, state.lr_scale)
    ema = updates.update_ema(state.ema_e_params, e_params, state.step, config.train)
    metrics = jax.lax.pmean(metrics | {'e_loss': loss}, AXIS)
    state = state.replace(step=state.step + 1, e_params=e_params, e_opt_state=e_opt_state,
                          ema_e_params=ema)
    return state, metrics, updates.finite_flags(
        metrics, {'e_params': e_params, 'ema_e_params': ema})

  return train_step

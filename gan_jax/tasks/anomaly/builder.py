"""The anomaly task's models for the data a run reads, by method (config.anomaly.method):
networks, state, step, the 'anomaly_scores' prediction, reconstructions and --mode score."""
import functools
from typing import Callable, NamedTuple

import jax
import ml_collections
import numpy as np
import optax

from gan_jax import models
from gan_jax.common import plots
from gan_jax.common.device_axis import AXIS
from gan_jax.data import pipeline
from gan_jax.eval.evaluators import anomaly_detection
from gan_jax.models.dcgan import DCGANEncoder
from gan_jax.models.ganomaly import GANomalyGenerator
from gan_jax.models.layers import LayerSpec
from gan_jax.objectives import anomaly
from gan_jax.tasks.anomaly import f_anogan, ganomaly
from gan_jax.tasks.anomaly import state as state_lib
from gan_jax.tasks.gan.state import param_count
from gan_jax.training import optimizers
from gan_jax.training.task import Built


class Method(NamedTuple):
  state: object
  step_fn: Callable
  anomaly_scores: Callable  # (host state, 'ema' | 'raw', image batches) -> scores per batch.
  reconstruct: Callable  # (host state, images) -> what the method reconstructs them as.
  summary: str


def adam(config: ml_collections.ConfigDict, lr: float) -> optax.GradientTransformation:
  return optimizers.adam(lr, config.optim, config.train.num_steps)


def create_encoder(config: ml_collections.ConfigDict, image_size: int,
                   axis_name: str | None = None) -> DCGANEncoder:
  """An encoder that mirrors D's body (config.encoder), to z of config.model.z_dim."""
  return DCGANEncoder(image_size, config.encoder.features, config.model.z_dim,
                      LayerSpec(config.encoder.norm, axis_name=axis_name),
                      models.dense_hidden(config.model, config.encoder.features))


def build_f_anogan(config: ml_collections.ConfigDict, shape: tuple[int, ...]) -> Method:
  """E for the frozen G and D of config.init_from. G and D only ever run in eval mode, and E
  has no batch statistics, so these networks without a device axis also serve the step."""
  generator, discriminator = models.create_models(config.model, shape)
  encoder = create_encoder(config, shape[0])
  e_tx = adam(config, config.optim.e_lr)
  state = state_lib.create_state(jax.random.PRNGKey(config.seed), generator, discriminator,
                                 encoder, e_tx, config.model.z_dim, shape)
  residuals = f_anogan.make_residuals_fn(generator, discriminator, encoder)
  kappa = config.anomaly.kappa

  @jax.jit
  def score_images(e_params, state, images):
    _, image_residual, feature_residual = residuals(e_params, state, images)
    return anomaly.izif_score(image_residual, feature_residual, kappa)

  def anomaly_scores(host_state, which: str, image_batches):
    """f-AnoGAN's score of each image of each batch, by the 'ema' or 'raw' encoder."""
    on_device = jax.device_put(host_state)  # Once, not with every batch.
    e_params = {'ema': on_device.ema_e_params, 'raw': on_device.e_params}[which]
    for images in image_batches:
      yield np.asarray(score_images(e_params, on_device, images))

  reconstruct = jax.jit(lambda state, images: residuals(state.ema_e_params, state, images)[0])
  return Method(state, f_anogan.make_step_fn(config, residuals, e_tx), anomaly_scores,
                reconstruct,
                f'E {param_count(state.e_params):,} parameters (G '
                f'{param_count(state.g_params):,} and D {param_count(state.d_params):,}, frozen)')


def create_ganomaly_networks(config: ml_collections.ConfigDict, shape: tuple[int, ...],
                             axis_name: str | None = None):
  """(GANomaly's G, D): G's decoder is config.model's G, its encoders config.encoder's."""
  decoder, discriminator = models.create_models(config.model, shape, axis_name=axis_name)
  generator = GANomalyGenerator(create_encoder(config, shape[0], axis_name), decoder,
                                create_encoder(config, shape[0], axis_name))
  return generator, discriminator


def build_ganomaly(config: ml_collections.ConfigDict, shape: tuple[int, ...]) -> Method:
  generator, discriminator = create_ganomaly_networks(config, shape)
  g_tx, d_tx = adam(config, config.optim.e_lr), adam(config, config.optim.d_lr)
  state = state_lib.create_ganomaly_state(jax.random.PRNGKey(config.seed), generator,
                                          discriminator, g_tx, d_tx, shape)
  loss_fn = ganomaly.make_loss_fn(*create_ganomaly_networks(config, shape, AXIS), config)
  score, reconstruct = ganomaly.make_score_fn(generator)

  def anomaly_scores(host_state, which: str, image_batches):
    """GANomaly's score of each image of each batch (G keeps no EMA: 'raw' only)."""
    del which  # The task's check allows 'raw' only.
    g_params, g_batch_stats = jax.device_put((host_state.g_params, host_state.g_batch_stats))
    for images in image_batches:
      yield np.asarray(score(g_params, g_batch_stats, images))

  return Method(state, ganomaly.make_step_fn(loss_fn, g_tx, d_tx), anomaly_scores,
                lambda state, images: reconstruct(state.g_params, state.g_batch_stats, images),
                f'G {param_count(state.g_params):,} parameters, '
                f'D {param_count(state.d_params):,} parameters')


METHODS = {'f_anogan': build_f_anogan, 'ganomaly': build_ganomaly}


def build(config: ml_collections.ConfigDict, specs: dict, streams: dict | None = None) -> Built:
  shape = specs['data'].shape
  method = METHODS[config.anomaly.method](config, shape)
  return Built(
      state=method.state,
      step_fn=method.step_fn,
      predict={'anomaly_scores': method.anomaly_scores},
      pictures=make_pictures(config, method.reconstruct, shape, streams),
      modes={'score': functools.partial(anomaly_detection.write_scores, config,
                                        method.anomaly_scores)},
      summary=f'{config.anomaly.method}: {method.summary}, normal classes '
              f'{tuple(config.data.classes)}')


def make_pictures(config: ml_collections.ConfigDict, reconstruct: Callable,
                  shape: tuple[int, ...], streams: dict | None):
  """(host state, step) -> {'reconstructions': training images over their reconstructions}."""
  num = config.train.num_grid_samples
  images = (pipeline.first_examples(streams['data'], num)[0] if streams is not None
            else np.zeros((num,) + tuple(shape), np.float32))

  def reconstructions(host_state, step):
    del step
    recon = np.asarray(reconstruct(host_state, images))
    return {'reconstructions': plots.image_rows(np.concatenate([images, recon]), 2)}
  return reconstructions

"""The anomaly task's models for the data a run reads: the GAN's networks, the encoder, the
state, the step, the 'anomaly_scores' prediction, reconstructions and --mode score."""
import functools
import logging
from pathlib import Path

import jax
import ml_collections
import numpy as np
import optax

from gan_jax import models
from gan_jax.data import pipeline
from gan_jax.eval import context
from gan_jax.eval.evaluators import anomaly_detection
from gan_jax.models.dcgan import DCGANEncoder
from gan_jax.models.layers import LayerSpec
from gan_jax.objectives import anomaly
from gan_jax.tasks.anomaly import f_anogan
from gan_jax.tasks.anomaly import state as state_lib
from gan_jax.tasks.gan.state import param_count
from gan_jax.tools import plots
from gan_jax.training import files, optimizers
from gan_jax.training.task import Built


def create_networks(config: ml_collections.ConfigDict, image_shape: tuple[int, ...]):
  """(generator, discriminator, encoder). G and D only ever run in eval mode, so these
  networks without a device axis also serve the step."""
  generator, discriminator = models.create_models(config.model, image_shape)
  encoder = DCGANEncoder(image_shape[0], config.encoder.features, config.model.z_dim,
                         LayerSpec(config.encoder.norm),
                         models.dense_hidden(config.model, config.encoder.features))
  return generator, discriminator, encoder


def build(config: ml_collections.ConfigDict, specs: dict, streams: dict | None = None) -> Built:
  shape = specs['data'].shape
  generator, discriminator, encoder = create_networks(config, shape)
  optim = config.optim
  e_tx = optax.adam(optimizers.learning_rate_schedule(optim.e_lr, optim, config.train.num_steps),
                    b1=optim.b1, b2=optim.b2)
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

  return Built(
      state=state,
      step_fn=f_anogan.make_step_fn(config, residuals, e_tx),
      predict={'anomaly_scores': anomaly_scores},
      pictures=make_pictures(config, residuals, shape, streams),
      modes={'score': functools.partial(write_scores, config, anomaly_scores)},
      summary=f'E {param_count(state.e_params):,} parameters (G '
              f'{param_count(state.g_params):,} and D {param_count(state.d_params):,}, frozen), '
              f'normal classes {tuple(config.data.classes)}')


def make_pictures(config: ml_collections.ConfigDict, residuals, shape: tuple[int, ...],
                  streams: dict | None):
  """(host state, step) -> {'reconstructions': training images over G(E(x)) of the EMA E}."""
  num = config.train.num_grid_samples
  images = (pipeline.first_examples(streams['data'], num)[0] if streams is not None
            else np.zeros((num,) + tuple(shape), np.float32))
  reconstruct = jax.jit(lambda e_params, state: residuals(e_params, state, images)[0])

  def reconstructions(host_state, step):
    del step
    recon = np.asarray(reconstruct(host_state.ema_e_params, host_state))
    return {'reconstructions': plots.image_rows(np.concatenate([images, recon]), 2)}
  return reconstructions


def write_scores(config: ml_collections.ConfigDict, anomaly_scores, host_state, workdir: Path,
                 options: dict) -> Path:
  """--mode score: workdir/scores_step_N/scores.npz with 'scores', 'labels' and 'is_anomaly'
  of every test image (higher: more anomalous). options: generator ('ema' or 'raw')."""
  source = context.reference_source(config, 'test', all_classes=True)
  scored = anomaly_detection.score_split(
      functools.partial(anomaly_scores, host_state, options['generator']), source,
      tuple(config.data.classes), source.num_examples)
  out = workdir / f'scores_step_{int(host_state.step):07d}'
  out.mkdir(exist_ok=True)
  files.write_npz(out / 'scores.npz', **scored)
  logging.info('Wrote the %s encoder\'s scores of %d test images (%d anomalous) to %s.',
               options['generator'], len(scored['scores']), int(scored['is_anomaly'].sum()), out)
  return out

"""The GAN task's models for the data a run reads: networks, optimizers, state, step,
predictions, pictures, --mode sample and (AnoGAN) --mode score."""
import functools
import logging
from pathlib import Path

import jax
import ml_collections
import numpy as np

from gan_jax import models
from gan_jax.common import files, pixels, plots
from gan_jax.common.device_axis import AXIS
from gan_jax.config.errors import ConfigError
from gan_jax.data import pipeline
from gan_jax.eval.evaluators import anomaly_detection
from gan_jax.models.layers import BATCH_NORM_MOMENTUM
from gan_jax.objectives import packing
from gan_jax.tasks.gan import config as gan_config
from gan_jax.tasks.gan import latent_search, pictures, sampling, step
from gan_jax.tasks.gan import state as state_lib
from gan_jax.training import optimizers
from gan_jax.training.task import Built

NUM_2D_POINTS = 2_500  # Samples per 2D picture, as in PacGAN's protocol.


def create_optimizers(config: ml_collections.ConfigDict):
  """Returns (g_tx, d_tx): Adam with each network's own schedule (D: n_critic updates a step)."""
  optim, train = config.optim, config.train
  return (optimizers.adam(optim.g_lr, optim, train.num_steps),
          optimizers.adam(optim.d_lr, optim, train.num_steps, train.n_critic))


def create_gan(config: ml_collections.ConfigDict, data_shape: tuple[int, ...],
               num_classes: int | None):
  """(generator, discriminator, g_tx, d_tx, initial state) for examples of `data_shape`.

  These float32 models without a device axis sample and evaluate; the step
  gets its own (models.create_models with AXIS and the compute dtype).
  """
  generator, discriminator = models.create_models(config.model, data_shape, num_classes or 0)
  g_tx, d_tx = create_optimizers(config)
  state = state_lib.create_state(jax.random.PRNGKey(config.seed), generator, discriminator,
                                 g_tx, d_tx, config.model.z_dim,
                                 packing.packed_shape(data_shape, config.model.pack),
                                 config.augment.ada_p, step.lazy_metric_names(config))
  return generator, discriminator, g_tx, d_tx, state


def build(config: ml_collections.ConfigDict, specs: dict) -> Built:
  spec = specs['data']
  generator, discriminator, g_tx, d_tx, state = create_gan(config, spec.shape,
                                                           spec.num_classes)
  g_step_model, d_step_model = models.create_models(
      config.model, spec.shape, spec.num_classes or 0, axis_name=AXIS,
      dtype=models.DTYPES[config.train.precision])
  generate = sampling.make_generate_fn(generator)
  classes = models.conditional_classes(generator)
  variables = make_variables_fn(config, generator, classes)

  def predict(host_state, which: str, num: int):
    return sampling.sample_stream(generate, variables(host_state, which), num,
                                  config.model.z_dim, config.seed, classes)

  def predict_labelled(host_state, which: str, num: int):
    return sampling.labelled_sample_stream(generate, variables(host_state, which), num,
                                           config.model.z_dim, config.seed, classes)

  search = latent_search.make_search_fn(generator, discriminator, config.anogan)

  def predict_anomaly_scores(host_state, which: str, image_batches):
    return latent_search.anomaly_scores(search, variables(host_state, which), host_state,
                                        image_batches, config.model.z_dim, config.seed)

  d_logits = jax.jit(lambda d_params, d_batch_stats, images, labels: discriminator.apply(
      {'params': d_params, 'batch_stats': d_batch_stats}, images, labels, train=False)[0])

  def discriminate(host_state, which: str, batches):
    """D's logits (eval mode) of each (images, labels) batch; D has one set of weights. A
    batch runs as a multiple of the training batch, filled up with its own first images, so
    a minibatch-std D sees whole groups."""
    del which
    for images, labels in batches:
      filled = np.arange(-(-len(images) // config.train.batch_size) * config.train.batch_size)
      filled %= len(images)
      yield np.asarray(d_logits(host_state.d_params, host_state.d_batch_stats, images[filled],
                                labels[filled]))[:len(images)]

  summary = (f'G {state_lib.param_count(state.g_params):,} parameters, '
             f'D {state_lib.param_count(state.d_params):,} parameters')
  return Built(
      state=state,
      step_fn=step.make_step_fn(config, g_step_model, d_step_model, g_tx, d_tx),
      predict={prediction: {'labelled_images': predict_labelled,
                            'anomaly_scores': predict_anomaly_scores,
                            'discriminate': discriminate}.get(prediction, predict)
               for prediction in gan_config.predictions(config)},
      pictures=make_pictures(config, generate, variables, discriminator, classes),
      modes={'sample': functools.partial(write_samples, config, generator, variables, classes),
             'score': functools.partial(anomaly_detection.write_scores, config,
                                        predict_anomaly_scores)},
      summary=summary,
      sampling_protocol=functools.partial(sampling_protocol, config, state))


def make_variables_fn(config: ml_collections.ConfigDict, generator, classes: int):
  """(host state, 'ema' or 'raw') -> the (params, batch_stats) G samples with in eval mode;
  the EMA G's batch norms with their standing statistics (sampling.standing_statistics)."""
  moments = sampling.make_batch_moments_fn(generator)
  standing = functools.partial(
      sampling.standing_statistics, moments, z_dim=config.model.z_dim, classes=classes,
      seed=config.seed, num_batches=config.train.standing_stats_batches,
      batch_size=config.train.batch_size)
  return lambda host_state, which: sampling.generator_variables(host_state, which, standing)


def sampling_protocol(config: ml_collections.ConfigDict, state, which: str) -> dict:
  """How the `which` G's samples were made, for every metric's protocol."""
  if not sampling.has_batch_norm(state.g_batch_stats):
    return {'g_mode': 'eval (no batch norm)'}
  if which == 'raw':
    return {'g_mode': 'eval', 'g_batch_norm_statistics': 'running averages of training '
            f'(momentum {BATCH_NORM_MOMENTUM})'}
  return {'g_mode': 'eval', 'g_batch_norm_statistics': (
      f'standing: pooled over {config.train.standing_stats_batches} batches of '
      f'{config.train.batch_size} EMA samples in train mode')}


def make_pictures(config: ml_collections.ConfigDict, generate, variables, discriminator,
                  classes: int):
  """(host state, step) -> {'samples': the EMA G's grid, or its 2D plot over D's surface}."""
  is_2d = gan_config.is_2d(config)
  num = NUM_2D_POINTS if is_2d else config.train.num_grid_samples
  z, labels, rows = sampling.grid_inputs(config.seed, num, config.model.z_dim, classes)
  if not is_2d:
    return lambda host_state, step: {'samples': pictures.sample_grid(
        sampling.generate_from(generate, variables(host_state, 'ema'), z, labels), rows)}
  real = pipeline.MixtureSource(config.data.name, config.seed).read(np.arange(NUM_2D_POINTS))[0]
  discriminate = sampling.make_discriminate_fn(discriminator)

  def surface(host_state, step):
    generated = sampling.generate_from(generate, variables(host_state, 'ema'), z, labels)
    return {'samples': pictures.decision_surface(
        step, host_state.d_params, host_state.d_batch_stats, generated, real, config.data.name,
        discriminate, config.model.pack)}
  return surface


def write_samples(config: ml_collections.ConfigDict, generator, variables, classes: int,
                  host_state, workdir: Path, options: dict) -> Path:
  """--mode sample: workdir/samples_step_N/ with samples.npz (streamed) and, for images,
  grid.png and interpolation.png. options: num_samples, generator ('ema' or 'raw'),
  truncation_psi (StyleGAN2's G only; 1: off)."""
  num_samples, which = options['num_samples'], options['generator']
  psi = options.get('truncation_psi', 1.0)
  if psi != 1:
    if config.model.name != 'stylegan2':
      raise ConfigError(f"--truncation_psi={psi} is for config.model.name='stylegan2' "
                        f'(here {config.model.name!r}); leave it at 1.')
    generator = generator.clone(truncation_psi=psi)
  generate = sampling.make_generate_fn(generator)
  out = workdir / f'samples_step_{int(host_state.step):07d}'
  out.mkdir(exist_ok=True)
  g_variables = variables(host_state, which)
  stream = sampling.sample_stream(generate, g_variables, num_samples, config.model.z_dim,
                                  config.seed, classes)
  if gan_config.is_2d(config):
    files.write_npz_stream(out / 'samples.npz', 'samples', stream, num_samples)
  else:
    files.write_npz_stream(out / 'samples.npz', 'images', map(pixels.to_uint8, stream),
                           num_samples)
    z, labels, rows = sampling.grid_inputs(config.seed, 64, config.model.z_dim, classes)
    grid = sampling.generate_from(generate, g_variables, z, labels)
    plots.save_png(pictures.sample_grid(grid, rows), out / 'grid.png')
    rows, steps = 8, 10
    z = sampling.interpolation_noise(config.seed, rows, steps, config.model.z_dim)
    # Each walk stays in one class: row r in class r (mod classes).
    labels = np.repeat(sampling.balanced_labels(0, rows, classes), steps)
    walk = sampling.generate_from(generate, g_variables, z, labels)
    plots.save_png(plots.image_rows(walk, rows), out / 'interpolation.png')
  logging.info('Wrote %d samples of the %s generator at step %d to %s.', num_samples, which,
               int(host_state.step), out)
  return out

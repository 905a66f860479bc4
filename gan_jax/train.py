"""Training loop: train_and_evaluate(config, workdir) does one whole run."""
import json
import logging
import os
from pathlib import Path

import jax
import ml_collections
import numpy as np
from clu import metric_writers, periodic_actions

from gan_jax import (checkpointing, evaluation, history, input_pipeline, mixtures, models,
                     optimizers, plots, sampling, snapshots, validation)
from gan_jax import state as state_lib
from gan_jax import train_step as train_step_lib

NUM_2D_POINTS = 2_500  # Samples per 2D snapshot, as in PacGAN's protocol.


def write_config_json(config: ml_collections.ConfigDict, workdir: Path) -> None:
  """Atomically, so a kill never leaves half a config."""
  tmp = workdir / 'config.json.tmp'
  tmp.write_text(json.dumps(config.to_dict(), indent=2, sort_keys=True))
  os.replace(tmp, workdir / 'config.json')


def check_finite(scalars: dict[str, float], step: int) -> None:
  for name, value in scalars.items():
    if not np.isfinite(value):
      raise FloatingPointError(f'train_{name} is {value} at step {step}; stopping before '
                               'anything is checkpointed from it.')


def create_gan(config: ml_collections.ConfigDict, data_shape: tuple[int, ...]):
  """(generator, discriminator, g_tx, d_tx, initial state) for examples of `data_shape`."""
  generator, discriminator = models.create_models(config.model, data_shape)
  g_tx, d_tx = optimizers.create_optimizers(config)
  state = state_lib.create_state(jax.random.PRNGKey(config.seed), generator, discriminator,
                                 g_tx, d_tx, config.model.z_dim, data_shape)
  return generator, discriminator, g_tx, d_tx, state


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str) -> state_lib.GANState:
  """Trains (or resumes) the GAN of `config` in `workdir`; returns the final state (host copy)."""
  workdir = Path(workdir)
  is_chief = jax.process_index() == 0
  validation.check_config(config)

  # ---------------------------------------------------------------- input
  source = input_pipeline.create_source(config.data, config.seed)
  data_shape = source.spec.shape
  validation.check_data_fit(config, data_shape, jax.process_count(), jax.local_device_count())
  evaluation.check_references(config)
  is_2d = config.data.name in mixtures.MIXTURES

  # ---------------------------------------------------------------- logging
  workdir.mkdir(parents=True, exist_ok=True)
  writer = metric_writers.create_default_writer(workdir, just_logging=not is_chief)
  if is_chief:
    write_config_json(config, workdir)

  # ---------------------------------------------------------------- model & optimizers
  generator, discriminator, g_tx, d_tx, state = create_gan(config, data_shape)
  logging.info('Data %s, example shape %s; G %s parameters, D %s parameters.', config.data.name,
               data_shape, f'{state_lib.param_count(state.g_params):,}',
               f'{state_lib.param_count(state.d_params):,}')

  # ---------------------------------------------------------------- checkpoint
  manager = checkpointing.create_manager(workdir, config.train.max_to_keep)
  restored = checkpointing.restore_latest(manager, jax.device_get(state))
  if restored is not None:
    state = restored
    logging.info('Resumed from %s at step %d.', manager.directory, int(state.step))
  start_step = int(state.step)
  if start_step == 0:
    writer.write_hparams(config.to_dict())

  # ---------------------------------------------------------------- update step
  generator_pmap, discriminator_pmap = models.create_models(
      config.model, data_shape, axis_name=train_step_lib.AXIS)
  train_step = train_step_lib.make_train_step(config, generator_pmap, discriminator_pmap,
                                              g_tx, d_tx)
  generate = sampling.make_generate_fn(generator)
  discriminate = sampling.make_discriminate_fn(discriminator)
  num_snapshot = NUM_2D_POINTS if is_2d else config.train.num_grid_samples
  snapshot_z = sampling.fixed_noise(config.seed, num_snapshot, config.model.z_dim)
  snapshot_real = source.read(np.arange(NUM_2D_POINTS))[0] if is_2d else None

  eval_context = evaluation.EvalContext(config, generate)
  best_manager = checkpointing.create_best_manager(workdir) if config.best.metric else None

  def run_evals(host_state, step, is_last):
    for name, ev in config.evals.items():
      if step % ev.every_steps and not is_last:
        continue
      with report_progress.timed(f'eval_{name}'):
        records = evaluation.evaluate(name, ev, host_state, step, eval_context)
      writer.write_scalars(step, {f'eval_{r["eval"]}_{r["generator"]}_{r["metric"]}': r['value']
                                  for r in records})
      if is_chief:
        for record in records:
          history.append(workdir / 'metrics.jsonl', record)
      if best_manager is not None:
        keep_if_best(best_manager, host_state, records)

  def keep_if_best(manager, host_state, records):
    name, _, metric = config.best.metric.partition('/')
    candidates = [r for r in records if (r['eval'], r['metric']) == (name, metric)]
    if not candidates:
      return
    record, best = candidates[0], checkpointing.best_record(manager)
    better = {'min': lambda a, b: a < b, 'max': lambda a, b: a > b}[config.best.mode]
    if best is None or better(record['value'], best['value']):
      checkpointing.save_best(manager, host_state, config, record)
      logging.info('New best %s = %.4f at step %d.', config.best.metric, record['value'],
                   record['step'])

  def snapshot(host_state, step):
    samples = sampling.generate_from(generate, host_state, 'ema', snapshot_z)
    if not is_chief:
      return
    if is_2d:
      snapshots.write_2d_snapshot(writer, workdir, step, host_state, samples, snapshot_real,
                                  config.data.name, discriminate)
    else:
      snapshots.write_sample_grid(writer, workdir, step, samples)

  # ---------------------------------------------------------------- loop
  num_steps = config.train.num_steps
  replicated = train_step_lib.replicate(state)
  batches = input_pipeline.batch_iterator(source, config, start_step)
  report_progress = periodic_actions.ReportProgress(num_train_steps=num_steps, writer=writer)
  history_path = workdir / 'train_metrics.jsonl'
  logging.info('Training steps %d..%d.', start_step + 1, num_steps)
  try:
    for step in range(start_step + 1, num_steps + 1):
      replicated, metrics = train_step(replicated, next(batches))
      report_progress(step)
      is_last = step == num_steps
      log_now = step % config.train.log_every_steps == 0 or is_last
      checkpoint_now = step % config.train.checkpoint_every_steps == 0 or is_last
      if log_now or checkpoint_now:
        scalars = {k: float(v) for k, v in train_step_lib.unreplicate(metrics).items()}
        check_finite(scalars, step)
      if log_now:
        writer.write_scalars(step, {f'train_{k}': v for k, v in scalars.items()})
        if is_chief:
          history.append(history_path, {'step': step, **scalars})
      snapshot_now = step % config.train.eval_every_steps == 0 or is_last
      evals_now = any(step % ev.every_steps == 0 for ev in config.evals.values()) or is_last
      if not (snapshot_now or evals_now or checkpoint_now):
        continue
      host_state = train_step_lib.unreplicate(replicated)  # One device-to-host copy a step.
      if snapshot_now:
        with report_progress.timed('snapshot'):
          snapshot(host_state, step)
      if evals_now:
        run_evals(host_state, step, is_last)
      if checkpoint_now:
        checkpointing.save(manager, host_state, config)
  finally:  # A save in flight completes even when the loop dies, so no checkpoint is lost.
    manager.wait_until_finished()
    if best_manager is not None:
      best_manager.wait_until_finished()

  # ---------------------------------------------------------------- wrap up
  if is_chief:
    records = history.read(history_path)
    if records:
      curve = plots.loss_curve_plot(records)
      plots.save_png(curve, workdir / 'loss_curve.png')
      writer.write_images(num_steps, {'loss_curve': curve[None]})
  writer.flush()
  return train_step_lib.unreplicate(replicated)

"""Training loop: train_and_evaluate(config, workdir) does one whole run."""
import json
import logging
import os
from pathlib import Path

import jax
import ml_collections
import numpy as np
from clu import metric_writers, periodic_actions

from gan_jax import (checkpointing, compiled_programs, distributed, evaluation, history,
                     input_pipeline, mixtures, models, optimizers, packing, plots, preemption,
                     sampling, snapshots, validation)
from gan_jax import state as state_lib
from gan_jax import train_step as train_step_lib

NUM_2D_POINTS = 2_500  # Samples per 2D snapshot, as in PacGAN's protocol.
DATA_FINGERPRINT_FILE = 'data_fingerprint.json'


def write_json(path: Path, payload) -> None:
  """Atomically, so a kill never leaves half a file."""
  tmp = path.with_name(path.name + '.tmp')
  tmp.write_text(json.dumps(payload, indent=2, sort_keys=True))
  os.replace(tmp, path)



class DivergenceError(FloatingPointError):
  """A loss or the weights became NaN/Inf, and config.train.on_divergence could not recover."""


def nonfinite_names(finite) -> list[str]:
  """The quantities a step's (replicated) finite flags report as NaN/Inf."""
  return [name for name, ok in train_step_lib.unreplicate(finite).items() if not ok]


def check_workdir(config: ml_collections.ConfigDict, workdir: Path) -> None:
  """Before anything is written: checkpoints in `workdir` must be of the same architecture."""
  saved = workdir / 'config.json'
  if saved.exists() and any((workdir / 'checkpoints').glob('[0-9]*')):
    validation.check_same_architecture(json.loads(saved.read_text()), config, str(saved))


def check_data_fingerprint(fingerprint: str, workdir: Path) -> None:
  """Before anything is written: checkpoints in `workdir` must come from the data read now.

  Data that changed under a run (a dataset prepared again, a folder edited, another
  data_dir) would make the resumed run another run; a run trained on wrongly prepared data
  is named here once the data is fixed.
  """
  saved = workdir / DATA_FINGERPRINT_FILE
  if not saved.exists() or not any((workdir / 'checkpoints').glob('[0-9]*')):
    return
  before = json.loads(saved.read_text())['fingerprint']
  if before != fingerprint:
    raise validation.ConfigError(
        f'The checkpoints in {workdir} were trained on data with fingerprint {before[:16]} '
        f'({saved}), but config.data now reads data with fingerprint {fingerprint[:16]}: the '
        'data changed (prepared again, files edited, another data_dir or manual_dir). Train in '
        f'a new workdir, or delete {saved} to resume on the new data anyway.')


def create_gan(config: ml_collections.ConfigDict, data_shape: tuple[int, ...],
               num_classes: int | None):
  """(generator, discriminator, g_tx, d_tx, initial state) for examples of `data_shape`.

  These float32 models without a device axis sample and evaluate; the train
  step builds its own (models.create_models with AXIS and the compute dtype).
  """
  generator, discriminator = models.create_models(config.model, data_shape, num_classes or 0)
  g_tx, d_tx = optimizers.create_optimizers(config)
  state = state_lib.create_state(jax.random.PRNGKey(config.seed), generator, discriminator,
                                 g_tx, d_tx, config.model.z_dim,
                                 packing.packed_shape(data_shape, config.model.pack))
  return generator, discriminator, g_tx, d_tx, state


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str) -> state_lib.GANState:
  """Trains (or resumes) the GAN of `config` in `workdir`; returns the final state (host copy).

  SIGTERM/SIGINT end it early with a checkpoint of the step in progress; run
  it again to resume. The run's compiled programs are released when it ends, so a
  process that trains many configs does not pile them up (compiled_programs).
  """
  try:
    return _train_and_evaluate(config, Path(workdir))
  finally:
    compiled_programs.release()


def _train_and_evaluate(config: ml_collections.ConfigDict, workdir: Path) -> state_lib.GANState:
  is_chief = distributed.is_chief()
  validation.check_config(config)
  check_workdir(config, workdir)

  # ---------------------------------------------------------------- input
  source = input_pipeline.create_source(config.data, config.seed)
  data_shape, num_classes = source.spec.shape, source.spec.num_classes
  check_data_fingerprint(source.fingerprint, workdir)
  validation.check_data_fit(config, data_shape, num_classes, jax.process_count(),
                            jax.local_device_count())
  evaluation.check_references(config)
  is_2d = config.data.name in mixtures.MIXTURES

  # ---------------------------------------------------------------- model & optimizers
  generator, discriminator, g_tx, d_tx, state = create_gan(config, data_shape, num_classes)
  logging.info('Data %s, example shape %s; G %s parameters, D %s parameters.', config.data.name,
               data_shape, f'{state_lib.param_count(state.g_params):,}',
               f'{state_lib.param_count(state.d_params):,}')

  # ---------------------------------------------------------------- checkpoint
  workdir.mkdir(parents=True, exist_ok=True)
  template = jax.device_get(state)  # What restores are shaped like.
  manager = checkpointing.create_manager(workdir, config.train.max_to_keep)
  try:
    restored = checkpointing.restore_latest(manager, template)
  except BaseException:
    manager.close()  # Its background threads would otherwise outlive the error.
    raise
  if restored is not None:
    state = restored
    logging.info('Resumed from %s at step %d.', manager.directory, int(state.step))
  start_step = int(state.step)

  # ---------------------------------------------------------------- logging
  writer = metric_writers.create_default_writer(workdir, just_logging=not is_chief)
  if is_chief:
    write_json(workdir / 'config.json', config.to_dict())
    write_json(workdir / DATA_FINGERPRINT_FILE,
               {'data': config.data.to_dict(), 'fingerprint': source.fingerprint})
  if start_step == 0:
    writer.write_hparams(config.to_dict())

  # ---------------------------------------------------------------- update step
  generator_pmap, discriminator_pmap = models.create_models(
      config.model, data_shape, num_classes or 0, axis_name=train_step_lib.AXIS,
      dtype=models.DTYPES[config.train.precision])
  train_step = train_step_lib.make_train_step(config, generator_pmap, discriminator_pmap,
                                              g_tx, d_tx)
  discriminate = sampling.make_discriminate_fn(discriminator)
  num_snapshot = NUM_2D_POINTS if is_2d else config.train.num_grid_samples
  snapshot_z, snapshot_labels, grid_rows = sampling.grid_inputs(
      config.seed, num_snapshot, config.model.z_dim, models.conditional_classes(generator))
  snapshot_real = source.read(np.arange(NUM_2D_POINTS))[0] if is_2d else None

  eval_context = evaluation.EvalContext(config, generator)  # Its generate serves snapshots too.
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
    wanted = validation.metric_name_parts(config.best.metric)
    candidates = [r for r in records if (r['eval'], r['metric'], r['generator']) == wanted]
    if not candidates:
      return
    record, best = candidates[0], checkpointing.best_record(manager)
    better = {'min': lambda a, b: a < b, 'max': lambda a, b: a > b}[config.best.mode]
    if best is None or better(record['value'], best['value']):
      checkpointing.save_best(manager, host_state, config, record)
      logging.info('New best %s = %.4f at step %d.', config.best.metric, record['value'],
                   record['step'])

  def snapshot(host_state, step):
    samples = sampling.generate_from(eval_context.generate, host_state, 'ema', snapshot_z,
                                     snapshot_labels)
    if not is_chief:
      return
    if is_2d:
      snapshots.write_2d_snapshot(writer, workdir, step, host_state, samples, snapshot_real,
                                  config.data.name, discriminate, config.model.pack)
    else:
      snapshots.write_sample_grid(writer, workdir, step, samples, grid_rows)

  def restore_after_divergence(bad: list[str], bad_step: int, restores: int):
    """The last good checkpoint with lowered learning rates, or DivergenceError."""
    message = f'{", ".join(bad)} became NaN/Inf at step {bad_step}'
    if config.train.on_divergence == 'stop' or restores >= config.train.max_divergence_restores:
      raise DivergenceError(
          f'{message}; stopped (config.train.on_divergence={config.train.on_divergence!r}, '
          f'{restores} of config.train.max_divergence_restores='
          f'{config.train.max_divergence_restores} restores used). No checkpoint holds a NaN; '
          f'the newest is step {manager.latest_step()}.')
    manager.wait_until_finished()
    good = checkpointing.restore_latest(manager, template)
    if good is None:
      raise DivergenceError(f'{message}, before any checkpoint existed to restore.')
    lr_scale = float(good.lr_scale) * config.train.divergence_lr_factor
    logging.warning('%s: restoring step %d and continuing with learning rates x%g '
                    '(restore %d of %d).', message, int(good.step), lr_scale, restores + 1,
                    config.train.max_divergence_restores)
    return good.replace(lr_scale=np.float32(lr_scale))

  # ---------------------------------------------------------------- loop
  num_steps = config.train.num_steps
  replicated = train_step_lib.replicate(state)
  batches = input_pipeline.batch_iterator(source, config, start_step)
  report_progress = periodic_actions.ReportProgress(num_train_steps=num_steps, writer=writer)
  history_path = workdir / 'train_metrics.jsonl'
  logging.info('Training steps %d..%d.', start_step + 1, num_steps)
  step, unchecked, restores, stopped_by = start_step, None, 0, None
  try:
    with preemption.stop_on_signals() as stop_request:
      while step < num_steps:
        step += 1
        replicated, metrics, finite = train_step(replicated, next(batches))
        report_progress(step)
        is_last = step == num_steps
        stop_now = distributed.any_process(stop_request.requested())
        log_now = step % config.train.log_every_steps == 0 or is_last
        checkpoint_now = step % config.train.checkpoint_every_steps == 0 or is_last or stop_now
        snapshot_now = step % config.train.eval_every_steps == 0 or is_last
        evals_now = any(step % ev.every_steps == 0 for ev in config.evals.values()) or is_last
        uses_state = log_now or checkpoint_now or snapshot_now or evals_now
        # The previous step's flags are read while this step runs (no stall); a step whose
        # results get logged, evaluated or saved is checked itself, first.
        checks = ([unchecked] if unchecked else []) + ([(step, finite)] if uses_state else [])
        unchecked = None if uses_state else (step, finite)
        bad_step, bad = next(((s, names) for s, f in checks if (names := nonfinite_names(f))),
                             (None, []))
        if bad:
          good = restore_after_divergence(bad, bad_step, restores)
          restores += 1
          replicated = train_step_lib.replicate(good)
          step, unchecked = int(good.step), None
          batches = input_pipeline.batch_iterator(source, config, step)
          continue
        if log_now:
          scalars = {k: float(v) for k, v in train_step_lib.unreplicate(metrics).items()}
          writer.write_scalars(step, {f'train_{k}': v for k, v in scalars.items()})
          if is_chief:
            history.append(history_path, {'step': step, **scalars})
        if not (snapshot_now or evals_now or checkpoint_now):
          continue
        host_state = train_step_lib.unreplicate(replicated)  # One device-to-host copy a step.
        if snapshot_now and not stop_now:
          with report_progress.timed('snapshot'):
            snapshot(host_state, step)
        if evals_now and not stop_now:
          run_evals(host_state, step, is_last)
        if checkpoint_now:
          checkpointing.save(manager, host_state, config)
        if stop_now:
          stopped_by = stop_request.signal_name or 'another process'
          break
  finally:  # A save in flight completes even when the loop dies, so no checkpoint is lost.
    manager.close()  # Waits for pending saves.
    if best_manager is not None:
      best_manager.close()

  # ---------------------------------------------------------------- wrap up
  if stopped_by:
    logging.warning('Stopped by %s after step %d, which is checkpointed; run the same command '
                    'to resume.', stopped_by, step)
  elif is_chief:
    records = history.read(history_path)
    if records:
      curve = plots.loss_curve_plot(records)
      plots.save_png(curve, workdir / 'loss_curve.png')
      writer.write_images(num_steps, {'loss_curve': curve[None]})
  writer.flush()
  return train_step_lib.unreplicate(replicated)

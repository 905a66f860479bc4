"""The one training loop: train_and_evaluate(config, workdir) trains (or resumes) any task.

It knows a task only through gan_jax.training.task: streams of batches in, a per-device
step, predictions for the evaluators, pictures. Checkpointing, exact resume, preemption,
the divergence guard, logging, the eval schedule and best checkpoint live here, once.
"""
import hashlib
import json
import logging
from pathlib import Path

import jax
import ml_collections
import numpy as np
from clu import metric_writers, periodic_actions

from gan_jax import tasks
from gan_jax.common import files, plots
from gan_jax.run import checks
from gan_jax.config.errors import ConfigError
from gan_jax.data import pipeline
from gan_jax.eval import context, metric_names, registry
from gan_jax.training import (checkpointing, compiled_programs, distributed, history, parallel,
                              preemption)

DATA_FINGERPRINT_FILE = 'data_fingerprint.json'


class DivergenceError(FloatingPointError):
  """A metric or the state became NaN/Inf, and config.train.on_divergence could not recover."""


def nonfinite_names(finite) -> list[str]:
  """The quantities a step's (replicated) finite flags report as NaN/Inf."""
  return [name for name, ok in parallel.unreplicate(finite).items() if not ok]


def nonfinite_parts(host_state) -> list[str]:
  """The top-level fields of a host state that hold a NaN/Inf float leaf."""
  bad = []
  for path, leaf in jax.tree_util.tree_leaves_with_path(host_state):
    leaf = np.asarray(leaf)
    if np.issubdtype(leaf.dtype, np.inexact) and not np.isfinite(leaf).all():
      first = path[0]
      name = str(getattr(first, 'name', getattr(first, 'key', first)))
      bad += [name] if name not in bad else []
  return bad


def check_workdir(config: ml_collections.ConfigDict, workdir: Path) -> None:
  """Before anything is written: checkpoints in `workdir` must be of the same architecture."""
  saved = workdir / 'config.json'
  if saved.exists() and checkpointing.latest_saved_step(workdir) is not None:
    checks.check_same_architecture(json.loads(saved.read_text()), config, str(saved))


def data_fingerprint(streams: dict) -> str:
  """One stream: its source's fingerprint; several: a hash of all, by name."""
  if len(streams) == 1:
    return next(iter(streams.values())).source.fingerprint
  text = ';'.join(f'{name}:{s.source.fingerprint}' for name, s in sorted(streams.items()))
  return hashlib.sha256(text.encode()).hexdigest()


def check_data_fingerprint(fingerprint: str, workdir: Path) -> None:
  """Before anything is written: checkpoints in `workdir` must come from the data read now.

  Data that changed under a run (a dataset prepared again, a folder edited, another
  data_dir) would make the resumed run another run; a run trained on wrongly prepared data
  is named here once the data is fixed.
  """
  saved = workdir / DATA_FINGERPRINT_FILE
  if not saved.exists() or checkpointing.latest_saved_step(workdir) is None:
    return
  before = json.loads(saved.read_text())['fingerprint']
  if before != fingerprint:
    raise ConfigError(
        f'The checkpoints in {workdir} were trained on data with fingerprint {before[:16]} '
        f'({saved}), but config.data now reads data with fingerprint {fingerprint[:16]}: the '
        'data changed (prepared again, files edited, another data_dir or manual_dir). Train in '
        f'a new workdir, or delete {saved} to resume on the new data anyway.')


def open_data(config: ml_collections.ConfigDict, check_data: bool = True):
  """(task, streams, specs) of a checked config (checks.check_config). The device check,
  which needs no data, runs before any is opened (a tfds dataset may be prepared)."""
  if check_data:
    checks.check_devices(config, jax.process_count(), jax.local_device_count())
  task = tasks.get(config.task)
  streams = task.streams(config)
  specs = {name: stream.source.spec for name, stream in streams.items()}
  if check_data:
    task.check_data(config, specs, jax.device_count())
  return task, streams, specs


def initial_state(config: ml_collections.ConfigDict, state):
  """The task's fresh state, with config.init_from's parts of another run put in."""
  init = config.init_from
  if init.workdir is None:
    return state
  parts = tuple(p.strip() for p in init.parts.split(',') if p.strip())
  try:
    taken = checkpointing.restore_parts(Path(init.workdir), init.step, parts,
                                        jax.device_get(state))
  except checkpointing.CheckpointError as e:
    raise ConfigError(f'config.init_from (workdir {init.workdir!r}, parts {init.parts!r}): '
                      f'{e}') from None
  logging.info('Initialised %s from %s.', ', '.join(parts), init.workdir)
  return state.replace(**taken)


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str):
  """Trains (or resumes) the task of `config` in `workdir`; returns the final state (host copy).

  SIGTERM/SIGINT end it early with a checkpoint of the step in progress; run
  it again to resume. The run's compiled programs are released when it ends, so a
  process that trains many configs does not pile them up (compiled_programs).
  """
  try:
    return _train_and_evaluate(config, Path(workdir))
  finally:
    compiled_programs.release()


def _train_and_evaluate(config: ml_collections.ConfigDict, workdir: Path):
  is_chief = distributed.is_chief()
  checks.check_config(config)
  check_workdir(config, workdir)

  # ---------------------------------------------------------------- input
  task, streams, specs = open_data(config)
  fingerprint = data_fingerprint(streams)
  check_data_fingerprint(fingerprint, workdir)
  eval_context = context.EvalContext(config)
  registry.check_data(config, eval_context)

  # ---------------------------------------------------------------- task
  built = task.build(config, specs, streams)
  logging.info('Task %s; data %s, %s; %s.', config.task, config.data.name,
               ', '.join(f'{name} {spec.shape}' for name, spec in specs.items()), built.summary)

  # ---------------------------------------------------------------- checkpoint
  workdir.mkdir(parents=True, exist_ok=True)
  template = jax.device_get(built.state)  # What restores are shaped like.
  manager = checkpointing.create_manager(workdir, config.train.max_to_keep)
  try:
    restored = checkpointing.restore_latest(manager, template)
    if restored is not None:
      state = restored
      logging.info('Resumed from %s at step %d.', manager.directory, int(state.step))
    else:
      state = initial_state(config, built.state)
  except BaseException:
    manager.close()  # Its background threads would otherwise outlive the error.
    raise
  start_step = int(state.step)

  # ---------------------------------------------------------------- logging
  writer = metric_writers.create_default_writer(workdir, just_logging=not is_chief)
  if is_chief:
    files.write_json(workdir / 'config.json', config.to_dict())
    files.write_json(workdir / DATA_FINGERPRINT_FILE,
                     {'data': config.data.to_dict(), 'fingerprint': fingerprint})
  if start_step == 0:
    writer.write_hparams(config.to_dict())

  train_step = parallel.pmap_step(built.step_fn)
  best_manager = checkpointing.create_best_manager(workdir) if config.best.metric else None

  def run_evals(host_state, step, is_last) -> list[dict]:
    step_records = []
    for name, ev in config.evals.items():
      if not registry.due(ev, step, is_last):
        continue
      with report_progress.timed(f'eval_{name}'):
        records = registry.evaluate(name, ev, built.predict, host_state, step, eval_context,
                                    built.protocol)
      writer.write_scalars(step, {f'eval_{r["eval"]}_{r["generator"]}_{r["metric"]}': r['value']
                                  for r in records})
      if is_chief:
        for record in records:
          history.append(workdir / 'metrics.jsonl', record)
      if best_manager is not None:
        keep_if_best(best_manager, host_state, records)
      step_records += records
    return step_records

  def keep_if_best(manager, host_state, records):
    wanted = metric_names.metric_name_parts(config.best.metric)
    candidates = [r for r in records if (r['eval'], r['metric'], r['generator']) == wanted]
    if not candidates:
      return
    record, best = candidates[0], checkpointing.best_record(manager)
    better = {'min': lambda a, b: a < b, 'max': lambda a, b: a > b}[config.best.mode]
    if best is None or better(record['value'], best['value']):
      checkpointing.save_best(manager, host_state, config, record)
      logging.info('New best %s = %.4f at step %d.', config.best.metric, record['value'],
                   record['step'])

  def write_pictures(host_state, step):
    for name, picture in built.pictures(host_state, step).items():
      plots.save_png(picture, workdir / name / f'step_{step:07d}.png')
      writer.write_images(step, {name: picture[None]})

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
  replicated = parallel.replicate(state)
  batches = pipeline.batch_iterator(streams, config, start_step)
  report_progress = periodic_actions.ReportProgress(num_train_steps=num_steps, writer=writer)
  history_path = workdir / 'train_metrics.jsonl'
  logging.info('Training steps %d..%d.', start_step + 1, num_steps)
  step, unchecked, restores, stopped_by, latest_records = start_step, None, 0, None, []
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
        pictures_now = step % config.train.eval_every_steps == 0 or is_last
        evals_now = any(registry.due(ev, step, is_last) for ev in config.evals.values())
        uses_state = log_now or checkpoint_now or pictures_now or evals_now
        # The previous step's flags are read while this step runs (no stall); a step whose
        # results get logged, evaluated or saved is checked itself, first.
        checked = ([unchecked] if unchecked else []) + ([(step, finite)] if uses_state else [])
        unchecked = None if uses_state else (step, finite)
        bad_step, bad = next(((s, names) for s, f in checked if (names := nonfinite_names(f))),
                             (None, []))
        host_state = None
        if not bad and (pictures_now or evals_now or checkpoint_now):
          host_state = parallel.unreplicate(replicated)  # One device-to-host copy a step.
          # Every float leaf, those the step does not check included: none is ever saved.
          bad_step, bad = step, nonfinite_parts(host_state)
        if bad:
          good = restore_after_divergence(bad, bad_step, restores)
          restores += 1
          replicated = parallel.replicate(good)
          step, unchecked = int(good.step), None
          batches = pipeline.batch_iterator(streams, config, step)
          continue
        if log_now:
          scalars = {k: float(v) for k, v in parallel.unreplicate(metrics).items()}
          writer.write_scalars(step, {f'train_{k}': v for k, v in scalars.items()})
          if is_chief:
            history.append(history_path, {'step': step, **scalars})
        if host_state is None:
          continue
        if pictures_now and not stop_now and is_chief:
          with report_progress.timed('pictures'):
            write_pictures(host_state, step)
        if evals_now and not stop_now:
          latest_records = run_evals(host_state, step, is_last)
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
    if latest_records and step == num_steps:
      logging.info('At the end of training (step %d): %s.', step, ', '.join(
          f"{metric_names.metric_name(r['eval'], r['metric'], r['generator'])} = {r['value']:.4g}"
          for r in latest_records))
    records = history.read(history_path)
    if records:
      curve = plots.loss_curve_plot(records)
      plots.save_png(curve, workdir / 'loss_curve.png')
      writer.write_images(num_steps, {'loss_curve': curve[None]})
  writer.flush()
  return parallel.unreplicate(replicated)

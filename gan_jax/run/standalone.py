"""--mode eval and the tasks' own modes (--mode sample, ...) on a saved checkpoint."""
import json
import logging
from pathlib import Path

import jax
import ml_collections

from gan_jax import tasks
from gan_jax.common import files
from gan_jax.config.errors import ConfigError
from gan_jax.eval import context, registry
from gan_jax.eval.evaluators import anomaly_detection
from gan_jax.run import checks
from gan_jax.run import loop
from gan_jax.training import checkpointing

BUILT_IN_MODES = ('train', 'eval')


def check_mode(config: ml_collections.ConfigDict, mode: str) -> None:
  """--mode must be train, eval or one of the task's modes (before any data is read)."""
  accepted = BUILT_IN_MODES + tasks.get(config.task).modes
  if mode not in accepted:
    raise ConfigError(f'--mode={mode!r} is not a mode of config.task={config.task!r}; '
                      f'accepted: {accepted}.')
  if mode == 'score':  # Every task that scores anomalies offers it.
    anomaly_detection.check_score_mode(config, tasks.get(config.task).predictions(config))


def saved_config(workdir: Path) -> ml_collections.ConfigDict:
  """The config the run in `workdir` was started with (its config.json)."""
  return ml_collections.ConfigDict(json.loads((workdir / 'config.json').read_text()))


def build(config: ml_collections.ConfigDict):
  """The task built for `config` (networks, state, predictions) from its data's shapes alone."""
  task, _, specs = loop.open_data(config, check_data=False)
  return task.build(config, specs)


def load_checkpoint(config: ml_collections.ConfigDict, workdir: Path, step: int | None):
  """(built task, host state) of checkpoint `step` (None: the latest) in `workdir`."""
  checks.check_config(config)
  built = build(config)
  manager = checkpointing.create_manager(workdir, config.train.max_to_keep)
  try:
    step = manager.latest_step() if step is None else step
    if step is None:
      raise FileNotFoundError(f'No checkpoint in {workdir / "checkpoints"}.')
    return built, checkpointing.restore(manager, jax.device_get(built.state), step)
  finally:
    manager.close()


def evaluate_checkpoint(config: ml_collections.ConfigDict, workdir: str,
                        step: int | None = None) -> Path:
  """Runs every evaluator of config.evals; writes workdir/eval/step_N.json."""
  workdir = Path(workdir)
  if not registry.enabled(config):
    raise ConfigError('config.evals has no enabled entry: nothing to evaluate.')
  built, state = load_checkpoint(config, workdir, step)
  eval_context = context.EvalContext(config)
  registry.check_data(config, eval_context)
  step = int(state.step)
  records = [r for name, ev in registry.enabled(config).items()
             for r in registry.evaluate(name, ev, built.predict, state, step, eval_context,
                                        built.protocol)]
  path = workdir / 'eval' / f'step_{step:07d}.json'
  path.parent.mkdir(exist_ok=True)
  files.write_json(path, records)  # Atomic: an earlier result is never left half-written.
  for r in records:
    logging.info('%s/%s (%s generator, step %d) = %.5g', r['eval'], r['metric'], r['generator'],
                 step, r['value'])
  return path


def run_mode(config: ml_collections.ConfigDict, workdir: str, mode: str, step: int | None,
             options: dict) -> Path:
  """The task's `mode` (e.g. 'sample') on checkpoint `step`; returns what it wrote."""
  check_mode(config, mode)
  built, state = load_checkpoint(config, Path(workdir), step)
  return built.modes[mode](state, Path(workdir), options)

"""Orbax checkpoints of a task's state and its config in `workdir/checkpoints`.

Orbax writes each checkpoint into a temporary directory and renames it when
complete, so a kill at any moment leaves the earlier checkpoints intact; the
temporary remains of a killed save are removed at the next start.
"""
import logging
from pathlib import Path
from typing import Any

import jax
import ml_collections
import numpy as np
import orbax.checkpoint as ocp

from gan_jax.training import distributed

UNREADABLE_DIR = 'checkpoints_unreadable'  # In the workdir: checkpoints that failed to restore.


class CheckpointError(RuntimeError):
  """No checkpoint in a workdir that has some can be restored."""


def create_manager(workdir: str | Path, max_to_keep: int) -> ocp.CheckpointManager:
  return ocp.CheckpointManager(
      Path(workdir).absolute() / 'checkpoints',
      options=ocp.CheckpointManagerOptions(max_to_keep=max_to_keep, create=True,
                                           cleanup_tmp_directories=True),
      item_names=('state', 'config'))


def save(manager: ocp.CheckpointManager, state: Any,
         config: ml_collections.ConfigDict) -> None:
  """Saves a host copy of `state` (one device's replica) asynchronously."""
  manager.save(int(state.step), args=ocp.args.Composite(
      state=ocp.args.StandardSave(state), config=ocp.args.JsonSave(config.to_dict())))


def restore_latest(manager: ocp.CheckpointManager, like: Any) -> Any | None:
  """The newest checkpoint that restores, shaped like `like`; None when there is none.

  Unreadable newer checkpoints (corrupt or missing files) are moved, not
  deleted, to workdir/checkpoints_unreadable/, with a warning naming each. If
  none restores, nothing is moved and CheckpointError says why: that is a
  changed state structure far more often than every file being corrupt.
  """
  failures = {}
  for step in sorted(manager.all_steps(), reverse=True):
    try:
      state = restore(manager, like, step)
    except Exception as e:  # Orbax/TensorStore raise many types for damaged files.
      failures[step] = f'{type(e).__name__}: {str(e)[:300]}'
      continue
    for bad_step, error in failures.items():
      logging.warning('Checkpoint %d in %s cannot be restored (%s); moving it to %s and '
                      'resuming from step %d instead.', bad_step, manager.directory, error,
                      UNREADABLE_DIR, step)
    _move_aside(manager, failures)
    return state
  if failures:
    raise CheckpointError(
        f'No checkpoint in {manager.directory} can be restored: ' +
        '; '.join(f'step {s}: {e}' for s, e in failures.items()) +
        '. If the code or the config changed the state\'s structure, use a new --workdir.')
  return None


def _move_aside(manager: ocp.CheckpointManager, steps) -> None:
  """Keeps unreadable checkpoints for inspection, out of the way of new saves of their steps."""
  if not steps:
    return
  directory = Path(manager.directory)
  if distributed.is_chief():
    aside = directory.parent / UNREADABLE_DIR
    aside.mkdir(exist_ok=True)
    for step in steps:
      target, copy = aside / str(step), 1
      while target.exists():  # The same step may have failed before: keep both.
        target, copy = aside / f'{step}.{copy}', copy + 1
      (directory / str(step)).rename(target)
  distributed.barrier('checkpoints_moved_aside')
  manager.reload()


def restore(manager: ocp.CheckpointManager, like: Any, step: int) -> Any:
  if step not in manager.all_steps():
    raise FileNotFoundError(f'No checkpoint of step {step} in {manager.directory}; '
                            f'saved steps: {sorted(manager.all_steps())}.')
  try:
    restored = manager.restore(step,
                               args=ocp.args.Composite(state=ocp.args.StandardRestore(like)))
  except ValueError as e:
    if 'tree structures do not match' not in str(e):
      raise
    # Orbax's own advice (partial_restore) does not apply: the fields differ, not their subset.
    differences = ' '.join(str(e).split('If this mismatch')[0].split())[:400]
    raise CheckpointError(
        f'Checkpoint {step} in {manager.directory} holds another state structure than this '
        f'code and config build ({differences}). It was written by other code or another '
        'model config: restore it with those, or train in a new --workdir.') from e
  return restored.state


def latest_saved_step(workdir: Path) -> int | None:
  """The newest finished checkpoint of `workdir`, from the folder names alone: Orbax renames
  a finished save to its bare step number, and a killed save's folder keeps a suffix."""
  steps = [int(p.name) for p in (Path(workdir) / 'checkpoints').glob('*') if p.name.isdigit()]
  return max(steps, default=None)


def restore_saved(workdir: Path, step: int | None) -> tuple[int, dict]:
  """(step, state as saved: nested dicts of arrays) of checkpoint `step` (None: the latest) of
  `workdir`, without a template: another run's, of any structure."""
  manager = ocp.CheckpointManager(Path(workdir).absolute() / 'checkpoints',
                                  item_names=('state', 'config'))
  try:
    step = manager.latest_step() if step is None else step
    if step is None or step not in manager.all_steps():
      raise FileNotFoundError(f'No checkpoint {"" if step is None else step} in {workdir} '
                              f'(saved steps: {sorted(manager.all_steps())}).')
    restored = manager.restore(step, args=ocp.args.Composite(state=ocp.args.StandardRestore()))
    return step, restored.state
  finally:
    manager.close()


def restore_parts(workdir: Path, step: int | None, parts: tuple[str, ...], like) -> dict:
  """{part: value} of top-level fields `parts` of another run's checkpoint `step` (None: the
  latest), each checked to have the structure, shapes and dtypes of `like`'s; CheckpointError
  naming what is missing or differs (the caller names the setting that asked for it)."""
  try:
    step, saved = restore_saved(workdir, step)
  except FileNotFoundError as e:
    raise CheckpointError(f'{workdir}: {e}') from None
  taken = {}
  for part in parts:
    if part not in saved:
      raise CheckpointError(f'the checkpoint of step {step} in {workdir} holds no {part!r}; it '
                            f'holds: {sorted(saved)}.')
    mine = getattr(like, part)
    theirs = saved[part]
    mine_leaves, mine_tree = jax.tree.flatten(mine)
    their_leaves = jax.tree.leaves(theirs)
    described = lambda leaves: [(tuple(np.shape(x)), np.asarray(x).dtype) for x in leaves]
    if (len(mine_leaves) != len(their_leaves)
        or described(mine_leaves) != described(their_leaves)):
      raise CheckpointError(f'{part!r} of step {step} in {workdir} does not have the structure '
                            "and shapes of this run's (another architecture?).")
    taken[part] = jax.tree.unflatten(mine_tree, [np.asarray(x) for x in their_leaves])
  return taken


def create_best_manager(workdir: str | Path) -> ocp.CheckpointManager:
  """workdir/best: the one state with the best value of config.best.metric so far."""
  return ocp.CheckpointManager(
      Path(workdir).absolute() / 'best',
      options=ocp.CheckpointManagerOptions(max_to_keep=1, create=True),
      item_names=('state', 'config', 'metric'))


def best_record(manager: ocp.CheckpointManager) -> dict | None:
  """The evaluation record of the kept best state, if any."""
  step = manager.latest_step()
  if step is None:
    return None
  return manager.restore(step, args=ocp.args.Composite(metric=ocp.args.JsonRestore())).metric


def save_best(manager: ocp.CheckpointManager, state: Any,
              config: ml_collections.ConfigDict, record: dict) -> None:
  manager.save(int(state.step), force=True, args=ocp.args.Composite(
      state=ocp.args.StandardSave(state), config=ocp.args.JsonSave(config.to_dict()),
      metric=ocp.args.JsonSave(record)))

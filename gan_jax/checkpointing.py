"""Orbax checkpoints of the GAN state and its config in `workdir/checkpoints`."""
from pathlib import Path

import ml_collections
import orbax.checkpoint as ocp

from gan_jax.state import GANState


def create_manager(workdir: str | Path, max_to_keep: int) -> ocp.CheckpointManager:
  return ocp.CheckpointManager(
      Path(workdir).absolute() / 'checkpoints',
      options=ocp.CheckpointManagerOptions(max_to_keep=max_to_keep, create=True),
      item_names=('state', 'config'))


def save(manager: ocp.CheckpointManager, state: GANState,
         config: ml_collections.ConfigDict) -> None:
  """Saves a host copy of `state` (one device's replica) asynchronously."""
  manager.save(int(state.step), args=ocp.args.Composite(
      state=ocp.args.StandardSave(state), config=ocp.args.JsonSave(config.to_dict())))


def restore_latest(manager: ocp.CheckpointManager, like: GANState) -> GANState | None:
  """The latest saved state, shaped like `like`; None when there is none."""
  step = manager.latest_step()
  return None if step is None else restore(manager, like, step)


def restore(manager: ocp.CheckpointManager, like: GANState, step: int) -> GANState:
  if step not in manager.all_steps():
    raise FileNotFoundError(f'No checkpoint of step {step} in {manager.directory}; '
                            f'saved steps: {sorted(manager.all_steps())}.')
  restored = manager.restore(step, args=ocp.args.Composite(state=ocp.args.StandardRestore(like)))
  return restored.state


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


def save_best(manager: ocp.CheckpointManager, state: GANState,
              config: ml_collections.ConfigDict, record: dict) -> None:
  manager.save(int(state.step), force=True, args=ocp.args.Composite(
      state=ocp.args.StandardSave(state), config=ocp.args.JsonSave(config.to_dict()),
      metric=ocp.args.JsonSave(record)))

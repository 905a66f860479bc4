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
  if step is None:
    return None
  restored = manager.restore(step, args=ocp.args.Composite(state=ocp.args.StandardRestore(like)))
  return restored.state

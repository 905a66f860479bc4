"""All checks of a config, composed: each component checks its own fields (the base config,
the multi-host runtime, the task and its components, each evaluator); nothing here knows
what a field means. Every error names the field, the value and what is accepted."""
import json

import ml_collections

from gan_jax import tasks
from gan_jax.config.errors import ConfigError
from gan_jax.eval import registry
from gan_jax.run import base
from gan_jax.training import distributed


def check_config(config: ml_collections.ConfigDict) -> None:
  """Checks that need no data: before anything is prepared, compiled or written."""
  base.check(config)
  distributed.check(config.distributed)
  task = tasks.get(config.task)
  task.check(config)
  registry.check(config, task.predictions(config))


def check_devices(config: ml_collections.ConfigDict, process_count: int,
                  local_device_count: int) -> None:
  """The global batch splits evenly over the devices (known before any data is read)."""
  devices = process_count * local_device_count
  if config.train.batch_size % devices:
    raise ConfigError(f'config.train.batch_size={config.train.batch_size} is not divisible by '
                      f'the {devices} devices ({process_count} host(s) x {local_device_count}); '
                      f'accepted: multiples of {devices}.')


def _flatten(tree: dict, prefix: str = '') -> dict:
  flat = {}
  for key, value in tree.items():
    if isinstance(value, dict):
      flat.update(_flatten(value, f'{prefix}{key}.'))
    else:
      flat[f'{prefix}{key}'] = value
  return flat


def check_same_architecture(saved: dict, config: ml_collections.ConfigDict,
                            saved_path: str) -> None:
  """Resuming in a workdir: the task and its architecture fields must match the saved config's.

  Fields only one side has (a field added to gan_jax since) are not compared; a saved
  config without `task` is from before tasks existed, when every run was a GAN.
  """
  # Compared as config.json holds them (tuples as lists).
  old = _flatten({'task': 'gan', **saved})
  new = _flatten(json.loads(json.dumps(config.to_dict())))
  fields = ('task',) + tasks.get(config.task).architecture_fields
  is_architecture = lambda name: any(name == f or name.startswith(f + '.') for f in fields)
  differences = [f'{field}: saved {old[field]!r}, now {new[field]!r}'
                 for field in sorted(old.keys() & new.keys())
                 if is_architecture(field) and old[field] != new[field]]
  if differences:
    raise ConfigError(
        f'The checkpoints in this workdir are of another architecture ({saved_path}): '
        + '; '.join(differences) + '. Use a new --workdir, or set these fields back; '
        'nothing was written.')

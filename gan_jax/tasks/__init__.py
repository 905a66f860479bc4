"""Registered tasks: config.task -> gan_jax.tasks.<name>.TASK (a gan_jax.training.task.Task)."""
import importlib

from gan_jax.config.errors import ConfigError

TASKS = ('gan', 'semi_supervised', 'anomaly', 'pix2pix', 'cyclegan', 'srgan')  # A new task: a package gan_jax/tasks/<name>/ with a TASK, listed here.


def get(name: str):
  if name not in TASKS:
    raise ConfigError(f'config.task={name!r} is not accepted; accepted: {TASKS}.')
  return importlib.import_module(f'gan_jax.tasks.{name}').TASK

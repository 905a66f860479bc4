"""Small checks of single config fields, shared by every component's own checks."""
import functools
import math

import ml_collections

from gan_jax.config.errors import ConfigError


def get(config: ml_collections.ConfigDict, field: str):
  """config's value at a dotted `field` ('train.batch_size')."""
  return functools.reduce(getattr, field.split('.'), config)


def one_of(field: str, value, accepted) -> None:
  if value not in accepted:
    raise ConfigError(f'config.{field}={value!r} is not accepted; accepted: {tuple(accepted)}.')


def positive(config: ml_collections.ConfigDict, *fields: str) -> None:
  for field in fields:
    value = get(config, field)
    if not (value > 0 and math.isfinite(value)):
      raise ConfigError(f'config.{field}={value!r} must be > 0 (and finite).')


def non_negative(config: ml_collections.ConfigDict, *fields: str) -> None:
  for field in fields:
    value = get(config, field)
    if not (value >= 0 and math.isfinite(value)):
      raise ConfigError(f'config.{field}={value!r} must be >= 0 (and finite).')


def in_unit_interval(field: str, value: float) -> None:
  if not 0.0 <= value < 1.0:
    raise ConfigError(f'config.{field}={value!r} must be in [0, 1).')

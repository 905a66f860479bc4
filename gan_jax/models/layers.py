"""Pieces shared by every architecture."""
from typing import Callable

import flax.linen as nn

NORMS = ('batch_norm', 'none')


def normalization(kind: str, train: bool, axis_name: str | None) -> Callable:
  """A normalization layer by name.

  Batch norm reduces its statistics over `axis_name` (the device axis inside
  the pmapped train step), so N devices normalize with the global batch's
  statistics exactly as one device would.
  """
  if kind == 'batch_norm':
    return nn.BatchNorm(use_running_average=not train, momentum=0.9,
                        axis_name=axis_name if train else None)
  if kind == 'none':
    return lambda x: x
  raise ValueError(f'Unknown normalization {kind!r}; accepted: {NORMS}.')

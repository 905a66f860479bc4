"""Subsets of a dataset by label: N examples per class, drawn with their own seed
(semi-supervised learning's labelled set), or every example of some classes (one-class
training: config.data.classes)."""
import functools
import hashlib

import numpy as np

from gan_jax.config.errors import ConfigError
from gan_jax.data import integrity

_CHUNK = 4096


def all_labels(source) -> np.ndarray:
  """Every example's label, read in chunks (a split's images never all at once as floats)."""
  return np.concatenate([source.read(np.arange(start, min(start + _CHUNK, source.num_examples)))[1]
                         for start in range(0, source.num_examples, _CHUNK)])


def labelled_indices(labels: np.ndarray, per_class: int, num_classes: int, seed: int,
                     field: str = 'labels.per_class') -> np.ndarray:
  """The first `per_class` examples of each class in an order permuted by `seed`, as
  openai/improved-gan picks its labelled set; class 0's first, then class 1's, ...

  A class with fewer examples is a ConfigError naming `field`.
  """
  counts = np.bincount(labels, minlength=num_classes)
  if per_class > counts.min():
    smallest = int(np.argmin(counts))
    raise ConfigError(f'config.{field}={per_class} labelled examples per class, but class '
                      f'{smallest} has {counts[smallest]}; accepted: 1 to {counts.min()}.')
  order = np.random.default_rng(seed).permutation(len(labels))
  permuted = labels[order]
  return np.concatenate([order[permuted == c][:per_class] for c in range(num_classes)])


def class_indices(labels: np.ndarray, classes: tuple[int, ...], num_classes: int | None,
                  field: str = 'data.classes') -> np.ndarray:
  """The positions of the examples whose label is one of `classes`, in dataset order; a
  class outside the dataset's labels is a ConfigError naming `field`."""
  outside = [c for c in classes if not num_classes or c >= num_classes]
  if outside:
    accepted = f'0 to {num_classes - 1}' if num_classes else 'none: the dataset has no labels'
    raise ConfigError(f'config.{field}={classes!r}: {outside} not a class of the dataset; '
                      f'accepted labels: {accepted}.')
  return np.flatnonzero(np.isin(labels, classes))


class SubsetSource:
  """The examples `indices` of `source`, as a source of their own."""

  def __init__(self, source, indices: np.ndarray):
    self._source, self._indices = source, np.asarray(indices)
    self.spec = source.spec
    self.num_examples = len(self._indices)

  @functools.cached_property
  def fingerprint(self) -> str:
    chosen = hashlib.sha256(self._indices.astype(np.int64).tobytes()).hexdigest()
    return integrity.fingerprint(self, f'subset {chosen} of {self._source.fingerprint}')

  def read(self, indices: np.ndarray):
    return self._source.read(self._indices[np.asarray(indices)])

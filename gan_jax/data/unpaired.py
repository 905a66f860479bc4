"""Unpaired domains for CycleGAN made from one image dataset, offline: its training split
cut into two disjoint halves, the images of one half (domain A) as they are, the other
half's (domain B) through a derivation (config.pairs: thickened strokes, edges, ...). No
image of A has its counterpart in B, so CycleGAN never sees a pair, yet on the test split
every translation has a ground truth (paired.DerivedPairs)."""
import functools

import ml_collections
import numpy as np

from gan_jax.data import integrity, paired, subsets


class DerivedSource:
  """A source whose images are a derivation of another's: read -> (derived, labels)."""

  def __init__(self, source, pairs: ml_collections.ConfigDict, seed: int):
    self._source, self._derive = source, paired.derivation_fn(pairs, seed)
    self.spec, self.num_examples = source.spec, source.num_examples
    self._recipe = paired.recipe(pairs, seed)

  @functools.cached_property
  def fingerprint(self) -> str:
    return integrity.fingerprint(self, f'derived {self._recipe} of {self._source.fingerprint}')

  def read(self, indices: np.ndarray):
    images, labels = self._source.read(indices)
    return self._derive(images, np.asarray(indices)), labels


def halves(num_examples: int, split_seed: int) -> tuple[np.ndarray, np.ndarray]:
  """Two disjoint halves of range(num_examples), by a permutation of `split_seed` (a run's
  seed does not move an image to the other domain)."""
  order = np.random.default_rng([split_seed, 7]).permutation(num_examples)
  half = num_examples // 2
  return np.sort(order[:half]), np.sort(order[half:2 * half])


def domains(source, pairs: ml_collections.ConfigDict, seed: int, split_seed: int):
  """(domain A, domain B): source's images in one half, the other half's derived."""
  a_indices, b_indices = halves(source.num_examples, split_seed)
  return (subsets.SubsetSource(source, a_indices),
          DerivedSource(subsets.SubsetSource(source, b_indices), pairs, seed))

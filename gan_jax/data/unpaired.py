"""CycleGAN's two domains. Either two datasets of their own, with no ground truth: the
folders of the CycleGAN datasets' layout (config.data.name='unpaired_folder', config.data.path
holding trainA/, trainB/, testA/, testB/) or tfds cycle_gan/<name> (splits trainA, ...). Or,
offline, made from one image dataset: its training split cut into two disjoint halves, the
images of one half (domain A) as they are, the other half's (domain B) through a derivation
(config.pairs: thickened strokes, edges, ...). No image of A has its counterpart in B, so
CycleGAN never sees a pair, yet on the test split every translation has a ground truth
(paired.DerivedPairs)."""
import hashlib

import ml_collections
import numpy as np

from gan_jax.data import paired, sources, subsets

FOLDER = 'unpaired_folder'
DOMAINS = ('A', 'B')


def has_two_domains(data: ml_collections.ConfigDict) -> bool:
  """Whether config.data names two datasets (no ground truth) rather than one to derive B of."""
  return data.name == FOLDER or data.name.startswith('cycle_gan/')


def domain_source(data: ml_collections.ConfigDict, split: str, domain: str):
  """Domain `domain` ('A' or 'B') of `split` of a two-domain dataset: the folder
  <data.path>/<split><domain>/ or the tfds split '<split><domain>'."""
  if data.name == FOLDER:
    folder = sources.layout_folder(data.path, f'{split}{domain}', split,
                                   'trainA/, trainB/, testA/, testB/')
    return sources.FolderSource(str(folder), data.image_size, data.channels or 3,
                                data.center_crop)
  return sources.TfdsSource(data.name, f'{split}{domain}', data.data_dir, data.manual_dir,
                            data.image_size, data.center_crop, data.in_memory_mb,
                            data.rebuild_invalid)


class DerivedSource:
  """The derived inputs of paired.DerivedPairs as a source of their own: read -> (derived,
  labels)."""

  def __init__(self, source, pairs: ml_collections.ConfigDict, seed: int):
    self._pairs = paired.DerivedPairs(source, pairs, seed)
    self.spec, self.num_examples = source.spec, source.num_examples
    self.fingerprint = hashlib.sha256(f'inputs of {self._pairs.fingerprint}'.encode()).hexdigest()

  def read(self, indices: np.ndarray):
    read = self._pairs.read(indices)
    return read['input'], read['label']


def halves(num_examples: int, split_seed: int) -> tuple[np.ndarray, np.ndarray]:
  """Two disjoint halves of range(num_examples), by a permutation of `split_seed` (a run's
  seed does not move an image to the other domain)."""
  order = np.random.default_rng([split_seed, 7]).permutation(num_examples)
  half = num_examples // 2
  return np.sort(order[:half]), np.sort(order[half:2 * half])


def derived_domains(source, pairs: ml_collections.ConfigDict, seed: int, split_seed: int):
  """(domain A, domain B): source's images in one half, the other half's derived."""
  a_indices, b_indices = halves(source.num_examples, split_seed)
  return (subsets.SubsetSource(source, a_indices),
          DerivedSource(subsets.SubsetSource(source, b_indices), pairs, seed))

"""Batches as a pure function of the step: exact resume, per-host shards, device prefetch.

Global example number p = step * examples_per_step + j. For a file dataset it
is example perm_epoch[p % N] of a per-epoch permutation seeded by
(seed, epoch); for a 2D mixture it is a sample drawn from fold_in(key, p).
A restarted run therefore continues at exactly the data it would have seen,
and no pipeline state needs saving.
"""
import functools
from typing import Iterator

import jax
import ml_collections
import numpy as np
from flax import jax_utils

from gan_jax.common.device_axis import AXIS
from gan_jax.data import integrity, mixtures, photos, side_by_side, sources, subsets, unpaired
from gan_jax.data.sources import DataSpec

# Names that read config.data.path.
FOLDERS = ('folder', 'side_by_side', unpaired.FOLDER, photos.NAME)


class MixtureSource:
  """A 2D mixture: an endless stream with no files."""

  def __init__(self, name: str, seed: int):
    self._name, self._seed = name, seed
    self._key = jax.random.fold_in(jax.random.PRNGKey(seed), 1)
    self.spec = DataSpec((2,), len(mixtures.mixture_means(name)))
    self.num_examples = None  # Endless: positions are read directly, never permuted.

  @functools.cached_property
  def fingerprint(self) -> str:
    return integrity.fingerprint(self, f'mixture {self._name} seed {self._seed}')

  def read(self, positions: np.ndarray):
    points, modes = mixtures.sample_mixture(self._key, positions, self._name)
    return np.asarray(points), np.asarray(modes, np.int32)


class StackedMNISTSource:
  """Three MNIST digits as the R, G and B channels: 1,000 modes, label 100 r + 10 g + b.

  Example i stacks digits perm_r[i], perm_g[i], perm_b[i] of three fixed
  permutations, so an epoch still has N examples.
  """

  def __init__(self, mnist, seed: int):
    self._mnist = mnist
    rng = np.random.default_rng([seed, 3])
    self._digit_indices = np.stack([rng.permutation(mnist.num_examples) for _ in range(3)], 1)
    height, width, _ = mnist.spec.shape
    self.spec = DataSpec((height, width, 3), 1000)
    self.num_examples = mnist.num_examples
    self._seed = seed

  @functools.cached_property
  def fingerprint(self) -> str:
    return integrity.fingerprint(self, f'stacked {self._mnist.fingerprint} seed {self._seed}')

  def read(self, indices: np.ndarray):
    digits = self._digit_indices[indices]
    images, labels = self._mnist.read(digits.reshape(-1))
    images = images.reshape((len(indices), 3) + images.shape[1:3])
    return np.moveaxis(images, 1, -1), labels.reshape(-1, 3) @ np.array([100, 10, 1], np.int32)


def create_source(data: ml_collections.ConfigDict, seed: int):
  """The source `config.data` names (tfds is imported only when needed), holding only the
  classes data.classes names when it names any."""
  source = create_full_source(data, seed)
  if not data.classes:
    return source
  chosen = subsets.class_indices(subsets.all_labels(source) if source.spec.num_classes else None,
                                 data.classes, source.spec.num_classes)
  return subsets.SubsetSource(source, chosen)


def create_full_source(data: ml_collections.ConfigDict, seed: int):
  """Every example of the dataset `config.data` names."""
  if data.name in mixtures.MIXTURES:
    return MixtureSource(data.name, seed)
  if data.name in FOLDERS and data.path is None:
    raise sources.DataError(f'config.data.name={data.name!r} needs config.data.path=DIR.')
  if data.name == 'folder':
    return sources.FolderSource(data.path, data.image_size, data.channels or 3,
                                     data.center_crop)
  if data.name == photos.NAME:
    return photos.photo_source(data, seed)
  if data.name == 'side_by_side':
    return side_by_side.SideBySideSource(data.path, data.split, data.channels or 3,
                                         data.image_size, data.input_side)
  if unpaired.has_two_domains(data):  # Domain A: the images B -> A aims at.
    return unpaired.domain_source(data, data.split, 'A')
  name = 'mnist' if data.name == 'stacked_mnist' else data.name
  source = sources.TfdsSource(name, data.split, data.data_dir, data.manual_dir,
                                   data.image_size, data.center_crop, data.in_memory_mb,
                                   data.rebuild_invalid)
  return StackedMNISTSource(source, seed) if data.name == 'stacked_mnist' else source


@functools.lru_cache(maxsize=2)
def _epoch_permutation(seed: int, epoch: int, size: int) -> np.ndarray:
  return np.random.default_rng([seed, epoch]).permutation(size)


def example_indices(positions: np.ndarray, num_examples: int, seed: int) -> np.ndarray:
  """Dataset index of each global example position: shuffled anew every epoch."""
  epochs, offsets = np.divmod(positions, num_examples)
  indices = np.empty_like(positions)
  for epoch in np.unique(epochs):
    hit = epochs == epoch
    indices[hit] = _epoch_permutation(seed, int(epoch), num_examples)[offsets[hit]]
  return indices


def first_examples(stream, num: int):
  """The first `num` examples of a stream's order (at most one epoch): its source's read,
  (images, labels) or a dict of fields. For a task's data-dependent initialisation."""
  positions = np.arange(num if stream.source.num_examples is None
                        else min(num, stream.source.num_examples))
  if stream.source.num_examples is not None:
    positions = example_indices(positions, stream.source.num_examples, stream.seed)
  return stream.source.read(positions)


def host_positions(step: int, batch_size: int, draws: int, process_index: int,
                   process_count: int) -> np.ndarray:
  """This host's global example positions for `step`, shaped (draws, batch_size / hosts)."""
  start = step * draws * batch_size
  positions = (start + np.arange(draws * batch_size)).reshape(draws, batch_size)
  per_host = batch_size // process_count
  return positions[:, process_index * per_host:(process_index + 1) * per_host]


def as_fields(read) -> dict:
  """A source's read: (images, labels), or a dict of fields (paired.DerivedPairs: 'input',
  'image', 'label')."""
  return read if isinstance(read, dict) else dict(zip(('image', 'label'), read))


def host_batch(stream, step: int, batch_size: int) -> dict:
  """A stream's local batch of `step`: {'image', 'label'} (or its source's fields), each
  (local devices, draws, batch per device, ...)."""
  positions = host_positions(step, batch_size, stream.draws, jax.process_index(),
                             jax.process_count())
  flat = positions.reshape(-1)
  if stream.source.num_examples is not None:
    flat = example_indices(flat, stream.source.num_examples, stream.seed)
  devices = jax.local_device_count()

  def to_devices(x):
    x = x.reshape((stream.draws, devices, -1) + x.shape[1:])
    return np.swapaxes(x, 0, 1)

  return {name: to_devices(x) for name, x in as_fields(stream.source.read(flat)).items()}


def host_batches(streams: dict, batch_size: int, step: int) -> dict:
  """{stream name: its local batch} of `step`."""
  return {name: host_batch(stream, step, batch_size) for name, stream in streams.items()}


def batch_iterator(streams: dict, config: ml_collections.ConfigDict,
                   start_step: int) -> Iterator[dict]:
  """Batches for steps start_step, start_step + 1, ..., already placed on the local devices.

  Host work for the next batches overlaps the asynchronously dispatched train step.
  """
  def batches():
    step = start_step
    while True:
      yield host_batches(streams, config.train.batch_size, step)
      step += 1

  # The step's axis name: batches then carry the sharding the compiled step expects.
  return jax_utils.prefetch_to_device(batches(), config.data.prefetch, axis_name=AXIS)

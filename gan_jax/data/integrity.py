"""Prepared data checked against the files it came from, and the fingerprint of a source.

tfds extracts manual files into `<data_dir>/downloads/extracted/GZIP.<file name>`
and reuses any extraction of that name: MNIST, Fashion-MNIST and KMNIST share
their four file names, so a data_dir that prepared one of them fed the next one
the first one's images. gan_jax therefore prepares with an extraction folder of
its own (data_sources), checks the prepared examples of these datasets against
their raw files here, and keys every cache derived from data by `fingerprint`.
"""
import gzip
import hashlib
from pathlib import Path

import numpy as np

# tfds builders whose manual files are LeCun's idx format: split -> (images file, labels file).
_MNIST_FILES = {'train': ('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'),
                'test': ('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz')}
IDX_DATASETS = {'mnist': _MNIST_FILES, 'fashion_mnist': _MNIST_FILES, 'kmnist': _MNIST_FILES}
CHECKED_EXAMPLES = 64  # Prepared examples compared with the raw files, evenly spaced.
FINGERPRINT_EXAMPLES = 64  # Examples a fingerprint reads, evenly spaced over the source.


def read_idx(path: Path) -> np.ndarray:
  """An idx file (gzipped or not) as uint8: (N,) labels or (N, H, W) images."""
  opener = gzip.open if path.suffix == '.gz' else open
  with opener(path, 'rb') as f:
    data = f.read()
  if data[:2] != b'\0\0' or data[2] != 0x08:  # Magic: two zero bytes, then 0x08 for uint8.
    raise ValueError(f'{path} is not an idx file of uint8 values.')
  ndim = data[3]
  shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim))
  return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def evenly_spaced(count: int, num: int) -> np.ndarray:
  """`num` indices spread over range(count), first and last included (all if fewer)."""
  return np.unique(np.linspace(0, count - 1, min(num, count)).round().astype(np.int64))


def idx_mismatches(name: str, records_of_split, manual_dir: str) -> list[str]:
  """Why the prepared splits of idx dataset `name` do not hold the examples of the raw
  files in `manual_dir` (empty when they do).

  `records_of_split(split)` gives a split's random-access records ({'image', 'label'}).
  Each split is checked for its size and for CHECKED_EXAMPLES (image, label) pairs,
  which must all occur in the raw files (tfds reorders examples when it writes them).
  """
  problems = []
  for split, (images_file, labels_file) in IDX_DATASETS[name].items():
    raw_images = read_idx(Path(manual_dir) / images_file)
    raw_labels = read_idx(Path(manual_dir) / labels_file)
    records = records_of_split(split)
    if len(records) != len(raw_images):
      problems.append(f'split {split!r} has {len(records)} examples, {images_file} '
                      f'{len(raw_images)}')
      continue
    raw_pairs = {image.tobytes() + bytes([label]) for image, label in zip(raw_images, raw_labels)}
    checked = evenly_spaced(len(records), CHECKED_EXAMPLES)
    prepared = records.__getitems__([int(i) for i in checked])
    foreign = sum(r['image'].tobytes() + bytes([int(r['label'])]) not in raw_pairs
                  for r in prepared)
    if foreign:
      problems.append(f'{foreign} of {len(checked)} checked examples of split {split!r} are '
                      f'not in {images_file}/{labels_file}')
  return problems


def fingerprint(source, identity: str) -> str:
  """sha256 hex digest of a source's examples as it reads them: its `identity` (where the data
  comes from), spec and size, and FINGERPRINT_EXAMPLES examples (images and labels) evenly
  spaced over it (the first ones for an endless source).

  Another dataset, another preparation of different files, another resize or crop gives
  another fingerprint, so caches keyed by it are never reused across them.
  """
  digest = hashlib.sha256()
  count = source.num_examples
  indices = (np.arange(FINGERPRINT_EXAMPLES) if count is None
             else evenly_spaced(count, FINGERPRINT_EXAMPLES))
  images, labels = source.read(indices)
  for part in (identity, repr(source.spec), repr(count)):
    digest.update(part.encode() + b'\0')
  digest.update(np.ascontiguousarray(images, np.float32).tobytes())
  digest.update(np.ascontiguousarray(labels, np.int64).tobytes())
  return digest.hexdigest()

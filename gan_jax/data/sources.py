"""Random-access image sources: a tfds dataset or a folder of images.

Each source has `spec`, `num_examples` and `read(indices) -> (images, labels)`, with
images float32 in [-1, 1], shaped (n, H, W, C).
"""
import dataclasses
import functools
import hashlib
import io
import logging
import os
import shutil
import tempfile
import time
import urllib.parse
from pathlib import Path

import numpy as np
from PIL import Image

from gan_jax.data import integrity

IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg')
MANUAL_DIR_ENV = 'GAN_JAX_MANUAL_DIR'


def keep_tensorflow_off_accelerators() -> None:
  """TensorFlow only reads data here: hide the GPUs from it, or it takes their memory beside
  JAX. Entry points call this before anything imports TensorFlow's GPU runtime."""
  import tensorflow as tf
  tf.config.set_visible_devices([], 'GPU')


class DataError(ValueError):
  """A dataset that cannot be found, prepared or read."""


@dataclasses.dataclass(frozen=True)
class DataSpec:
  shape: tuple[int, ...]  # One example: (2,) for points, (H, W, C) for images.
  num_classes: int | None  # None: unlabelled.


def crop_and_resize(image: np.ndarray, size: int | None, center_crop: bool) -> np.ndarray:
  """uint8 (H, W, C), optionally centre-cropped and resized (bilinear); still uint8."""
  if center_crop:
    h, w = image.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    image = image[top:top + side, left:left + side]
  if size is not None and image.shape[:2] != (size, size):
    channels = image.shape[2]
    pil = Image.fromarray(image[..., 0] if channels == 1 else image)
    image = np.asarray(pil.resize((size, size), Image.BILINEAR)).reshape(size, size, channels)
  return image


def to_unit_range(images: np.ndarray) -> np.ndarray:
  """uint8 pixels -> float32 in [-1, 1]."""
  return images.astype(np.float32) / 127.5 - 1.0


def preprocess(image: np.ndarray, size: int | None, center_crop: bool) -> np.ndarray:
  """uint8 (H, W, C) -> float32 in [-1, 1], optionally centre-cropped and resized (bilinear)."""
  return to_unit_range(crop_and_resize(image, size, center_crop))


def output_shape(native: tuple[int, int, int], size: int | None, center_crop: bool):
  h, w, c = native
  if size is not None:
    return (size, size, c)
  if center_crop:
    return (min(h, w), min(h, w), c)
  return (h, w, c)


def missing_manual_files(builder, manual_dir: str) -> list[str]:
  """Official file names the builder downloads that `manual_dir` lacks.

  Only URLs ending in a file name are checked (not e.g. Google Drive ids).
  """
  names = {Path(urllib.parse.urlparse(url).path).name for url in (builder.url_infos or {})}
  return sorted(n for n in names if '.' in n and not (Path(manual_dir) / n).exists())


def _prepare_hint(name: str) -> str:
  return (f'Offline, put the raw files of {name!r} under their official names in a folder and '
          f'pass --config.data.manual_dir=DIR (or set ${MANUAL_DIR_ENV}); MNIST, for example, '
          'needs train-images-idx3-ubyte.gz and its three sibling files.')


def prepare(builder, name: str, manual_dir: str | None) -> None:
  """tfds' download_and_prepare, extracting into a folder of this preparation's own.

  tfds' shared `downloads/extracted` is keyed by file name alone and reused: MNIST,
  Fashion-MNIST and KMNIST have the same four file names, so preparing one after another
  read the first one's images. The private folder (beside the prepared versions, which
  tfds ignores) is deleted afterwards.
  """
  import tensorflow_datasets as tfds
  if manual_dir:  # The user means offline: fail now rather than after network retries.
    missing = missing_manual_files(builder, manual_dir)
    if missing:
      raise DataError(f'config.data.manual_dir={manual_dir!r} lacks {missing}, needed to '
                      f'prepare tfds dataset {name!r}. ' + _prepare_hint(name))
  parent = Path(builder.data_dir).parent
  parent.mkdir(parents=True, exist_ok=True)
  try:
    with tempfile.TemporaryDirectory(prefix='.gan_jax_extract-', dir=parent) as extract_dir:
      builder.download_and_prepare(download_config=tfds.download.DownloadConfig(
          extract_dir=extract_dir, manual_dir=os.path.abspath(manual_dir) if manual_dir else None))
  except Exception as e:  # tfds raises many types (network, checksum, missing file).
    where = f'manual_dir {manual_dir!r}' if manual_dir else 'the network'
    raise DataError(
        f'tfds dataset {name!r} is not prepared in {builder.data_dir} and could not be '
        f'prepared from {where}: {type(e).__name__}: {e}\n' + _prepare_hint(name)) from e


_CHECKED_PREPARATIONS = set()  # (prepared folder, manual_dir) pairs found to match, per process.


def check_prepared(builder, name: str, manual_dir: str, rebuild: bool) -> None:
  """Raises DataError unless the prepared idx dataset `name` holds the examples of the raw
  files in `manual_dir`; with `rebuild`, a mismatching preparation is deleted and made again.

  Only datasets whose raw format gan_jax reads (integrity.IDX_DATASETS) are checked,
  and only when `manual_dir` holds their files.
  """
  files = {f for pair in integrity.IDX_DATASETS.get(name, {}).values() for f in pair}
  if not files or not all((Path(manual_dir) / f).exists() for f in files):
    return
  key = (str(builder.data_dir), os.path.abspath(manual_dir))
  if key in _CHECKED_PREPARATIONS:
    return
  records_of = lambda split: builder.as_data_source(split=split)
  problems = integrity.idx_mismatches(name, records_of, manual_dir)
  if problems and rebuild:
    logging.warning('tfds dataset %r in %s does not match %s (%s): deleting and preparing it '
                    'again (config.data.rebuild_invalid).', name, builder.data_dir, manual_dir,
                    '; '.join(problems))
    shutil.rmtree(builder.data_dir)
    prepare(builder, name, manual_dir)
    problems = integrity.idx_mismatches(name, records_of, manual_dir)
  if problems:
    raise DataError(
        f'The prepared tfds dataset {name!r} in {builder.data_dir} does not hold the examples '
        f'of the files in config.data.manual_dir={manual_dir!r}: ' + '; '.join(problems) + '. '
        'Either it was prepared from another dataset\'s files (tfds before gan_jax\'s fix '
        'reused the extraction of same-named files, e.g. MNIST\'s for Fashion-MNIST) or '
        f'manual_dir holds another dataset. If manual_dir is right, delete {builder.data_dir} '
        'and run again, or add --config.data.rebuild_invalid=True to have gan_jax do it.')
  _CHECKED_PREPARATIONS.add(key)
  logging.info('Checked tfds dataset %r in %s against the files in %s: it matches.', name,
               builder.data_dir, manual_dir)


class TfdsSource:
  """A tfds image dataset prepared as array_record, read by index.

  Offline, tfds prepares from raw files in `manual_dir` (their official names), and
  the idx datasets (MNIST, Fashion-MNIST, KMNIST) are checked against those files
  (check_prepared). A split whose decoded (cropped, resized) uint8 images fit in
  `in_memory_mb` is decoded once, at the first read: decoding a batch of 64 MNIST
  records costs the host ~10 ms of CPU, which on a CPU-only machine slows the train
  step it shares the cores with.
  """

  def __init__(self, name: str, split: str, data_dir: str | None, manual_dir: str | None,
               image_size: int | None, center_crop: bool, in_memory_mb: int = 0,
               rebuild_invalid: bool = False):
    import tensorflow_datasets as tfds  # Heavy; only tfds-backed runs pay for it.
    manual_dir = manual_dir or os.environ.get(MANUAL_DIR_ENV)
    try:
      builder = tfds.builder(name, data_dir=data_dir, file_format='array_record')
    except tfds.core.registered.DatasetNotFoundError as e:
      raise DataError(f"config.data.name={name!r} is no tfds dataset; accepted: 'ring', "
                      "'grid', 'stacked_mnist', 'folder' or a name in tfds.list_builders().") from e
    if not builder.is_prepared():
      prepare(builder, name, manual_dir)
    if manual_dir:
      check_prepared(builder, name, manual_dir, rebuild_invalid)
    features = builder.info.features
    if 'image' not in features:
      raise DataError(f"tfds dataset {name!r} has no 'image' feature; features: {list(features)}.")
    native = tuple(features['image'].shape)
    if None in native[:2] and image_size is None:
      raise DataError(f'tfds dataset {name!r} has images of varying size {native}; '
                      'set config.data.image_size.')
    self._records = builder.as_data_source(split=split)
    self._has_label = 'label' in features
    self._size, self._crop = image_size, center_crop
    self.spec = DataSpec(output_shape(native, image_size, center_crop),
                         features['label'].num_classes if self._has_label else None)
    self.num_examples = len(self._records)
    self._name = f'{name}[{split}]'
    self._identity = (f'tfds {builder.info.full_name} split {split} image_size {image_size} '
                      f'center_crop {center_crop}')
    self._in_memory = self.num_examples * int(np.prod(self.spec.shape)) <= in_memory_mb * 2**20

  @functools.cached_property
  def fingerprint(self) -> str:
    return integrity.fingerprint(self, self._identity)

  def _decode(self, indices) -> tuple[np.ndarray, np.ndarray]:
    """uint8 images (cropped, resized) and int32 labels of records `indices`."""
    records = self._records.__getitems__([int(i) for i in indices])
    images = np.stack([crop_and_resize(r['image'], self._size, self._crop) for r in records])
    labels = np.array([r['label'] if self._has_label else 0 for r in records], np.int32)
    return images, labels

  @functools.cached_property
  def _split_in_memory(self) -> tuple[np.ndarray, np.ndarray]:
    """The whole split through _decode, at the first read: a source built only for its spec
    or size (evaluation references, standalone commands) decodes nothing."""
    start, chunk = time.perf_counter(), 2048
    parts = [self._decode(range(first, min(first + chunk, self.num_examples)))
             for first in range(0, self.num_examples, chunk)]
    images, labels = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    logging.info('Decoded %d images of %s into memory (%.0f MB) in %.1f s.', self.num_examples,
                 self._name, images.nbytes / 2**20, time.perf_counter() - start)
    return images, labels

  def read(self, indices: np.ndarray):
    if self._in_memory:
      images, labels = (part[indices] for part in self._split_in_memory)
    else:
      images, labels = self._decode(indices)
    return to_unit_range(images), labels


def list_images(root: Path) -> tuple[list[Path], list[str]]:
  """Image files under `root`, sorted; class names when every file is in a first-level subfolder."""
  files = sorted(p for p in root.rglob('*') if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
  if not files:
    raise DataError(f'config.data.path={str(root)!r} holds no {"/".join(IMAGE_SUFFIXES)} files.')
  in_subfolders = all(len(p.relative_to(root).parts) == 2 for p in files)
  classes = sorted({p.relative_to(root).parts[0] for p in files}) if in_subfolders else []
  return files, classes


def check_readable(files: list[Path]) -> str:
  """Decodes every file once, so a bad file is named up front, never silently dropped.

  Returns the sha256 of the files' bytes, in order: the folder's content for fingerprints
  (no second pass over the files).
  """
  bad, digest = [], hashlib.sha256()
  for path in files:
    try:
      content = path.read_bytes()
      with Image.open(io.BytesIO(content)) as image:
        image.load()
      digest.update(hashlib.sha256(content).digest())
    except Exception as e:  # PIL raises OSError, SyntaxError, ValueError, ... for bad files.
      bad.append(f'{path}: {type(e).__name__}: {e}')
  if bad:
    listing = '\n  '.join(bad[:20]) + (f'\n  ... and {len(bad) - 20} more' if len(bad) > 20 else '')
    raise DataError(f'{len(bad)} unreadable image file(s) in config.data.path:\n  {listing}\n'
                    'Remove or fix them; gan_jax does not skip files silently.')
  return digest.hexdigest()


def files_identity(files: list[Path], root: Path, content: str) -> str:
  """Every file's name (under `root`) and bytes (`content`: check_readable's digest), for a
  folder source's fingerprint: an edited, added or renamed image changes it."""
  names = '\n'.join(str(p.relative_to(root)) for p in files)
  return f'files {hashlib.sha256(names.encode()).hexdigest()} content {content}'


def layout_folder(root: str, name: str, split: str, layout: str) -> Path:
  """<root>/<name>, the folder of config.data.split `split` in a dataset's folder layout; a
  DataError listing the folders root holds if it is missing."""
  folder = Path(root) / name
  if not folder.is_dir():
    held = sorted(p.name for p in Path(root).iterdir() if p.is_dir()) if Path(root).is_dir() else []
    raise DataError(f'config.data.split={split!r}: {folder} is not a folder; config.data.path='
                    f'{root!r} holds {held or "no folders"} (the layout: {layout}).')
  return folder


def common_size(files: list[Path], folder: Path) -> tuple[int, int]:
  """The (width, height) every file has; a DataError naming the files of each size if not."""
  by_size = {}
  for path in files:
    with Image.open(path) as image:  # Reads the header only.
      by_size.setdefault(image.size, []).append(path.name)
  if len(by_size) > 1:
    listing = '\n  '.join(f'{w}x{h}: {len(names)} file(s), e.g. {", ".join(names[:3])}'
                          for (w, h), names in sorted(by_size.items(), key=lambda kv: -len(kv[1])))
    raise DataError(f'The images in {folder} differ in size:\n  {listing}\nSet '
                    'config.data.image_size to resize them all, or make them one size.')
  return next(iter(by_size))


class FolderSource:
  """PNG/JPEG files under a folder; first-level subfolders become class labels. Resized to
  image_size x image_size, or kept at their size (image_size None), which they must share."""

  def __init__(self, path: str, image_size: int | None, channels: int, center_crop: bool):
    root = Path(path)
    if not root.is_dir():
      raise DataError(f'config.data.path={path!r} is not a folder.')
    self._files, classes = list_images(root)
    content = check_readable(self._files)
    self._labels = np.array([classes.index(p.relative_to(root).parts[0]) if classes else 0
                             for p in self._files], np.int32)
    self._mode = {1: 'L', 3: 'RGB'}[channels]
    self._size, self._crop = image_size, center_crop
    native = (None, None) if image_size else common_size(self._files, root)[::-1]
    self.spec = DataSpec(output_shape(native + (channels,), image_size, center_crop),
                         len(classes) or None)
    self.num_examples = len(self._files)
    self._identity = (f'folder {files_identity(self._files, root, content)} classes {classes} '
                      f'center_crop {center_crop}')

  @functools.cached_property
  def fingerprint(self) -> str:
    return integrity.fingerprint(self, self._identity)

  def _load(self, path: Path) -> np.ndarray:
    try:
      with Image.open(path) as image:
        array = np.asarray(image.convert(self._mode))
    except Exception as e:  # The file changed since the check: still name it.
      raise DataError(f'Cannot read image {path}: {e}') from e
    return preprocess(array.reshape(array.shape[:2] + (-1,)), self._size, self._crop)

  def read(self, indices: np.ndarray):
    images = np.stack([self._load(self._files[i]) for i in indices])
    return images, self._labels[indices]

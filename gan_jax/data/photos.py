"""Folders of photographs for super-resolution (config.data.name='photo_folder'): DIR/train/
holds photographs of any sizes, read as random HR crops; every other split (DIR/test/, ...)
holds whole images of one size, cropped at the bottom and right to a multiple of
config.data.crop_multiple (the SR scale) as SR benchmarks do."""
import functools
import hashlib
from pathlib import Path

import numpy as np
from PIL import Image

from gan_jax.data import integrity, sources

NAME = 'photo_folder'
CROPPED_SPLIT = 'train'  # The split read as random crops.
LAYOUT = 'train/ (photographs of any size, read as random crops) and test/ (one size, whole)'


def load_uint8(path: Path, channels: int) -> np.ndarray:
  """One image file as uint8 (H, W, channels)."""
  try:
    with Image.open(path) as image:
      array = np.asarray(image.convert({1: 'L', 3: 'RGB'}[channels]))
  except Exception as e:  # The file changed since the check: still name it.
    raise sources.DataError(f'Cannot read image {path}: {e}') from e
  return array.reshape(array.shape[:2] + (channels,))


def crop_corner(seed: int, example: int, shape: tuple, crop_size: int) -> tuple[int, int]:
  """(top, left) of example `example`'s crop of an image of `shape`: uniform over the image,
  drawn from (seed, example) alone, so every read (and every resume) takes the same crop."""
  rng = np.random.default_rng([seed, example])
  return (int(rng.integers(0, shape[0] - crop_size + 1)),
          int(rng.integers(0, shape[1] - crop_size + 1)))


class RandomCrops:
  """Each photograph of a folder as `crops_per_image` examples, example k of photograph i
  (index i * crops_per_image + k) its crop_size x crop_size crop at crop_corner's place. The
  photographs are decoded once and kept: a folder of a few dozen."""

  def __init__(self, folder: Path, crop_size: int, crops_per_image: int, channels: int,
               seed: int):
    self._files, _ = sources.list_images(folder)
    content = sources.check_readable(self._files)
    self._images = [load_uint8(path, channels) for path in self._files]
    small = [f'{path.name} ({image.shape[1]}x{image.shape[0]})'
             for path, image in zip(self._files, self._images) if min(image.shape[:2]) < crop_size]
    if small:
      raise sources.DataError(f'config.data.crop_size={crop_size}: {len(small)} image(s) in '
                              f'{folder} are smaller: {", ".join(small[:10])}. Lower crop_size '
                              'or remove them.')
    self._crop, self._per_image, self._seed = crop_size, crops_per_image, seed
    self.spec = sources.DataSpec((crop_size, crop_size, channels), None)
    self.num_examples = len(self._files) * crops_per_image
    self._identity = (f'photo crops of {sources.files_identity(self._files, folder, content)} '
                      f'crop {crop_size} x{crops_per_image} seed {seed}')

  @functools.cached_property
  def fingerprint(self) -> str:
    return integrity.fingerprint(self, self._identity)

  def read(self, indices: np.ndarray):
    crops = []
    for example in np.asarray(indices):
      image = self._images[example // self._per_image]
      top, left = crop_corner(self._seed, int(example), image.shape, self._crop)
      crops.append(image[top:top + self._crop, left:left + self._crop])
    return sources.to_unit_range(np.stack(crops)), np.zeros(len(crops), np.int32)


class CroppedToMultiple:
  """A source of one image size with its images cropped at the bottom and right to a
  multiple of `multiple`."""

  def __init__(self, source, multiple: int):
    height, width, channels = source.spec.shape
    self._source = source
    self._height, self._width = height - height % multiple, width - width % multiple
    if not (self._height and self._width):
      raise sources.DataError(f'config.data.crop_multiple={multiple}: the {height}x{width} '
                              'images have no whole multiple of it.')
    self.spec = sources.DataSpec((self._height, self._width, channels), source.spec.num_classes)
    self.num_examples = source.num_examples
    self.fingerprint = hashlib.sha256(
        f'{source.fingerprint};cropped to a multiple of {multiple}'.encode()).hexdigest()

  def read(self, indices: np.ndarray):
    images, labels = self._source.read(indices)
    return images[:, :self._height, :self._width], labels


def photo_source(data, seed: int):
  """config.data's split of a photo folder: random crops of DIR/train (data.crop_size, 0:
  whole images), whole images of another split."""
  folder = sources.layout_folder(data.path, data.split, data.split, LAYOUT)
  channels = data.channels or 3
  if data.split == CROPPED_SPLIT and data.crop_size:
    return RandomCrops(folder, data.crop_size, data.crops_per_image, channels, seed)
  return CroppedToMultiple(sources.FolderSource(str(folder), None, channels, False),
                           data.crop_multiple)

"""Paired image folders in the layout of pix2pix's datasets (facades, maps, edges2shoes, ...):
config.data.path holds one folder per split (train/, val/, test/), each image file the input
and the target side by side; config.data.input_side says which half is the input. As a
source (the evaluators' reference images) it reads the targets; its pairs() read both."""
import functools
import hashlib

import numpy as np
from PIL import Image

from gan_jax.data import integrity, sources

SIDES = ('left', 'right')


class SideBySideFiles:
  """The files of one split, each cut into its left and right halves (resized to image_size
  x image_size when set; otherwise every file must share one size of even width)."""

  def __init__(self, root: str, split: str, channels: int, image_size: int | None):
    self.folder = sources.layout_folder(root, split, split,
                                        'one folder per split, e.g. train/, val/, test/')
    self.files, _ = sources.list_images(self.folder)
    content = sources.check_readable(self.files)
    odd = []
    for path in self.files:
      with Image.open(path) as image:  # Reads the header only.
        odd += [path.name] if image.size[0] % 2 else []
    if odd:
      raise sources.DataError(f'{len(odd)} image(s) in {self.folder} have an odd width, so they '
                              f'are no input | target halves: {", ".join(odd[:5])}.')
    if image_size is None:
      width, height = sources.common_size(self.files, self.folder)
      self.shape = (height, width // 2, channels)
    else:
      self.shape = (image_size, image_size, channels)
    self._mode, self._size = {1: 'L', 3: 'RGB'}[channels], image_size
    names = '\n'.join(p.name for p in self.files)
    self.identity = (f'side-by-side files {hashlib.sha256(names.encode()).hexdigest()} content '
                     f'{content} size {image_size}')

  def halves(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(left halves, right halves) of files `indices`, float32 in [-1, 1]."""
    lefts, rights = [], []
    for i in indices:
      with Image.open(self.files[i]) as image:
        array = np.asarray(image.convert(self._mode))
      array = array.reshape(array.shape[:2] + (-1,))
      half = array.shape[1] // 2
      lefts.append(sources.preprocess(array[:, :half], self._size, False))
      rights.append(sources.preprocess(array[:, half:], self._size, False))
    return np.stack(lefts), np.stack(rights)


class SideBySidePairs:
  """read(indices) -> {'input', 'image' (the target), 'label' (0: unlabelled)}."""

  def __init__(self, files: SideBySideFiles, input_side: str):
    self.files, self.input_side = files, input_side
    self.spec = sources.DataSpec(files.shape, None)
    self.num_examples = len(files.files)
    self.recipe = {'side_by_side': str(files.folder), 'input_side': input_side}
    self.fingerprint = hashlib.sha256(f'{files.identity} input {input_side}'.encode()).hexdigest()

  def read(self, indices: np.ndarray) -> dict:
    left, right = self.files.halves(indices)
    inputs, targets = (left, right) if self.input_side == 'left' else (right, left)
    return {'input': inputs, 'image': targets, 'label': np.zeros(len(indices), np.int32)}


class SideBySideSource:
  """The targets of a split's side-by-side files as a source: read -> (targets, labels 0)."""

  def __init__(self, root: str, split: str, channels: int, image_size: int | None,
               input_side: str):
    self._pairs = SideBySidePairs(SideBySideFiles(root, split, channels, image_size), input_side)
    self.spec, self.num_examples = self._pairs.spec, self._pairs.num_examples

  @functools.cached_property
  def fingerprint(self) -> str:
    return integrity.fingerprint(self, f'targets of {self._pairs.fingerprint}')

  def pairs(self) -> SideBySidePairs:
    return self._pairs

  def read(self, indices: np.ndarray):
    read = self._pairs.read(indices)
    return read['image'], read['label']

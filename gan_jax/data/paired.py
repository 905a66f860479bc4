"""Pairs derived from any image dataset: the dataset's image is the target, a known function
of it the input. Such pairs make translation, restoration and super-resolution tasks with a
ground truth out of MNIST or Fashion-MNIST, offline (CoGAN's MNIST <-> edges and negatives,
Context Encoders' holes, denoising, bicubic low resolution).

Images are float32 [N, H, W, C] in [-1, 1], as sources give them. A derivation's randomness
(a hole's place, the noise) comes from (seed, example index) only, so an example's input
is the same in every batch, on every device count and after a resume.
"""
import hashlib
import json
from typing import Callable

import ml_collections
import numpy as np
import scipy.ndimage
from PIL import Image

from gan_jax.config import fields
from gan_jax.config.errors import ConfigError

# Each derivation's parameters and their defaults: config.pairs.<derivation>_<parameter>.
FIELDS = {
    'edges': {'threshold': 0.25},  # Sobel magnitude (1: a full black-to-white step).
    'negative': {},
    'thicken': {'size': 3},  # Grey dilation by a size x size square.
    'mask': {'size': 14, 'placement': 'centre'},  # A size x size hole, 'centre' | 'random'.
    'noise': {'std': 0.5},  # Additive Gaussian noise on the [-1, 1] scale (0.5: 64/255).
    'downsample': {'scale': 4},  # Bicubic with antialiasing (PIL's), H and W divided by scale.
}
DERIVATIONS = tuple(FIELDS)
MASK_PLACEMENTS = ('centre', 'random')
HOLE_VALUE = 0.0  # Mid-grey: neither background nor stroke in [-1, 1].


def example_rng(seed: int, example: int) -> np.random.Generator:
  return np.random.default_rng((seed, int(example)))


def negative(images: np.ndarray) -> np.ndarray:
  return -images


def edges(images: np.ndarray, threshold: float) -> np.ndarray:
  """1 where the luma's Sobel gradient magnitude exceeds `threshold`, -1 elsewhere.

  The luma is the channels' mean on [0, 1]; the magnitude is divided by 4 (the Sobel
  kernel's weight) so a step from 0 to 1 has magnitude 1. Borders repeat the edge pixel:
  a flat image has no edges.
  """
  luma = (images.mean(axis=-1) + 1.0) / 2.0
  # Sobel over rows and columns only (ndimage.sobel would smooth across the batch axis too).
  sobel = lambda x, derivative_axis, smooth_axis: scipy.ndimage.correlate1d(
      scipy.ndimage.correlate1d(x, [-1, 0, 1], axis=derivative_axis, mode='nearest'),
      [1, 2, 1], axis=smooth_axis, mode='nearest')
  edge = np.hypot(sobel(luma, 2, 1), sobel(luma, 1, 2)) / 4.0 > threshold
  return np.broadcast_to(np.where(edge, 1.0, -1.0)[..., None], images.shape).astype(np.float32)


def thicken(images: np.ndarray, size: int) -> np.ndarray:
  """Every pixel becomes the maximum of the size x size square around it (strokes widen)."""
  return scipy.ndimage.grey_dilation(images, size=(1, size, size, 1), mode='nearest')


def hole_corners(shape: tuple, size: int, placement: str, seed: int,
                 examples: np.ndarray) -> np.ndarray:
  """Each image's hole's top-left (row, column): centred, or uniform over the fitting ones."""
  _, height, width, _ = shape
  if placement == 'centre':
    return np.tile([(height - size) // 2, (width - size) // 2], (len(examples), 1))
  return np.array([example_rng(seed, e).integers(0, [height - size + 1, width - size + 1])
                   for e in examples])


def mask(images: np.ndarray, size: int, placement: str, seed: int,
         examples: np.ndarray) -> np.ndarray:
  """A size x size hole of HOLE_VALUE in each image (inpainting's input)."""
  masked = images.copy()
  for image, (row, column) in zip(masked, hole_corners(images.shape, size, placement, seed,
                                                       examples)):
    image[row:row + size, column:column + size] = HOLE_VALUE
  return masked


def noise(images: np.ndarray, std: float, seed: int, examples: np.ndarray) -> np.ndarray:
  """images + std * N(0, 1), clipped to [-1, 1] as a stored image would be."""
  noisy = [image + std * example_rng(seed, e).standard_normal(image.shape)
           for image, e in zip(images, examples)]
  return np.clip(np.stack(noisy), -1.0, 1.0).astype(np.float32)


def bicubic_resize(images: np.ndarray, height: int, width: int) -> np.ndarray:
  """PIL's bicubic resize (antialiased when shrinking) of each channel in float."""
  n, in_height, in_width, channels = images.shape
  planes = [np.asarray(Image.fromarray(plane, mode='F').resize((width, height), Image.BICUBIC))
            for plane in np.moveaxis(images.astype(np.float32), 3, 1).reshape(-1, in_height,
                                                                              in_width)]
  return np.moveaxis(np.stack(planes).reshape(n, channels, height, width), 1, 3)


def downsample(images: np.ndarray, scale: int) -> np.ndarray:
  """Bicubic downsampling by `scale` with antialiasing, per channel in float (PIL's; it
  matches TensorFlow's and JAX's antialiased bicubic resize to float rounding)."""
  return bicubic_resize(images, images.shape[1] // scale, images.shape[2] // scale)


def upsample(images: np.ndarray, scale: int) -> np.ndarray:
  """Bicubic upsampling by `scale`, per channel in float (PIL's): super-resolution's baseline."""
  return bicubic_resize(images, images.shape[1] * scale, images.shape[2] * scale)


def add_fields(config: ml_collections.ConfigDict, derivation: str) -> None:
  """config.pairs: which derivation makes the inputs, and every derivation's parameters."""
  config.pairs = ml_collections.ConfigDict()
  config.pairs.derivation = derivation  # One of DERIVATIONS.
  for name, params in FIELDS.items():
    for param, value in params.items():
      config.pairs[f'{name}_{param}'] = value


def params_of(pairs: ml_collections.ConfigDict) -> dict:
  name = pairs.derivation
  return {param: pairs[f'{name}_{param}'] for param in FIELDS[name]}


def quantized(derive: Callable) -> Callable:
  """`derive` with its output on the 256 levels of uint8 pixels, as an image file holds it
  (bicubic's overshoot clipped to 0..255): a super-resolution model and the bicubic baseline
  both read the LR image's file."""
  return lambda images, **params: np.clip(np.round((derive(images, **params) + 1) * 127.5),
                                          0, 255) / 127.5 - 1


def derivation_fn(pairs: ml_collections.ConfigDict, seed: int) -> Callable:
  """(images, example indices) -> the inputs config.pairs derives from them."""
  name, params = pairs.derivation, params_of(pairs)
  deterministic = {'edges': edges, 'negative': negative, 'thicken': thicken,
                   'downsample': quantized(downsample)}
  if name in deterministic:
    return lambda images, examples: deterministic[name](images, **params)
  random = {'mask': mask, 'noise': noise}[name]
  return lambda images, examples: random(images, seed=seed, examples=examples, **params)


def check(config: ml_collections.ConfigDict, accepted: tuple[str, ...] = DERIVATIONS) -> None:
  """ConfigError naming the config.pairs field and the accepted values (needs no data)."""
  fields.one_of('pairs.derivation', config.pairs.derivation, accepted)
  name = config.pairs.derivation
  if name == 'mask':
    fields.one_of('pairs.mask_placement', config.pairs.mask_placement, MASK_PLACEMENTS)
  positive = {'mask': 'mask_size', 'thicken': 'thicken_size', 'downsample': 'downsample_scale'}
  if name in positive:
    fields.positive(config, f'pairs.{positive[name]}')
  if name == 'noise':
    fields.non_negative(config, 'pairs.noise_std')


def check_data(pairs: ml_collections.ConfigDict, image_shape: tuple) -> None:
  """The derivation's rules for the data's image size."""
  name, params, (height, width) = pairs.derivation, params_of(pairs), image_shape[:2]
  if name == 'mask' and params['size'] > min(height, width):
    raise ConfigError(f'config.pairs.mask_size={params["size"]} must be at most '
                      f'{min(height, width)} for {height}x{width} images.')
  if name == 'downsample' and (height % params['scale'] or width % params['scale']):
    raise ConfigError(f'config.pairs.downsample_scale={params["scale"]} must divide the image '
                      f'size {height}x{width} (e.g. 2 or 4 for 28x28).')


class DerivedPairs:
  """A source's examples as pairs: read(indices) -> {'input': derived, 'image': the source's
  image (the target), 'label'}. Its fingerprint covers the derivation."""

  def __init__(self, source, pairs: ml_collections.ConfigDict, seed: int):
    self.source, self.derive = source, derivation_fn(pairs, seed)
    self.spec, self.num_examples = source.spec, source.num_examples
    self.recipe = {'derivation': pairs.derivation, **params_of(pairs)}
    recipe = json.dumps({**self.recipe, 'seed': seed}, sort_keys=True)
    self.fingerprint = hashlib.sha256(f'{source.fingerprint};{recipe}'.encode()).hexdigest()

  def read(self, indices: np.ndarray) -> dict:
    images, labels = self.source.read(indices)
    return {'input': self.derive(images, np.asarray(indices)), 'image': images, 'label': labels}


def pairs_of(source, pairs: ml_collections.ConfigDict, seed: int):
  """The pairs of `source`: its own where it holds pairs (side-by-side folders), else the
  ones config.pairs derives from its images."""
  return source.pairs() if hasattr(source, 'pairs') else DerivedPairs(source, pairs, seed)

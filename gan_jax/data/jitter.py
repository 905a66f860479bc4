"""pix2pix's and CycleGAN's random jitter of training images, on device: each image resized
up to config.jitter.load_size (bicubic) and cropped back to its size at a random place, and
mirrored left-right with probability 1/2 when config.jitter.flip (the papers: 256 -> 286 ->
a 256 crop, and mirroring). The images of one pair (pix2pix's input and target) share their
crop and mirror. Each example's draw comes from its own key
(common.example_keys.per_example_keys), so 1 device = N and a resume replays the same crops."""
import jax
import jax.numpy as jnp
import ml_collections
from jax import lax

from gan_jax.config import fields
from gan_jax.config.errors import ConfigError


def add_fields(config: ml_collections.ConfigDict) -> None:
  config.jitter = ml_collections.ConfigDict()
  config.jitter.load_size = 0  # Resize square images to this, then crop back; 0: no crop.
  config.jitter.flip = False  # Mirror left-right with probability 1/2 (not for digits).


def check(config: ml_collections.ConfigDict) -> None:
  fields.non_negative(config, 'jitter.load_size')


def check_data(jitter: ml_collections.ConfigDict, image_shape: tuple) -> None:
  height, width = image_shape[:2]
  if jitter.load_size and (height != width or jitter.load_size < height):
    raise ConfigError(f'config.jitter.load_size={jitter.load_size} must be 0 or at least the '
                      f'side of square images, but they are {height}x{width}.')


def is_on(jitter: ml_collections.ConfigDict) -> bool:
  return bool(jitter.load_size) or jitter.flip


def crop_origin(key: jax.Array, load_size: int, size: int) -> jax.Array:
  """(row, column) of the crop's top-left corner, each uniform over 0 .. load_size - size."""
  return jax.random.randint(key, (2,), 0, load_size - size + 1)


def jitter_example(images: tuple, key: jax.Array, load_size: int, flip: bool) -> tuple:
  """One draw (crop place, mirror) applied to each HWC image of `images` (same size)."""
  crop_key, flip_key = jax.random.split(key)
  height, width, _ = images[0].shape
  mirrored = jax.random.bernoulli(flip_key) if flip else False
  row, column = crop_origin(crop_key, load_size, height) if load_size else (0, 0)

  def one(image):
    if load_size:
      # Clipped as a resized image file is: bicubic overshoots at sharp edges.
      image = jnp.clip(jax.image.resize(image, (load_size, load_size, image.shape[-1]),
                                        'bicubic'), -1.0, 1.0)
      image = lax.dynamic_slice(image, (row, column, 0), (height, width, image.shape[-1]))
    return jnp.where(mirrored, image[:, ::-1], image) if flip else image
  return tuple(one(image) for image in images)


def jitter_batch(images: tuple, keys: jax.Array, jitter: ml_collections.ConfigDict) -> tuple:
  """jitter_example on each example of the NHWC batches `images`, with keys[i] for example i;
  unchanged when the jitter is off."""
  if not is_on(jitter):
    return images
  return jax.vmap(lambda key, *example: jitter_example(example, key, jitter.load_size,
                                                       jitter.flip))(keys, *images)

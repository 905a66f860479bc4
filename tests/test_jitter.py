"""The random jitter of translation training images (gan_jax/data/jitter.py): each example's
crop of its bicubic upsampling against PIL's resize cropped by hand, the pair's shared draw,
every crop place and both mirrorings drawn, 1 device = 4, and its config errors."""
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest
from PIL import Image

from gan_jax.common.example_keys import per_example_keys
from gan_jax.config.errors import ConfigError
from gan_jax.data import jitter
from gan_jax.data.sources import DataSpec
from gan_jax.run import loop
from gan_jax.run.checks import check_config
from gan_jax.tasks.cyclegan import config as cyclegan_config
from gan_jax.tasks.pix2pix import config as pix2pix_config
from test_train import assert_finite, load_config

SIZE, LOAD = 8, 11


def settings(load_size=LOAD, flip=True):
  return ml_collections.ConfigDict({'load_size': load_size, 'flip': flip})


def draws(keys):
  """Each key's (row, column, mirrored), as jitter_example splits it."""
  out = []
  for key in keys:
    crop_key, flip_key = jax.random.split(key)
    row, column = np.asarray(jitter.crop_origin(crop_key, LOAD, SIZE))
    out.append((int(row), int(column), bool(jax.random.bernoulli(flip_key))))
  return out


def by_hand(image, row, column, mirrored):
  """PIL's bicubic resize of each channel, clipped, cropped and mirrored with numpy."""
  planes = [np.asarray(Image.fromarray(image[..., c], mode='F').resize((LOAD, LOAD),
                                                                       Image.BICUBIC))
            for c in range(image.shape[-1])]
  crop = np.clip(np.stack(planes, -1), -1, 1)[row:row + SIZE, column:column + SIZE]
  return crop[:, ::-1] if mirrored else crop


def test_crops_and_mirrors_against_pil_and_the_pair_shares_its_draw():
  rng = np.random.default_rng(0)
  images = rng.uniform(-1, 1, (6, SIZE, SIZE, 2)).astype(np.float32)
  keys = jax.random.split(jax.random.PRNGKey(3), 6)
  out, twin = jitter.jitter_batch((images, images), keys, settings())
  for image, result, draw in zip(images, np.asarray(out), draws(keys)):
    np.testing.assert_allclose(result, by_hand(image, *draw), atol=1e-5)
  np.testing.assert_array_equal(out, twin)  # Input and target: one crop, one mirroring.


def test_every_place_and_both_mirrorings_are_drawn():
  picked = draws(jax.random.split(jax.random.PRNGKey(0), 400))
  places = {(row, column) for row, column, _ in picked}
  assert places == {(r, c) for r in range(LOAD - SIZE + 1) for c in range(LOAD - SIZE + 1)}
  assert 0.4 < np.mean([m for _, _, m in picked]) < 0.6


def test_off_is_the_identity_and_load_size_alone_never_mirrors():
  images = np.random.default_rng(1).uniform(-1, 1, (3, SIZE, SIZE, 1)).astype(np.float32)
  keys = jax.random.split(jax.random.PRNGKey(0), 3)
  assert jitter.jitter_batch((images,), keys, settings(0, False))[0] is images
  (same,) = jitter.jitter_batch((images,), keys, settings(SIZE, False))  # Resize to itself.
  np.testing.assert_allclose(same, images, atol=1e-6)
  (cropped,) = jitter.jitter_batch((images,), keys, settings(LOAD, False))
  for image, result, (row, column, _) in zip(images, np.asarray(cropped), draws(keys)):
    np.testing.assert_allclose(result, by_hand(image, row, column, False), atol=1e-5)


def test_one_device_equals_four():
  images = np.random.default_rng(2).uniform(-1, 1, (8, SIZE, SIZE, 1)).astype(np.float32)
  key = jax.random.PRNGKey(5)

  def run(devices):
    fn = jax.pmap(lambda x: jitter.jitter_batch((x,), per_example_keys(key, x.shape[0]),
                                                settings())[0],
                  axis_name='batch', devices=jax.devices()[:devices])
    return np.asarray(fn(jnp.asarray(images).reshape(devices, -1, SIZE, SIZE, 1))).reshape(
        images.shape)
  np.testing.assert_array_equal(run(1), run(4))


def test_config_and_data_errors():
  config = load_config('pix2pix_mnist_inpainting')
  config.jitter.load_size = -1
  with pytest.raises(ConfigError, match=r'config.jitter.load_size=-1 must be >= 0'):
    check_config(config)
  config.jitter.load_size = 20
  with pytest.raises(ConfigError, match=r'load_size=20 must be 0 or at least the side of '
                                        r'square images, but they are 28x28'):
    pix2pix_config.check_data(config, (28, 28, 1))
  config = load_config('cyclegan_mnist_thicken')
  config.jitter.load_size = 32
  with pytest.raises(ConfigError, match=r'but they are 28x32'):
    cyclegan_config.check_data(config, {d: DataSpec((28, 32, 1), 10) for d in 'ab'})


@pytest.mark.parametrize('config_name,batches', [('pix2pix_mnist_inpainting', [2]),
                                                  ('cyclegan_mnist_thicken', [1, 1])])
def test_each_task_jitters_its_training_batches(config_name, batches, tmp_path, mock_tfds,
                                                monkeypatch):
  """The step jitters each stream's batch (pix2pix: input and target together; CycleGAN:
  each domain on its own) with config.jitter, and trains."""
  config = load_config(config_name)
  config.evals = ml_collections.ConfigDict()
  config.train.num_steps = 2
  config.jitter.update(load_size=32, flip=True)
  calls = []

  def spy(images, keys, settings):
    calls.append((len(images), settings.to_dict()))
    return jitter_batch(images, keys, settings)
  jitter_batch = jitter.jitter_batch
  monkeypatch.setattr(jitter, 'jitter_batch', spy)
  with mock_tfds(num_examples=64):
    state = loop.train_and_evaluate(config, str(tmp_path))
  assert_finite(state)
  assert calls == [(n, {'load_size': 32, 'flip': True}) for n in batches]  # Traced once.

"""Photo folders for super-resolution: random HR crops of the training photographs against
numpy slices at their drawn places (the same on every read), whole test images cropped to a
multiple of the scale, the errors (a photograph smaller than the crop, a crop multiple the
scale does not divide), and the offline sample photographs end to end (SRResNet x4, PSNR on
the luma beside bicubic, --mode translate)."""
import json

import ml_collections
import numpy as np
import pytest

from gan_jax.config.errors import ConfigError
from gan_jax.data import photos, pipeline, sources
from gan_jax.run import loop, standalone
from gan_jax.run.checks import check_config
from gan_jax.tools import sample_photos
from test_train import load_config, write_images


def photo_data(root, split, crop_size=0, crop_multiple=1, per_image=5):
  return ml_collections.ConfigDict(dict(name='photo_folder', path=str(root), split=split,
                                        channels=3, crop_size=crop_size,
                                        crops_per_image=per_image, crop_multiple=crop_multiple,
                                        classes=()))


def as_uint8(images):
  """[-1, 1] pixels back to the file's uint8 values."""
  return np.round((images + 1) * 127.5).astype(np.uint8)


def test_random_crops_are_slices_at_their_drawn_places(tmp_path):
  small = write_images(tmp_path / 'train' / 'a', 2, 20, 30)
  large = write_images(tmp_path / 'train' / 'b', 1, 40, 25, seed=1)
  source = pipeline.create_source(photo_data(tmp_path, 'train', crop_size=16), seed=3)
  assert source.spec.shape == (16, 16, 3) and source.num_examples == 3 * 5
  indices = np.arange(source.num_examples)
  crops, labels = source.read(indices)
  photographs = [small[0], small[1], large[0]]  # File order: a/000, a/001, b/000.
  for example in indices:
    image = photographs[example // 5]
    top, left = photos.crop_corner(3, int(example), image.shape, 16)
    assert 0 <= top <= image.shape[0] - 16 and 0 <= left <= image.shape[1] - 16
    np.testing.assert_array_equal(as_uint8(crops[example]), image[top:top + 16, left:left + 16])
  np.testing.assert_array_equal(source.read(indices[::-1])[0], crops[::-1])  # Any order.
  assert not labels.any()
  places = {photos.crop_corner(3, e, (40, 25), 16) for e in range(100)}
  assert len(places) > 50  # Spread over the photograph, not one place.
  other_seed = pipeline.create_source(photo_data(tmp_path, 'train', crop_size=16), seed=4)
  assert other_seed.fingerprint != source.fingerprint


def test_test_images_are_whole_cropped_to_the_multiple(tmp_path):
  images = write_images(tmp_path / 'test', 2, 38, 35)
  source = pipeline.create_source(photo_data(tmp_path, 'test', crop_size=16, crop_multiple=4),
                                  seed=0)
  assert source.spec.shape == (36, 32, 3)
  np.testing.assert_array_equal(as_uint8(source.read(np.arange(2))[0]), images[:, :36, :32])


def test_photo_folder_errors(tmp_path):
  write_images(tmp_path / 'train', 1, 20, 12)
  with pytest.raises(sources.DataError, match=r'crop_size=16: 1 image\(s\) in .*train are '
                                              r'smaller: 000.png \(12x20\)'):
    pipeline.create_source(photo_data(tmp_path, 'train', crop_size=16), seed=0)
  with pytest.raises(sources.DataError, match=r"split='val': .*val is not a folder; "
                                              r"config.data.path=.* holds \['train'\]"):
    pipeline.create_source(photo_data(tmp_path, 'val'), seed=0)
  config = load_config('srresnet_photos')
  config.data.path, config.data.crop_multiple = str(tmp_path), 2
  with pytest.raises(ConfigError, match=r'crop_multiple=2: .*pairs.downsample_scale=4 must divide'):
    check_config(config)


def test_sample_photographs_end_to_end(tmp_path):
  """The offline photographs (not Set5: named as what they are) train SRResNet x4 for the
  tiny run's steps; PSNR/SSIM on the luma of the 3 whole 256x256 test crops beside bicubic."""
  sample_photos.write(tmp_path / 'photos')
  config = load_config('srresnet_photos')
  config.data.path = str(tmp_path / 'photos')
  loop.train_and_evaluate(config, str(tmp_path / 'run'))
  records = {r['metric']: r for r in map(json.loads, (tmp_path / 'run' / 'metrics.jsonl').open())}
  assert records['psnr']['protocol']['examples'] == 3 and records['psnr']['protocol']['luma']
  assert 24 < records['bicubic_psnr']['value'] < 35  # Bicubic x4 on photographs (Set5: 28.4).
  out = standalone.run_mode(config, str(tmp_path / 'run'), 'translate', None, {})
  saved = np.load(out / 'translations.npz')
  assert {k: v.shape for k, v in saved.items()} == {
      'inputs': (3, 64, 64, 3), 'outputs': (3, 256, 256, 3), 'targets': (3, 256, 256, 3)}

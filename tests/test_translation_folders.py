"""Translation datasets as folders and tfds: pix2pix's side-by-side pairs (train/, val/,
test/) and CycleGAN's two domains (trainA/, trainB/, testA/, testB/; tfds cycle_gan), read
against the files written here; their errors (sizes, odd widths, a missing split, a ground
truth that does not exist) before compilation; each task trained on them with --mode
translate."""
import json

import numpy as np
import pytest
from PIL import Image

from gan_jax.config.errors import ConfigError
from gan_jax.data import domains, sources, unpaired
from gan_jax.eval import context as eval_context
from gan_jax.eval.evaluators import translation
from gan_jax.run import loop, standalone
from gan_jax.run.checks import check_config
from gan_jax.tasks import cyclegan, pix2pix
from test_train import load_config, write_images

SIDE = 8  # write_images' default size.


def unit(images):
  return images.astype(np.float32) / 127.5 - 1


def side_by_side_config(root, **data):
  config = load_config('pix2pix_mnist_inpainting')
  config.data.update(name='side_by_side', path=str(root), channels=3, **data)
  del config.evals['label_preservation']  # Needs labels; checked below.
  return config


def test_side_by_side_pairs_are_the_halves_of_each_file(tmp_path):
  files = write_images(tmp_path / 'train', 3, width=2 * SIDE)
  config = side_by_side_config(tmp_path, input_side='right')
  pairs = pix2pix.streams(config)['data'].source
  read = pairs.read(np.array([2, 0]))
  np.testing.assert_array_equal(read['input'], unit(files[[2, 0], :, SIDE:]))
  np.testing.assert_array_equal(read['image'], unit(files[[2, 0], :, :SIDE]))
  assert pairs.spec == sources.DataSpec((SIDE, SIDE, 3), None) and pairs.num_examples == 3
  config.data.update(input_side='left', image_size=4)  # Each half resized (bilinear).
  read = pix2pix.streams(config)['data'].source.read(np.array([1]))
  by_hand = np.asarray(Image.fromarray(files[1, :, :SIDE]).resize((4, 4), Image.BILINEAR))
  np.testing.assert_array_equal(read['input'][0], unit(by_hand))
  # The evaluators' reference images of a split are its targets.
  source = eval_context.reference_source(config, 'train')
  np.testing.assert_array_equal(source.read(np.array([1]))[0], read['image'])


def test_side_by_side_errors(tmp_path):
  write_images(tmp_path / 'train', 2, width=2 * SIDE)
  write_images(tmp_path / 'train2', 1, width=2 * SIDE + 4)
  (tmp_path / 'train2' / '000.png').rename(tmp_path / 'train' / 'wide.png')
  with pytest.raises(sources.DataError, match=r'differ in size:\n  16x8: 2 file\(s\), e.g. '
                                              r'000.png, 001.png\n  20x8: 1 file\(s\), e.g. '
                                              r'wide.png\nSet config.data.image_size'):
    pix2pix.streams(side_by_side_config(tmp_path))
  write_images(tmp_path / 'val', 1, width=2 * SIDE + 1)
  with pytest.raises(sources.DataError, match=r'1 image\(s\) in .*val have an odd width'):
    pix2pix.streams(side_by_side_config(tmp_path, split='val', image_size=8))
  with pytest.raises(sources.DataError, match=r"config.data.split='test': .* holds \['train', "
                                              r"'train2', 'val'\]"):
    pix2pix.streams(side_by_side_config(tmp_path, split='test'))
  config = side_by_side_config(tmp_path)
  config.data.input_side = 'top'
  with pytest.raises(ConfigError, match=r"config.data.input_side='top' is not accepted"):
    check_config(config)


def cyclegan_folder_config(root):
  config = load_config('cyclegan_mnist_thicken')
  config.data.update(name=unpaired.FOLDER, path=str(root), channels=3)
  for name in [n for n, ev in config.evals.items() if ev.metric != 'inception']:
    del config.evals[name]  # No ground truth, no labels.
  return config


def test_unpaired_folders_are_two_datasets_and_need_one_size(tmp_path):
  a = write_images(tmp_path / 'trainA', 3, seed=1)
  b = write_images(tmp_path / 'trainB', 5, seed=2)
  config = cyclegan_folder_config(tmp_path)
  streams = cyclegan.streams(config)
  np.testing.assert_array_equal(streams['a'].source.read(np.array([2]))[0], unit(a[[2]]))
  np.testing.assert_array_equal(streams['b'].source.read(np.array([4]))[0], unit(b[[4]]))
  assert streams['b'].source.num_examples == 5
  full = load_config('cyclegan_mnist_thicken')  # Its translation evals need a ground truth.
  full.data.update(name=unpaired.FOLDER, path=str(tmp_path))
  with pytest.raises(ConfigError, match=r"'unpaired_folder' holds two unpaired domains and "
                                        r"none: drop it and evaluate by FID"):
    check_config(full)
  write_images(tmp_path / 'testA', 2, height=12, width=12)
  write_images(tmp_path / 'testB', 2)
  config.data.split = 'test'
  with pytest.raises(ConfigError, match=r"A's images are \(12, 12\) and domain B's \(8, 8\) "
                                        r'\(.*/testA and ...B\)'):
    loop.train_and_evaluate(config, str(tmp_path / 'run'))  # Before building anything.
  config.data.split = 'val'
  with pytest.raises(sources.DataError, match=r"'val': .*valA is not a folder; .* holds "
                                              r"\['testA', 'testB', 'trainA', 'trainB'\]"):
    cyclegan.streams(config)


def test_pix2pix_trains_on_side_by_side_folders_and_translates(tmp_path):
  side = 16  # SSIM's window fits.
  write_images(tmp_path / 'data' / 'train', 6, side, 2 * side)
  test = write_images(tmp_path / 'data' / 'test', 3, side, 2 * side, seed=5)
  config = side_by_side_config(tmp_path / 'data')
  del config.evals['fid']
  loop.train_and_evaluate(config, str(tmp_path / 'run'))
  records = [json.loads(line) for line in (tmp_path / 'run' / 'metrics.jsonl').open()]
  assert {r['metric'] for r in records if r['eval'] == 'translation'} >= {'l1', 'psnr', 'ssim'}
  assert records[0]['protocol']['pairs'] == {'side_by_side': str(tmp_path / 'data' / 'test'),
                                             'input_side': 'left'}
  out = standalone.run_mode(config, str(tmp_path / 'run'), 'translate', None, {})
  saved = np.load(out / 'translations.npz')
  np.testing.assert_array_equal(saved['inputs'], test[:, :, :side])
  np.testing.assert_array_equal(saved['targets'], test[:, :, side:])
  assert saved['outputs'].shape == (3, side, side, 3)
  config.data.path = str(tmp_path / 'run')  # Files too small for SSIM: refused at start-up.
  write_images(tmp_path / 'run' / 'train', 2, 8, 16)
  write_images(tmp_path / 'run' / 'test', 2, 8, 16)
  with pytest.raises(ConfigError, match=r'SSIM needs images of at least 11x11 pixels, but '
                                        r'config.data gives 8x8'):
    loop.train_and_evaluate(config, str(tmp_path / 'small'))


def test_cyclegan_trains_on_unpaired_folders_and_translates(tmp_path):
  for split, count in (('trainA', 5), ('trainB', 6), ('testA', 2), ('testB', 3)):
    write_images(tmp_path / 'data' / split, count, seed=count)
  config = cyclegan_folder_config(tmp_path / 'data')
  config.evals = type(config.evals)()
  loop.train_and_evaluate(config, str(tmp_path / 'run'))
  out = standalone.run_mode(config, str(tmp_path / 'run'), 'translate', None, {})
  forward, inverse = (np.load(out / f'{name}.npz')
                      for name in ('translations', translation.INVERSE_NEEDS))
  assert set(forward) == set(inverse) == {'inputs', 'outputs'}  # No ground truth.
  assert forward['outputs'].shape == (3, SIDE, SIDE, 3) and len(inverse['inputs']) == 2


def test_tfds_cycle_gan_domains(mock_tfds):
  config = load_config('cyclegan_mnist_thicken')
  config.data.update(name='cycle_gan/horse2zebra', image_size=16)
  with mock_tfds(num_examples=7):
    streams = cyclegan.streams(config)
    test_b = domains.domain_b_inputs(config, 'test')
    assert streams['a'].source.spec.shape == (16, 16, 3)
    assert streams['b'].source.num_examples == test_b.num_examples == 7
    names = [s._name for s in (streams['a'].source, streams['b'].source, test_b)]
  assert names == ['cycle_gan/horse2zebra[trainA]', 'cycle_gan/horse2zebra[trainB]',
                   'cycle_gan/horse2zebra[testB]']

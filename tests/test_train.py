"""train_and_evaluate end to end: every config, real MNIST, resume, the command line."""
import functools
import importlib.util
import json
import subprocess
import sys

import jax
import numpy as np
import pytest
from PIL import Image

from conftest import REPO, patch_train_step
from gan_jax.data import mixtures
from gan_jax.eval import classifier
from gan_jax.run import loop
from gan_jax.run.checks import check_config

CONFIGS = sorted(p.stem for p in (REPO / 'configs').glob('*.py'))


def load_config(name, arg='tiny'):
  spec = importlib.util.spec_from_file_location(name, REPO / 'configs' / f'{name}.py')
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module.get_config(arg)


def assert_workdir_complete(workdir, num_steps):
  assert (workdir / 'checkpoints' / str(num_steps)).is_dir()
  assert json.loads((workdir / 'config.json').read_text())['train']['num_steps'] == num_steps
  assert list(workdir.glob('events.out.tfevents.*'))
  # The task's pictures: G's samples, or reconstructions (anomaly).
  assert list(workdir.glob(f'*/step_{num_steps:07d}.png'))
  assert Image.open(workdir / 'loss_curve.png').size == (700, 400)


def assert_finite(state):
  assert all(np.isfinite(x).all() for x in jax.tree.leaves(state))


def test_all_shipped_configs_exist():
  assert {'default', 'mlp_mnist', 'dcgan_mnist', 'dcgan_fashion_mnist', 'dcgan_cifar10',
          'dcgan_stacked_mnist', 'wgan_gp_cifar10', 'sngan_cifar10', 'cgan_pd_cifar10',
          'biggan_cifar10', 'lsgan_mnist', 'infogan_arch_mnist', 'pacgan_2d'} <= set(CONFIGS)


def test_every_image_recipe_measures_itself():
  """Every image GAN config ends with FID/KID/precision-recall of 10,000 EMA samples against
  the 10,000 test images, and keeps its best checkpoint by KID against training images
  (one-class GANs, f-AnoGAN's first stage, are anomaly detectors: measured by AUROC)."""
  configs = {name: load_config(name, None) for name in CONFIGS}
  image_recipes = {name: config for name, config in configs.items() if config.task == 'gan'
                   and config.data.name not in mixtures.MIXTURES and not config.data.classes}
  assert {'mlp_mnist', 'dcgan_mnist', 'dcgan_fashion_mnist', 'dcgan_stacked_mnist',
          'dcgan_cifar10', 'sngan_cifar10', 'infogan_arch_mnist'} <= set(image_recipes)
  for name, config in image_recipes.items():
    fid, monitor = config.evals.fid, config.evals.monitor
    assert (fid.metric, fid.split, fid.num_samples, fid.num_real, fid.prdc_samples,
            fid.generator, fid.every_steps) == ('inception', 'test', 10_000, 10_000, 10_000,
                                                'ema', 0), name
    assert (monitor.metric, monitor.split, monitor.num_samples, monitor.num_real,
            monitor.generator) == ('inception', 'train', 2_000, 2_000, 'ema'), name
    assert 0 < monitor.every_steps < config.train.num_steps, name
    assert config.best.metric in ('monitor/kid', 'modes/modes_captured'), name
    check_config(config)


def set_fields(config, fields: dict):
  """config with each dotted field of `fields` ('loss.name': 'hinge', 'a.b.c': 1) set."""
  for field, value in fields.items():
    *groups, last = field.split('.')
    functools.reduce(getattr, groups, config)[last] = value
  return config


def stand_in_classifier(cache_dir, datasets=classifier.DATASETS, data_dir=None,
                        manual_dir=None):
  """Random-weight classifiers of `datasets` cached as if trained, so Stacked MNIST and label
  preservation evals run without the trained ones (which would be trained at first use);
  keyed by the data in these folders (by default inside mock_tfds: the mocked one). A :tiny
  config reads them only with config.stand_in_classifier=False (else it fits its own)."""
  params = classifier.DigitClassifier().init(jax.random.PRNGKey(0), np.zeros((1, 28, 28, 1)))
  for dataset in datasets:
    classifier.save(params['params'], 0.0, cache_dir, dataset,
                    classifier.fingerprint(dataset, data_dir, manual_dir))
  return str(cache_dir)


def write_images(folder, count, height=8, width=8, seed=0):
  """`count` RGB PNGs of random pixels in `folder`; returns them (uint8, in file order)."""
  folder.mkdir(parents=True)
  images = np.random.default_rng(seed).integers(0, 256, (count, height, width, 3), np.uint8)
  for i, image in enumerate(images):
    Image.fromarray(image).save(folder / f'{i:03d}.png')
  return images


def side_by_side_folders(root):
  """pix2pix's layout: train/ and test/ of 64x128 input | target files."""
  for split in ('train', 'test'):
    write_images(root / split, 16, 64, 128)
  return str(root)


def photo_folders(root):
  """A photo folder: train/ of photographs of two sizes (at least the recipe's 96x96 crops),
  test/ of one size that the scale 4 does not divide (cropped to 36x32)."""
  write_images(root / 'train' / 'wide', 2, 100, 130)
  write_images(root / 'train' / 'tall', 1, 120, 96, seed=1)
  write_images(root / 'test', 3, 38, 35, seed=2)
  return str(root)


# Recipes that read a folder (config.data.path): what the tiny run gets in its place.
FOLDER_DATA = {'pix2pix_facades': side_by_side_folders, 'srresnet_photos': photo_folders,
               'srgan_photos': photo_folders}
# Evaluators the 64 mocked examples cannot feed (CAS needs real images of every class; it
# runs on real MNIST in test_semi_supervised.py).
NEEDS_REAL_DATA = ('cas',)
# Second stages: the config whose run they start from (config.init_from.workdir).
FIRST_STAGES = {'fanogan_mnist': 'fanogan_wgan_mnist',
                'srgan_fashion_mnist': 'srresnet_fashion_mnist',
                'srgan_photos': 'srresnet_photos'}


def contract_config(name, cache_dir):
  """configs/<name>.py:tiny without the evals the mocked data cannot feed nor Inception's
  (~15 s each; test_evaluation.py runs one in the loop), caching in `cache_dir`."""
  config = load_config(name)
  dropped = NEEDS_REAL_DATA + ('inception',)
  for eval_name in [n for n, ev in config.evals.items() if ev.metric in dropped]:
    del config.evals[eval_name]
    if config.best.metric.startswith(f'{eval_name}/'):
      config.best.metric = ''
  config.cache_dir = cache_dir
  return config


@pytest.mark.parametrize('name', CONFIGS)
def test_every_config_trains_tiny(name, tmp_path, mock_tfds):
  cache_dir = str(tmp_path / 'cache')
  with mock_tfds(num_examples=64):  # :tiny evaluates 64 samples against 64 references.
    config = contract_config(name, cache_dir)
    if name in FOLDER_DATA:
      config.data.path = FOLDER_DATA[name](tmp_path / 'data')
    if name in FIRST_STAGES:
      config.init_from.workdir = str(tmp_path / 'first_stage')
      first_stage = contract_config(FIRST_STAGES[name], cache_dir)
      first_stage.data.path = config.data.path
      loop.train_and_evaluate(first_stage, config.init_from.workdir)
    state = loop.train_and_evaluate(config, str(tmp_path))
  assert int(state.step) == config.train.num_steps
  assert_finite(state)
  assert_workdir_complete(tmp_path, config.train.num_steps)
  assert not list((tmp_path / 'cache').glob('*_classifier'))  # :tiny fits stand-ins, never cached.


def test_dcgan_on_real_mnist_files(tmp_path, mnist_data_dir, mnist_manual_dir):
  config = load_config('dcgan_mnist')
  config.data.data_dir = mnist_data_dir
  config.data.manual_dir = mnist_manual_dir
  state = loop.train_and_evaluate(config, str(tmp_path))
  assert_finite(state)
  grid = np.asarray(Image.open(tmp_path / 'samples' / f'step_{config.train.num_steps:07d}.png'))
  assert grid.shape == (4 * 29 + 1, 4 * 29 + 1)  # 16 grey 28x28 samples, 1px gaps.


RING_MODES = 8  # PacGAN's ring: 8 Gaussians on the unit circle.


def test_ring_run_records_mode_coverage_and_draws_its_snapshot(tmp_path):
  """The ring's tiny run writes PacGAN's three statistics to metrics.jsonl at the eval step, each
  in its range and with the protocol that made it (num_generated = the config's num_samples),
  and a snapshot with points and D's surface drawn in its plot area, not a blank figure."""
  config = load_config('default')
  loop.train_and_evaluate(config, str(tmp_path))
  ev, step = config.evals.coverage, config.train.num_steps
  records = [json.loads(l) for l in (tmp_path / 'metrics.jsonl').read_text().splitlines()]
  assert sorted((r['eval'], r['generator'], r['step'], r['metric']) for r in records) == [
      ('coverage', ev.generator, step, metric)
      for metric in ('high_quality_fraction', 'modes_captured', 'reverse_kl')]
  for record in records:
    protocol = record['protocol']
    assert protocol['num_generated'] == ev.num_samples and protocol['mixture'] == 'ring'
    assert (protocol['generator'], protocol['step']) == (record['generator'], record['step'])
  values = {r['metric']: r['value'] for r in records}
  modes, high_quality = values['modes_captured'], values['high_quality_fraction']
  assert modes == int(modes) and 0 <= modes <= RING_MODES
  assert 0.0 <= high_quality <= 1.0
  assert (modes == 0) == (high_quality == 0.0)  # A mode is captured by a high-quality sample.
  assert 0.0 <= values['reverse_kl'] <= np.log(RING_MODES) + 1e-9  # KL(histogram || uniform).

  snapshot = np.asarray(Image.open(tmp_path / 'samples' / f'step_{step:07d}.png').convert('RGB'))
  assert snapshot.shape == (600, 600, 3)
  plot_area = snapshot[150:450, 150:450].reshape(-1, 3)  # Inside the axes, whatever the labels.
  assert len(np.unique(plot_area, axis=0)) > 20 and plot_area.std() > 10
  history = [json.loads(l) for l in (tmp_path / 'train_metrics.jsonl').read_text().splitlines()]
  assert [h['step'] for h in history] == [2, 4]
  assert {'d_loss', 'g_loss', 'd_real', 'd_fake'} <= set(history[0])


def test_interrupted_run_resumes_to_the_same_state(tmp_path, monkeypatch):
  config = load_config('default')
  config.train.num_steps = 6
  config.model.g_norm = 'batch_norm'  # Batch statistics must survive the restart too.
  uninterrupted = loop.train_and_evaluate(config, str(tmp_path / 'a'))

  def ctrl_c_in_step_4(call, state):  # As a KeyboardInterrupt raised by code, not a signal.
    if call == 4:
      raise KeyboardInterrupt
  patch_train_step(monkeypatch, ctrl_c_in_step_4)
  with pytest.raises(KeyboardInterrupt):
    loop.train_and_evaluate(config, str(tmp_path / 'b'))
  assert sorted(p.name for p in (tmp_path / 'b' / 'checkpoints').iterdir()) == ['2']
  monkeypatch.undo()

  resumed = loop.train_and_evaluate(config, str(tmp_path / 'b'))
  jax.tree.map(np.testing.assert_array_equal, resumed, uninterrupted)
  again = loop.train_and_evaluate(config, str(tmp_path / 'b'))  # Finished: nothing to do.
  jax.tree.map(np.testing.assert_array_equal, again, uninterrupted)


def run_cli(*args):
  return subprocess.run([sys.executable, '-m', 'gan_jax.main', *args], cwd=REPO,
                        capture_output=True, text=True, timeout=300)


def test_command_line_with_overrides(tmp_path):
  result = run_cli('--config', 'configs/default.py:tiny', '--workdir', str(tmp_path),
                   '--config.train.num_steps=2', '--config.data.name=grid')
  assert result.returncode == 0, result.stderr[-3000:]
  saved = json.loads((tmp_path / 'config.json').read_text())
  assert saved['train']['num_steps'] == 2 and saved['data']['name'] == 'grid'
  assert (tmp_path / 'checkpoints' / '2').is_dir()


def test_command_line_rejects_unknown_field_and_bad_value(tmp_path):
  result = run_cli('--config', 'configs/default.py:tiny', '--workdir', str(tmp_path),
                   '--config.train.nonexistent=1')
  assert result.returncode != 0 and 'nonexistent' in result.stderr
  result = run_cli('--config', 'configs/default.py:tiny', '--workdir', str(tmp_path),
                   '--config.loss.name=vanilla')
  assert result.returncode != 0
  assert "config.loss.name='vanilla' is not accepted" in result.stderr

"""Offline data that is what it claims: tfds preparations checked against their raw files,
and caches keyed by the fingerprint of the data they were computed from."""
import gzip
import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow_datasets as tfds
from PIL import Image

from conftest import SHARED_DATA
from gan_jax.config.errors import ConfigError
from gan_jax.data import (integrity, pipeline, sources)
from gan_jax.eval import context as eval_context, registry
from gan_jax.eval.evaluators import inception_features
from gan_jax.run import loop
from test_train import load_config

RAW = {'mnist': SHARED_DATA / 'mnist', 'fashion_mnist': SHARED_DATA / 'fashion_mnist'}
SPLIT_FILES = {'train': 'train', 'test': 't10k'}


def raw_split(name: str, split: str) -> tuple[np.ndarray, np.ndarray]:
  """Images and labels of an idx split, parsed here by hand (header sizes as LeCun states)."""
  prefix = RAW[name] / SPLIT_FILES[split]
  images = gzip.open(f'{prefix}-images-idx3-ubyte.gz').read()
  labels = gzip.open(f'{prefix}-labels-idx1-ubyte.gz').read()
  return (np.frombuffer(images[16:], np.uint8).reshape(-1, 28, 28),
          np.frombuffer(labels[8:], np.uint8))


def sorted_examples(images: np.ndarray, labels: np.ndarray) -> list[bytes]:
  """Each example as image bytes + label, sorted: tfds reorders examples when it writes."""
  return sorted(i.tobytes() + bytes([l]) for i, l in zip(images.reshape(len(images), -1), labels))


def prepared_split(name: str, split: str, data_dir) -> tuple[np.ndarray, np.ndarray]:
  records = tfds.builder(name, data_dir=str(data_dir)).as_data_source(split=split)
  examples = records.__getitems__(list(range(len(records))))
  return (np.stack([r['image'][..., 0] for r in examples]),
          np.array([r['label'] for r in examples], np.uint8))


def test_read_idx_matches_a_hand_parse():
  images, labels = raw_split('mnist', 'test')
  np.testing.assert_array_equal(integrity.read_idx(RAW['mnist'] / 't10k-images-idx3-ubyte.gz'),
                                images)
  np.testing.assert_array_equal(integrity.read_idx(RAW['mnist'] / 't10k-labels-idx1-ubyte.gz'),
                                labels)
  assert images.shape == (10_000, 28, 28) and labels[:3].tolist() == [7, 2, 1]  # MNIST's first.


def test_datasets_with_same_file_names_prepare_from_their_own_files(tmp_path):
  """Fashion-MNIST first, then MNIST, in one data_dir as every user has. The other order
  (MNIST's extraction present when Fashion-MNIST is prepared) is the rebuild in
  test_wrongly_prepared_dataset_is_named_then_rebuilt_on_request."""
  order = ('fashion_mnist', 'mnist')
  for name in order:
    sources.TfdsSource(name, 'train', str(tmp_path), str(RAW[name]), None, False)
  for name in order:
    for split in ('train', 'test'):
      assert (sorted_examples(*prepared_split(name, split, tmp_path))
              == sorted_examples(*raw_split(name, split))), (name, split)
  assert not list(tmp_path.rglob('*.gan_jax_extract-*'))  # The private extraction is gone.


def poison_fashion_mnist(data_dir) -> None:
  """What tfds alone does (gan_jax before the fix): MNIST's extraction reused for Fashion-MNIST."""
  for name in ('mnist', 'fashion_mnist'):
    tfds.builder(name, data_dir=str(data_dir), file_format='array_record').download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=str(RAW[name])))


def test_wrongly_prepared_dataset_is_named_then_rebuilt_on_request(tmp_path):
  poison_fashion_mnist(tmp_path)
  poisoned = Path(tfds.builder('fashion_mnist', data_dir=str(tmp_path)).data_dir)
  assert (sorted_examples(*prepared_split('fashion_mnist', 'test', tmp_path))
          == sorted_examples(*raw_split('mnist', 'test')))  # The bug, reproduced.
  with pytest.raises(sources.DataError) as error:
    sources.TfdsSource('fashion_mnist', 'train', str(tmp_path), str(RAW['fashion_mnist']),
                            None, False)
  message = str(error.value)
  assert "'fashion_mnist'" in message and str(poisoned) in message
  assert '64 of 64 checked examples of split' in message
  assert 'config.data.rebuild_invalid=True' in message and f'delete {poisoned}' in message
  assert (poisoned / 'dataset_info.json').exists()  # Not deleted unasked.
  sources.TfdsSource('fashion_mnist', 'train', str(tmp_path), str(RAW['fashion_mnist']),
                          None, False, rebuild_invalid=True)
  for split in ('train', 'test'):
    assert (sorted_examples(*prepared_split('fashion_mnist', split, tmp_path))
            == sorted_examples(*raw_split('fashion_mnist', split)))
  # A right preparation checked against another dataset's files is refused too.
  with pytest.raises(sources.DataError, match='does not hold the examples'):
    sources.TfdsSource('fashion_mnist', 'train', str(tmp_path), str(RAW['mnist']), None,
                            False)


def write_folder(root, values) -> None:
  for i, value in enumerate(values):
    Image.fromarray(np.full((8, 8, 3), value, np.uint8)).save(root / f'{i:02d}.png')


def test_fingerprint_follows_the_data(tmp_path):
  for name, values in {'a': range(0, 80, 10), 'b': range(0, 80, 10), 'c': range(5, 85, 10)}.items():
    (tmp_path / name).mkdir()
    write_folder(tmp_path / name, values)
  folder = lambda name, size=8: sources.FolderSource(str(tmp_path / name), size, 3, False)
  assert folder('a').fingerprint == folder('b').fingerprint  # Same files, same fingerprint.
  assert folder('a').fingerprint != folder('c').fingerprint
  assert folder('a').fingerprint != folder('a', size=4).fingerprint
  before = folder('a').fingerprint
  write_folder(tmp_path / 'a', [0, 10, 20, 30, 40, 50, 60, 71])  # One pixel value edited.
  assert folder('a').fingerprint != before
  ring = pipeline.MixtureSource('ring', 0)
  assert ring.fingerprint == pipeline.MixtureSource('ring', 0).fingerprint
  assert ring.fingerprint != pipeline.MixtureSource('grid', 0).fingerprint


class PixelFeatures:
  """A stand-in extractor: features are the images' mean pixel (no Inception needed)."""
  sha256 = '0' * 64

  def __call__(self, batches, total, what):
    return np.concatenate([b.reshape(len(b), -1).mean(1, keepdims=True) for b in batches]
                          ).astype(np.float32) * np.ones((1, 4), np.float32)

  def protocol(self):
    return {}

  logits_head = None


def test_reference_cache_is_not_reused_for_other_data_of_the_same_name(tmp_path):
  config = load_config('dcgan_mnist')
  config.data.name, config.data.image_size, config.data.channels = 'folder', 8, 3
  config.cache_dir = str(tmp_path / 'cache')
  ev = registry.eval_config('inception', every_steps=1, num_samples=8, num_real=8,
                              kid_subsets=2, kid_subset_size=4, prdc_samples=8)
  features = {}
  for name, values in {'a': [0] * 8, 'b': [200] * 8}.items():
    (tmp_path / name).mkdir()
    write_folder(tmp_path / name, values)
    config.data.path = str(tmp_path / name)
    context = eval_context.EvalContext(config)
    context.extractor = PixelFeatures()
    samples = lambda num: iter([np.full((num, 8, 8, 3), -1.0, np.float32)])
    values, protocol = inception_features.evaluate(ev, samples, 'ema', context)
    features[name] = values['fid']
    assert protocol['reference']['fingerprint'] == context.reference_source('test').fingerprint
  # Fake samples (-1: pixel 0) equal folder a's images: FID 0 against a; b's is its own.
  assert features['a'] == pytest.approx(0, abs=1e-6) and features['b'] > 1
  assert len(list((tmp_path / 'cache' / 'reference_features').iterdir())) == 2


def test_resume_on_changed_data_is_refused(tmp_path):
  config = load_config('default')
  config.train.num_steps = 2
  loop.train_and_evaluate(config, str(tmp_path))
  saved = json.loads((tmp_path / loop.DATA_FINGERPRINT_FILE).read_text())
  assert saved['fingerprint'] == pipeline.MixtureSource('ring', 0).fingerprint
  config.seed = 1  # The ring's samples follow the seed: other data, same config.data.
  config.train.num_steps = 4
  with pytest.raises(ConfigError, match='trained on data with fingerprint'):
    loop.train_and_evaluate(config, str(tmp_path))
  assert not (tmp_path / 'checkpoints' / '4').exists()

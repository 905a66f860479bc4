"""Data: index schedule, host shards, 2D mixtures, folders, tfds (mocked and real MNIST)."""
import math

import jax
import numpy as np
import pytest
from PIL import Image

from gan_jax.training.task import Stream
from gan_jax.data import mixtures, pipeline, sources


def test_every_example_once_per_epoch_and_reshuffled():
  n = 10
  first = pipeline.example_indices(np.arange(n), n, seed=0)
  second = pipeline.example_indices(np.arange(n, 2 * n), n, seed=0)
  assert sorted(first) == list(range(n)) and sorted(second) == list(range(n))
  assert not np.array_equal(first, second)
  # A batch straddling the epoch boundary reads the same examples as the two epochs do.
  straddle = pipeline.example_indices(np.arange(7, 13), n, seed=0)
  np.testing.assert_array_equal(straddle, np.concatenate([first[7:], second[:3]]))
  assert not np.array_equal(first, pipeline.example_indices(np.arange(n), n, seed=1))


def test_hosts_take_disjoint_shards_of_the_global_batch():
  shards = [pipeline.host_positions(3, 8, 2, p, 4) for p in range(4)]
  assert all(s.shape == (2, 2) for s in shards)
  together = np.concatenate(shards, axis=1)
  np.testing.assert_array_equal(together, (3 * 16 + np.arange(16)).reshape(2, 8))


def test_host_batch_layout_and_range():
  source = pipeline.MixtureSource('ring', seed=0)
  batch = pipeline.host_batch(Stream(source, draws=2, seed=0), step=5, batch_size=8)
  devices = jax.local_device_count()
  assert batch['image'].shape == (devices, 2, 8 // devices, 2)
  # Device d, critic step c holds global positions 5*16 + c*8 + d*(8/devices) + j.
  expected, _ = source.read(5 * 16 + np.arange(16))
  np.testing.assert_allclose(batch['image'][1, 1, 0], expected[8 + 8 // devices], rtol=1e-6)


@pytest.mark.parametrize('name,modes,std', [('ring', 8, 0.01), ('grid', 25, 0.05)])
def test_mixture_samples_match_the_paper(name, modes, std):
  means = mixtures.mixture_means(name)
  assert means.shape == (modes, 2)
  if name == 'ring':
    np.testing.assert_allclose(np.linalg.norm(means, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(means[2], [0.0, 1.0], atol=1e-6)  # angle 2*pi*2/8.
  else:
    assert sorted(set(means[:, 0])) == [-4, -2, 0, 2, 4]
  source = pipeline.MixtureSource(name, seed=0)
  points, mode = source.read(np.arange(20_000))
  offsets = points - means[mode]
  np.testing.assert_allclose(offsets.std(axis=0), std, rtol=0.03)
  np.testing.assert_allclose(np.bincount(mode) / 20_000, 1 / modes, atol=0.01)
  np.testing.assert_array_equal(source.read(np.arange(5, 10))[0], points[5:10])  # Keyed by position.


def test_mode_coverage_on_constructed_points():
  means = mixtures.mixture_means('ring')
  # 5 modes hit exactly, twice each, plus 2 points far from every mode (nearest: mode 0).
  points = np.concatenate([means[:5], means[:5], [[3.0, 0.0], [2.0, 0.1]]])
  stats = mixtures.mode_coverage(points, 'ring')
  assert stats['modes_captured'] == 5
  assert stats['high_quality_fraction'] == pytest.approx(10 / 12)
  p = np.array([4, 2, 2, 2, 2]) / 12  # Mode 0 also nearest to the two far points.
  assert stats['reverse_kl'] == pytest.approx(float(np.sum(p * np.log(p * 8))))
  uniform = mixtures.mode_coverage(np.repeat(means, 3, axis=0), 'ring')
  assert uniform == {'modes_captured': 8, 'high_quality_fraction': 1.0, 'reverse_kl': 0.0}
  # 3 sigma is the boundary of high quality.
  just_in = mixtures.mode_coverage(means[:1] + [0.0299, 0.0], 'ring')
  just_out = mixtures.mode_coverage(means[:1] + [0.0301, 0.0], 'ring')
  assert (just_in['high_quality_fraction'], just_out['high_quality_fraction']) == (1.0, 0.0)


def write_png(path, value, size=(10, 6), mode='RGB'):
  path.parent.mkdir(parents=True, exist_ok=True)
  channels = 3 if mode == 'RGB' else 1
  array = np.full(size[::-1] + (channels,), value, np.uint8)
  Image.fromarray(array if channels == 3 else array[..., 0]).save(path)


def test_folder_with_class_subfolders(tmp_path):
  write_png(tmp_path / 'cats' / 'a.png', 0)
  write_png(tmp_path / 'cats' / 'b.PNG', 255)
  write_png(tmp_path / 'dogs' / 'c.png', 51, mode='L')
  source = sources.FolderSource(str(tmp_path), image_size=4, channels=3, center_crop=True)
  assert source.num_examples == 3 and source.spec.num_classes == 2
  images, labels = source.read(np.array([2, 0, 1]))
  assert images.shape == (3, 4, 4, 3)
  np.testing.assert_array_equal(labels, [1, 0, 0])
  np.testing.assert_allclose(images[0], 51 / 127.5 - 1, rtol=1e-6)  # Grey -> RGB, scaled.
  np.testing.assert_allclose(images[1], -1.0)
  np.testing.assert_allclose(images[2], 1.0)


def test_folder_names_every_unreadable_file(tmp_path):
  write_png(tmp_path / 'good.png', 10)
  (tmp_path / 'broken.png').write_bytes(b'not a png')
  (tmp_path / 'empty.jpg').write_bytes(b'')
  with pytest.raises(sources.DataError, match='2 unreadable') as error:
    sources.FolderSource(str(tmp_path), image_size=8, channels=1, center_crop=False)
  assert 'broken.png' in str(error.value) and 'empty.jpg' in str(error.value)


def test_folder_errors(tmp_path):
  with pytest.raises(sources.DataError, match='is not a folder'):
    sources.FolderSource(str(tmp_path / 'nope'), 8, 3, False)
  with pytest.raises(sources.DataError, match='holds no'):
    sources.FolderSource(str(tmp_path), 8, 3, False)


def test_tfds_source_under_mock_data(mock_tfds):
  with mock_tfds(num_examples=12):
    source = sources.TfdsSource('cifar10', 'train', None, None, 16, False)
    images, labels = source.read(np.arange(5))
  assert source.spec == sources.DataSpec((16, 16, 3), 10)
  assert images.shape == (5, 16, 16, 3) and labels.shape == (5,)
  assert images.min() >= -1.0 and images.max() <= 1.0


def test_real_mnist_through_manual_dir(mnist_data_dir, mnist_manual_dir):
  source = sources.TfdsSource('mnist', 'train', mnist_data_dir, mnist_manual_dir, None, False)
  assert source.num_examples == 60_000
  assert source.spec == sources.DataSpec((28, 28, 1), 10)
  images, labels = source.read(np.arange(200))
  assert images.min() == -1.0 and images.max() == 1.0
  assert set(labels) == set(range(10))  # tfds shuffles at preparation; all digits appear.
  assert 0.05 < np.mean(images > 0) < 0.3  # Digits are thin strokes on black.


@pytest.mark.parametrize('in_memory_mb,decoded', [(2, False), (3, True)])
def test_in_memory_split_reads_the_same_images(mnist_data_dir, mnist_manual_dir, in_memory_mb,
                                               decoded):
  """MNIST's test split resized to 16x16 is 10,000 * 256 bytes = 2.44 MB of uint8."""
  source = lambda mb: sources.TfdsSource('mnist', 'test', mnist_data_dir, mnist_manual_dir,
                                              16, False, in_memory_mb=mb)
  in_memory, per_batch = source(in_memory_mb), source(0)
  assert in_memory._in_memory == decoded and not per_batch._in_memory
  assert '_split_in_memory' not in vars(in_memory)  # Building a source decodes nothing.
  indices = np.random.default_rng(0).permutation(10_000)[:300]
  for a, b in zip(in_memory.read(indices), per_batch.read(indices)):
    np.testing.assert_array_equal(a, b)


def test_in_memory_split_under_mock_data(mock_tfds):
  with mock_tfds(num_examples=12):
    source = sources.TfdsSource('cifar10', 'train', None, None, 16, False, in_memory_mb=1)
    assert source._in_memory
    images, labels = source.read(np.arange(5))
  assert images.shape == (5, 16, 16, 3) and images.dtype == np.float32 and labels.shape == (5,)


def test_missing_manual_files_fail_fast_with_instructions(tmp_path):
  (tmp_path / 'manual').mkdir()
  with pytest.raises(sources.DataError, match='lacks.*train-images-idx3-ubyte.gz') as error:
    sources.TfdsSource('mnist', 'train', str(tmp_path / 'data'), str(tmp_path / 'manual'),
                            None, False)
  assert 'manual_dir' in str(error.value)


def test_unknown_tfds_name():
  with pytest.raises(sources.DataError, match="config.data.name='not_a_dataset'"):
    sources.TfdsSource('not_a_dataset', 'train', None, None, None, False)


def test_resize_is_bilinear_and_keeps_range():
  image = np.zeros((2, 2, 1), np.uint8)
  image[:, 1] = 255
  # Output pixel centres fall at input x = -0.25, 0.25, 0.75, 1.25 (clamped): 0, 63.75, 191.25, 255.
  out = sources.preprocess(image, 4, center_crop=False)
  np.testing.assert_allclose(out[0, :, 0], np.array([0, 64, 191, 255]) / 127.5 - 1, atol=1e-6)
  assert math.isclose(sources.preprocess(image, None, False).max(), 1.0)


def test_stacked_mnist_stacks_three_digits(mnist_data_dir, mnist_manual_dir):
  mnist = sources.TfdsSource('mnist', 'train', mnist_data_dir, mnist_manual_dir, None, False)
  source = pipeline.StackedMNISTSource(mnist, seed=0)
  assert source.spec == sources.DataSpec((28, 28, 3), 1000)
  images, labels = source.read(np.array([0, 1, 2]))
  assert images.shape == (3, 28, 28, 3)
  for i in range(3):
    for channel, place in zip(range(3), (100, 10, 1)):
      digit_image, digit_label = mnist.read(source._digit_indices[i, channel:channel + 1])
      np.testing.assert_array_equal(images[i, ..., channel], digit_image[0, ..., 0])
      assert (labels[i] // place) % 10 == digit_label[0]

"""Test set-up: 4 host CPU devices (multi-device paths run everywhere), fast compiles, and the
offline data."""
import os
from pathlib import Path


def xla_flags(devices: int = 4) -> str:
  """The suite's XLA flags: `devices` host CPU devices, faster compiles, and the CPU flags
  that gan_jax.main sets (xla_options.CPU_FLAGS).

  Compiling is most of the suite's time. LLVM's optimisations off (level 0) cut it by ~40%
  (the suite on 2 cores: 21 -> 14 min); XLA:CPU's older loop emitters instead of its
  fusion emitters cut a tiny step's compile by another 30-40% (a ResNet zoo case: 6.7 ->
  5.3 s, a DCGAN one 4.7 -> 2.8 s). XLA's graph passes still run, so results differ from
  the defaults only by float rounding; runs compared bit for bit must share these flags
  (subprocesses too).
  """
  from gan_jax.common import xla_options
  return xla_options.with_cpu_flags(
      f'--xla_force_host_platform_device_count={devices} --xla_backend_optimization_level=0 '
      '--xla_cpu_use_fusion_emitters=false')


# Before any JAX backend starts (XLA reads the flags then): the suite exercises pmap over 4
# devices.
os.environ.setdefault('XLA_FLAGS', xla_flags())
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
# One persistent compilation cache for the whole run: the suite compiles the same tiny
# programs many times (a run and its resume, the contract cases of one task, a CLI run and
# its in-process twin), and every test's programs are released after it. Set in the
# environment, so pytest-xdist's workers and the tests' subprocesses share the controller's
# folder; XLA's flags and the device count are part of each entry's key.
if 'JAX_COMPILATION_CACHE_DIR' not in os.environ:
  import atexit
  import shutil
  import tempfile
  os.environ['JAX_COMPILATION_CACHE_DIR'] = tempfile.mkdtemp(prefix='gan_jax_test_xla_')
  atexit.register(shutil.rmtree, os.environ['JAX_COMPILATION_CACHE_DIR'], True)
  os.environ['JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS'] = '0'
  os.environ['JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES'] = '0'

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get('GAN_JAX_SHARED_DATA', REPO.parent / 'shared' / 'data'))
# Evaluators read the local Inception weights; nothing is downloaded in tests.
os.environ.setdefault('GAN_JAX_INCEPTION_WEIGHTS',
                      str(SHARED_DATA / 'inception' / 'fid_inception_v3_tf2015_pool3.npz'))


@pytest.fixture(scope='session')
def mnist_manual_dir() -> str:
  """The four official MNIST files (../shared/data/mnist); the tests need them."""
  path = SHARED_DATA / 'mnist'
  assert (path / 'train-images-idx3-ubyte.gz').exists(), (
      f'MNIST files not found in {path}; set GAN_JAX_SHARED_DATA to the folder holding mnist/.')
  return str(path)


def prepared_data_dir(tmp_path_factory, name: str, manual_dir: str) -> str:
  """A tfds data_dir with dataset `name` prepared once from the local files."""
  from gan_jax.data import sources
  data_dir = str(tmp_path_factory.mktemp(f'tfds_{name}'))
  sources.TfdsSource(name, 'train', data_dir, manual_dir, None, False)
  return data_dir


@pytest.fixture(scope='session')
def mnist_data_dir(tmp_path_factory, mnist_manual_dir) -> str:
  """MNIST prepared once, shared by the tests."""
  return prepared_data_dir(tmp_path_factory, 'mnist', mnist_manual_dir)


@pytest.fixture(scope='session')
def fashion_manual_dir() -> str:
  """The four official Fashion-MNIST files (../shared/data/fashion_mnist)."""
  path = SHARED_DATA / 'fashion_mnist'
  assert (path / 'train-images-idx3-ubyte.gz').exists(), f'Fashion-MNIST files not in {path}.'
  return str(path)


@pytest.fixture(scope='session')
def fashion_data_dir(tmp_path_factory, fashion_manual_dir) -> str:
  """Fashion-MNIST prepared once."""
  return prepared_data_dir(tmp_path_factory, 'fashion_mnist', fashion_manual_dir)


@pytest.fixture(scope='session')
def fanogan_gan_workdir(tmp_path_factory, mnist_data_dir, mnist_manual_dir) -> str:
  """A tiny f-AnoGAN stage 1 (a WGAN-GP on MNIST digit 0, 4 steps): the GAN the anomaly
  task's tests encode for."""
  from gan_jax.run import loop
  from test_train import load_config
  config = load_config('fanogan_wgan_mnist')
  config.data.data_dir, config.data.manual_dir = mnist_data_dir, mnist_manual_dir
  workdir = str(tmp_path_factory.mktemp('fanogan_wgan'))
  loop.train_and_evaluate(config, workdir)
  return workdir


@pytest.fixture
def mock_tfds(monkeypatch):
  """tfds.testing.mock_data, with its data-source mock's `__getitems__` repaired.

  tfds 4.9.10 assigns an unbound functools.partial as the mock's __getitems__, so
  calls arrive without `self`; gan_jax reads batches through __getitems__.
  """
  import tensorflow_datasets as tfds
  from tensorflow_datasets.testing import mocking
  getitems = mocking._getitems
  monkeypatch.setattr(mocking, '_getitems', lambda keys, generator, serialized=False:
                      getitems(None, keys, generator, serialized))
  return tfds.testing.mock_data


def patch_train_step(monkeypatch, hook):
  """Makes train_and_evaluate's step call `hook(call, state)` first (call counts from 1).

  The hook may return a changed state, raise, or send a signal; None keeps the state.
  """
  from gan_jax.training import parallel
  pmap_step = parallel.pmap_step

  def make(*args):
    step_fn, calls = pmap_step(*args), []

    def step(state, batch):
      calls.append(1)
      changed = hook(len(calls), state)
      return step_fn(state if changed is None else changed, batch)
    return step
  monkeypatch.setattr(parallel, 'pmap_step', make)


# Memory mappings a test may leave behind at most, after its compiled programs are released:
# a third of Linux's default vm.max_map_count (65,530), which the suite in one process
# reached before compiled programs were released between tests.
MAX_MAPPINGS = 20_000


@pytest.fixture(autouse=True)
def release_compiled_programs():
  """Every test's compiled programs are released after it: one process runs the whole suite.

  Fails the test after which the process holds more than MAX_MAPPINGS mappings, so a
  leak of compiled programs cannot come back unnoticed.
  """
  yield
  from gan_jax.training import compiled_programs
  compiled_programs.release()
  mappings = compiled_programs.process_memory()['mappings']
  assert mappings <= MAX_MAPPINGS, (
      f'{mappings} memory mappings after this test (limit {MAX_MAPPINGS}): compiled programs '
      'are kept alive somewhere (a module-level cache, a fixture, a global).')


def check_data_fit(config, shape, num_classes, process_count, local_device_count):
  """The checks of `config` that need the data's spec and the device layout (the loop's)."""
  from gan_jax import tasks
  from gan_jax.run import checks
  from gan_jax.data.sources import DataSpec
  checks.check_devices(config, process_count, local_device_count)
  tasks.get(config.task).check_data(config, {'data': DataSpec(tuple(shape), num_classes)},
                                    process_count * local_device_count)

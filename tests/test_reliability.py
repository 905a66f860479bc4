"""Scale and reliability, with real processes: 2 hosts = 1 host, signals, kill -9, NaNs, bad workdirs."""
import os
import signal
import socket
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import jax
import numpy as np
import pytest

from conftest import REPO, patch_train_step, xla_flags
from gan_jax.config.errors import ConfigError
from gan_jax.eval import context as eval_context, registry
from gan_jax.run import loop, standalone
from gan_jax.training import checkpointing, distributed
from test_train import load_config


def free_port() -> int:
  with socket.socket() as s:
    s.bind(('localhost', 0))
    return s.getsockname()[1]


def launch(workdir, config_file, *overrides, devices=4, log=None) -> subprocess.Popen:
  """`python -m gan_jax.main` in its own process with `devices` CPU devices."""
  env = {**os.environ, 'XLA_FLAGS': xla_flags(devices), 'JAX_PLATFORMS': 'cpu'}
  return subprocess.Popen(
      [sys.executable, '-m', 'gan_jax.main', '--config', config_file, '--workdir', str(workdir),
       *overrides], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
      stderr=open(log, 'w') if log else subprocess.DEVNULL)


def finish(process: subprocess.Popen, log=None, timeout=300) -> None:
  code = process.wait(timeout=timeout)
  assert code == 0, Path(log).read_text()[-3000:] if log else code


def saved_state(config, workdir, step=None):
  return standalone.load_checkpoint(config, Path(workdir), step)[1]


def assert_identical(a, b):
  jax.tree.map(np.testing.assert_array_equal, a, b)


def saved_steps(workdir) -> list[int]:
  return sorted(int(p.name) for p in (Path(workdir) / 'checkpoints').iterdir()
                if p.name.isdigit())


# ------------------------------------------------------------------ multi-host


def test_two_processes_of_two_devices_equal_one_of_four(tmp_path, mnist_data_dir,
                                                        mnist_manual_dir):
  """JAX's multi-host runtime on localhost (Gloo CPU collectives), DCGAN with cross-host batch
  norm on real MNIST: each host reads its own half of every batch."""
  data = [f'--config.data.data_dir={mnist_data_dir}', f'--config.data.manual_dir={mnist_manual_dir}']
  port = free_port()
  logs = [tmp_path / f'process_{i}.log' for i in range(2)]
  processes = [launch(tmp_path / 'two', 'configs/dcgan_mnist.py:tiny', *data,
                      f'--config.distributed.coordinator_address=localhost:{port}',
                      '--config.distributed.num_processes=2',
                      f'--config.distributed.process_id={i}', devices=2, log=logs[i])
               for i in range(2)]
  for process, log in zip(processes, logs):
    finish(process, log)
  assert 'process 1 of 2' in logs[1].read_text()

  config = load_config('dcgan_mnist')
  config.data.data_dir, config.data.manual_dir = mnist_data_dir, mnist_manual_dir
  one = loop.train_and_evaluate(config, str(tmp_path / 'one'))
  two = saved_state(config, tmp_path / 'two')
  assert int(two.step) == config.train.num_steps
  # Cross-host all-reduce (Gloo) sums in another order than in-process: rounding differences,
  # which Adam's m / sqrt(v) can enlarge to ~1e-6 in 4 steps. A real fault (a missing
  # all-reduce, a wrong data shard) moves weights by the update itself: 4 x lr = 8e-4.
  jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-4, atol=2e-5), two, one)
  # Only process 0 writes events, pictures and metrics; checkpoints are written once.
  assert len(list((tmp_path / 'two').glob('events.out.tfevents.*'))) == 1
  assert len((tmp_path / 'two' / 'train_metrics.jsonl').read_text().splitlines()) == 2
  assert saved_steps(tmp_path / 'two') == [2, 4]


def test_distributed_config_errors():
  with pytest.raises(ConfigError, match="distributed.mode='cluster'"):
    distributed.check(_distributed(mode='cluster'))
  with pytest.raises(ConfigError, match='process_id=2 must be in'):
    distributed.check(_distributed(num_processes=2, process_id=2))


def _distributed(**fields):
  distributed = load_config('default').distributed
  for key, value in fields.items():
    distributed[key] = value
  return distributed


# ------------------------------------------------------------------ preemption and kills

# The ring MLP with batch norm: ~200 steps/s, so signals land mid-run; a checkpoint every
# step (with kill -9) keeps a save in flight most of the time.
LONG_RUN = ('configs/default.py:tiny', '--config.model.g_norm=batch_norm',
            '--config.train.num_steps=100000', '--config.train.log_every_steps=50',
            '--config.train.eval_every_steps=100000')


def ring_config(num_steps):
  config = load_config('default')
  config.model.g_norm = 'batch_norm'
  config.train.num_steps = num_steps
  config.train.log_every_steps = 50
  config.train.eval_every_steps = 100_000
  return config


def logged_steps(workdir) -> int:
  metrics = Path(workdir) / 'train_metrics.jsonl'
  return len(metrics.read_text().splitlines()) if metrics.exists() else 0


def wait_for_training(workdir, process, timeout=240):
  """Until the run logs a new training step (so it is past start-up and compilation)."""
  before, deadline = logged_steps(workdir), time.time() + timeout
  while logged_steps(workdir) == before:
    assert process.poll() is None, 'the run ended early'
    assert time.time() < deadline, 'the run did not start training'
    time.sleep(0.2)


def test_sigterm_saves_the_current_step_and_resume_is_bit_identical(tmp_path):
  workdir, log = tmp_path / 'run', tmp_path / 'run.log'
  process = launch(workdir, *LONG_RUN, '--config.train.checkpoint_every_steps=100000', log=log)
  wait_for_training(workdir, process)
  time.sleep(0.5)
  process.send_signal(signal.SIGTERM)
  finish(process, log)  # Exit status 0: a clean stop.
  (stopped_at,) = saved_steps(workdir)
  assert f'Stopped by SIGTERM after step {stopped_at}' in log.read_text()

  config = ring_config(stopped_at + 20)
  resumed = loop.train_and_evaluate(config, str(workdir))
  uninterrupted = loop.train_and_evaluate(config, str(tmp_path / 'uninterrupted'))
  assert_identical(resumed, uninterrupted)


def test_ctrl_c_during_a_step_saves_that_step(tmp_path, monkeypatch):
  """SIGINT arrives while step 5 runs (in this process: the handler is the real one)."""
  config = ring_config(8)
  # Whatever handler the test started with (a background job's is SIG_IGN) comes back.
  before = signal.getsignal(signal.SIGINT)
  patch_train_step(monkeypatch, lambda call, state: os.kill(os.getpid(), signal.SIGINT)
                   if call == 5 else None)
  stopped = loop.train_and_evaluate(config, str(tmp_path / 'run'))
  assert int(stopped.step) == 5 and saved_steps(tmp_path / 'run') == [2, 4, 5]
  assert signal.getsignal(signal.SIGINT) is before  # Handler restored.
  monkeypatch.undo()
  resumed = loop.train_and_evaluate(config, str(tmp_path / 'run'))
  assert_identical(resumed, loop.train_and_evaluate(config, str(tmp_path / 'uninterrupted')))


# ------------------------------------------------------------------ divergence


def poison_d_params_at(monkeypatch, poisoned_steps):
  """D's weights become NaN before the given (1-based) calls of the train step."""
  patch_train_step(monkeypatch, lambda call, state: state.replace(
      d_params=jax.tree.map(lambda x: x * np.nan, state.d_params))
      if call in poisoned_steps else None)


def assert_every_checkpoint_finite(config, workdir):
  for step in saved_steps(workdir):
    assert all(np.isfinite(x).all() for x in jax.tree.leaves(saved_state(config, workdir, step)))


@pytest.mark.parametrize('poisoned_step', [3, 4])  # A step whose flags are read late, and not.
def test_divergence_stops_naming_quantity_and_step(tmp_path, monkeypatch, poisoned_step):
  config = ring_config(6)
  config.train.checkpoint_every_steps = 2
  config.train.log_every_steps = 2
  poison_d_params_at(monkeypatch, {poisoned_step})
  with pytest.raises(loop.DivergenceError,
                     match=f'd_loss, .*d_params.* at step {poisoned_step}; stopped'):
    loop.train_and_evaluate(config, str(tmp_path))
  assert saved_steps(tmp_path) == [2]  # Step 4 (a NaN state when poisoned at 3, 4) not saved.
  assert_every_checkpoint_finite(config, tmp_path)


def test_a_nonfinite_leaf_the_step_does_not_check_is_never_saved(tmp_path, monkeypatch):
  """D's Adam second moments turn +inf before step 3: the weights stay finite (the update
  is m / sqrt(inf) = 0) and the step's flags do not see it, but the check of every float
  leaf before the save at step 4 does."""
  config = ring_config(6)
  config.train.checkpoint_every_steps = config.train.log_every_steps = 2
  def inf_moments(call, state):
    if call == 3:
      adam = state.d_opt_state[0]
      return state.replace(d_opt_state=(adam._replace(
          nu=jax.tree.map(lambda x: x + np.inf, adam.nu)),) + tuple(state.d_opt_state[1:]))
  patch_train_step(monkeypatch, inf_moments)
  with pytest.raises(loop.DivergenceError, match=r'^d_opt_state became NaN/Inf at step 4'):
    loop.train_and_evaluate(config, str(tmp_path))
  assert saved_steps(tmp_path) == [2]
  assert_every_checkpoint_finite(config, tmp_path)


def test_divergence_restores_last_good_checkpoint_with_lower_learning_rates(tmp_path,
                                                                            monkeypatch):
  config = ring_config(8)
  config.train.checkpoint_every_steps = 2
  config.train.on_divergence = 'restore'
  poison_d_params_at(monkeypatch, {5})  # Call 5 is step 5; step 4 is the last good checkpoint.
  state = loop.train_and_evaluate(config, str(tmp_path))
  assert int(state.step) == 8 and float(state.lr_scale) == 0.5
  assert all(np.isfinite(x).all() for x in jax.tree.leaves(state))
  assert_every_checkpoint_finite(config, tmp_path)

  # The same run from step 4 at half the learning rates, without the NaN: the same state.
  reference_dir = tmp_path / 'reference'
  config.train.num_steps = 4
  at_4 = loop.train_and_evaluate(config, str(reference_dir))
  config.train.num_steps = 8
  monkeypatch.undo()
  with pytest.MonkeyPatch.context() as patch:
    restore = checkpointing.restore_latest
    patch.setattr(checkpointing, 'restore_latest',
                  lambda manager, like: restore(manager, like).replace(lr_scale=np.float32(0.5)))
    reference = loop.train_and_evaluate(config, str(reference_dir))
  assert int(at_4.step) == 4
  assert_identical(state, reference)


def test_divergence_restores_are_limited(tmp_path, monkeypatch):
  config = ring_config(8)
  config.train.checkpoint_every_steps = 2
  config.train.on_divergence = 'restore'
  config.train.max_divergence_restores = 2
  poison_d_params_at(monkeypatch, {3, 5, 7})  # Steps 3, 3 again, 3 a third time.
  with pytest.raises(loop.DivergenceError, match='2 of config.train.max_divergence_restores=2'):
    loop.train_and_evaluate(config, str(tmp_path))
  assert_every_checkpoint_finite(config, tmp_path)


# ------------------------------------------------------------------ bad workdirs


def corrupt(checkpoint: Path, how: str) -> None:
  """Damages one checkpoint as a failing disk or an interrupted copy would."""
  data = checkpoint / 'state' / 'd'
  if how == 'garbage':
    for f in data.iterdir():
      f.write_bytes(np.random.default_rng(0).bytes(f.stat().st_size))
  else:  # 'missing'
    for f in data.iterdir():
      f.unlink()


@pytest.mark.parametrize('how', ['garbage', 'missing'])
def test_unreadable_latest_checkpoint_falls_back_to_the_previous(tmp_path, how, caplog):
  config = ring_config(4)
  config.train.checkpoint_every_steps = 2
  loop.train_and_evaluate(config, str(tmp_path / 'run'))
  corrupt(tmp_path / 'run' / 'checkpoints' / '4', how)

  config.train.num_steps = 6
  resumed = loop.train_and_evaluate(config, str(tmp_path / 'run'))
  assert 'Checkpoint 4 in' in caplog.text and 'resuming from step 2' in caplog.text
  assert (tmp_path / 'run' / checkpointing.UNREADABLE_DIR / '4').is_dir()  # Kept, not deleted.
  assert_identical(resumed, loop.train_and_evaluate(config, str(tmp_path / 'clean')))


def test_no_readable_checkpoint_is_an_error_that_moves_nothing(tmp_path):
  config = ring_config(4)
  config.train.checkpoint_every_steps = 2
  loop.train_and_evaluate(config, str(tmp_path))
  for step in (2, 4):
    corrupt(tmp_path / 'checkpoints' / str(step), 'garbage')
  with pytest.raises(checkpointing.CheckpointError, match='No checkpoint in .* can be restored'):
    loop.train_and_evaluate(config, str(tmp_path))
  assert saved_steps(tmp_path) == [2, 4]


def test_other_architecture_in_workdir_is_an_error_that_writes_nothing(tmp_path):
  config = ring_config(2)
  loop.train_and_evaluate(config, str(tmp_path))
  before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob('*')}
  config.model.g_features = 32
  config.train.num_steps = 4
  with pytest.raises(ConfigError,
                     match=r'another architecture .*model.g_features: saved 16, now 32'):
    loop.train_and_evaluate(config, str(tmp_path))
  assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob('*')} == before
  # Other changes (here the number of steps) resume as usual.
  config.model.g_features = 16
  assert int(loop.train_and_evaluate(config, str(tmp_path)).step) == 4


# ------------------------------------------------------------------ memory


class PixelStatistics:
  """A stand-in feature network (8 numbers per image) with the extractor's interface."""
  sha256, logits_head = '0' * 64, None

  def protocol(self):
    return {}

  def __call__(self, batches, total, what):
    return np.concatenate([np.stack([b.reshape(len(b), -1)[:, i::8].mean(1) for i in range(8)], 1)
                           for b in batches]).astype(np.float32)


def test_50000_samples_and_their_metrics_stream_in_batches(tmp_path, mock_tfds):
  """Writing 50,000 samples and evaluating 50,000 never holds them all: Python's peak
  allocation stays far below the 39 MB (uint8) / 157 MB (float) the samples would take."""
  config = load_config('dcgan_mnist')
  with mock_tfds(num_examples=32):
    loop.train_and_evaluate(config, str(tmp_path))
    built, state = standalone.load_checkpoint(config, tmp_path, None)
    context = eval_context.EvalContext(config)
    context.extractor = PixelStatistics()
    context.cache_dir = tmp_path / 'cache'
    ev = registry.eval_config('inception', every_steps=1, num_samples=50_000, num_real=32,
                                kid_subsets=2, kid_subset_size=16, prdc_samples=32)
    tracemalloc.start()
    out = standalone.run_mode(config, str(tmp_path), 'sample', None,
                              {'num_samples': 50_000, 'generator': 'ema'})
    _, samples_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    records = registry.evaluate('fid', ev, built.predict, state, int(state.step), context)
    _, eval_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
  with np.load(out / 'samples.npz') as f:
    assert f['images'].shape == (50_000, 28, 28, 1)
  assert {r['metric'] for r in records} >= {'fid', 'kid', 'precision', 'recall'}
  assert samples_peak < 10e6 and eval_peak < 10e6, (samples_peak, eval_peak)


def test_a_checkpoint_of_another_state_structure_is_a_clear_error(tmp_path):
  """A field this code's state has and the checkpoint lacks (code that added one since)."""
  import flax
  import ml_collections

  @flax.struct.dataclass
  class Old:
    step: jax.Array
    params: jax.Array

  @flax.struct.dataclass
  class New:
    step: jax.Array
    params: jax.Array
    added: dict

  manager = checkpointing.create_manager(tmp_path, max_to_keep=1)
  checkpointing.save(manager, Old(step=np.array(3, np.int32), params=np.ones(2, np.float32)),
                     ml_collections.ConfigDict({'seed': 0}))
  manager.wait_until_finished()
  like = New(step=np.array(0, np.int32), params=np.zeros(2, np.float32),
             added={'r1': np.array(0, np.float32)})
  with pytest.raises(checkpointing.CheckpointError,
                     match=r'Checkpoint 3 in .* another state structure .*added.*new --workdir'):
    checkpointing.restore(manager, like, 3)
  restored = checkpointing.restore(
      manager, Old(step=np.array(0, np.int32), params=np.zeros(2, np.float32)), 3)
  np.testing.assert_array_equal(restored.params, np.ones(2))
  manager.close()

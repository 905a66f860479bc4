"""The contract every registered task keeps, through the task interface alone: 1 device = 4
devices for the same global batch; the step traced and compiled once; no donated kernel
copied; kill -9 and resume bit-identical; a NaN stops the run naming the quantity.

A new task joins by adding its cases to CASES (test_every_task_is_in_the_contract fails
until it does): a config file and the fields that make it small and stress the step.
"""
import re
import time

import chex
import jax
import numpy as np
import optax
import pytest
from jax import monitoring

from conftest import patch_train_step
from gan_jax import tasks
from gan_jax.data import pipeline
from gan_jax.run import checks
from gan_jax.run import loop
from gan_jax.tools import sweep
from gan_jax.training import parallel
from test_reliability import launch, saved_steps, wait_for_training
from test_train import set_fields, stand_in_classifier

CASES = {
    'gan': {
        # Per-example noise of the gradient penalty, n_critic draws, G's batch norm.
        'mlp_ring_wgan_gp': ('configs/default.py:tiny', {
            'loss.name': 'wasserstein', 'penalty.gp': 10.0, 'train.n_critic': 2,
            'model.g_norm': 'batch_norm', 'optim.b1': 0.9, 'optim.g_lr': 1e-2,
            'optim.d_lr': 1e-2}),
        # Batch norm across devices in both networks, on real MNIST images.
        'dcgan_mnist_batch_norm': ('configs/dcgan_mnist.py:tiny', {
            'data.data_dir': '{mnist_data_dir}', 'data.manual_dir': '{mnist_manual_dir}',
            'data.image_size': 16, 'model.g_features': 8, 'model.d_features': 8,
            'optim.b1': 0.9, 'optim.g_lr': 1e-2, 'optim.d_lr': 1e-2}),
        # StyleGAN2 with ADA: per-example pixel noise, style mixing and augmentations, w's
        # average over every device's batch, minibatch std in groups of 4, lazy R1 every
        # 2nd D update, p adjusted every 2nd step from D's signs over every device, the
        # path-length penalty every 2nd G update on every 2nd example.
        'stylegan2_ada_mnist': ('configs/stylegan2_fashion_mnist.py:tiny', {
            'data.name': 'mnist', 'data.data_dir': '{mnist_data_dir}',
            'data.manual_dir': '{mnist_manual_dir}', 'data.image_size': 16,
            'model.stylegan2.style_mixing_prob': 0.5, 'penalty.interval': 2,
            'penalty.r1': 1.0, 'optim.g_lr': 1e-2, 'optim.d_lr': 1e-2,
            'augment.ada_pipeline': 'bgc', 'augment.ada_p': 0.3, 'augment.ada_interval': 2,
            'augment.ada_speed_images': 200, 'path_length.weight': 2.0,
            'path_length.interval': 2}),
    },
    'semi_supervised': {
        # Two streams (labelled, two unlabelled draws), per-example noise in D, G's batch
        # norm and the feature-matching means across devices, on real MNIST; the test
        # error only at the end (the kill test's runs never get there).
        'improved_gan_mnist': ('configs/improved_gan_mnist.py:tiny', {
            'data.data_dir': '{mnist_data_dir}', 'data.manual_dir': '{mnist_manual_dir}',
            'optim.b1': 0.9, 'optim.g_lr': 1e-2, 'optim.d_lr': 1e-2,
            'evals.test.every_steps': 0}),
    },
    'anomaly': {
        # The encoder for a frozen G (batch norm, running averages) and critic (layer norm),
        # trained on one MNIST digit; the AUROC only at the end.
        'fanogan_mnist': ('configs/fanogan_mnist.py:tiny', {
            'data.data_dir': '{mnist_data_dir}', 'data.manual_dir': '{mnist_manual_dir}',
            'init_from.workdir': '{fanogan_gan_workdir}', 'optim.b1': 0.9,
            'optim.e_lr': 5e-2}),
        # GANomaly: G (two encoders and a decoder) and D, batch norm across devices in both,
        # one forward pass for both players' gradients.
        'ganomaly_mnist': ('configs/ganomaly_mnist.py:tiny', {
            'data.data_dir': '{mnist_data_dir}', 'data.manual_dir': '{mnist_manual_dir}',
            'data.image_size': 16, 'optim.b1': 0.9, 'optim.e_lr': 1e-2, 'optim.d_lr': 1e-2}),
    },
    'pix2pix': {
        # Holes at each example's own random place (the data's per-example randomness),
        # dropout keys per example in G, batch norm across devices in G and D, real MNIST.
        'pix2pix_mnist_inpainting': ('configs/pix2pix_mnist_inpainting.py:tiny', {
            'data.data_dir': '{mnist_data_dir}', 'data.manual_dir': '{mnist_manual_dir}',
            'pairs.mask_placement': 'random', 'pairs.mask_size': 10, 'optim.b1': 0.9,
            'optim.g_lr': 1e-2, 'optim.d_lr': 1e-2, 'cache_dir': '{stand_in_cache}',
            'stand_in_classifier': False}),
    },
    'cyclegan': {
        # Two streams (the halves of real MNIST, B thickened), four networks, the history
        # pools (smaller than the global batch: it fills in the first step, then swaps with
        # per-example draws over the gathered global batch), the identity term, instance
        # norm. Widths 8: at 4, instance norm divides near-constant background channels by
        # their tiny deviations, which magnifies the float noise of another batch size. A
        # constant rate: the kill test's runs and its final run have different num_steps.
        'cyclegan_mnist_thicken': ('configs/cyclegan_mnist_thicken.py:tiny', {
            'data.data_dir': '{mnist_data_dir}', 'data.manual_dir': '{mnist_manual_dir}',
            'optim.b1': 0.9, 'optim.g_lr': 1e-2, 'optim.d_lr': 1e-2,
            'optim.schedule': 'constant', 'model.g_features': 8, 'model.d_features': 8,
            'cache_dir': '{stand_in_cache}',
            'stand_in_classifier': False}),
    },
    'srgan': {
        # x4 super-resolution of real MNIST (inputs smaller than the outputs): the pixel, the
        # content (a frozen classifier, constants of the step) and the adversarial loss, batch
        # norm across devices in G and D.
        'srgan_mnist': ('configs/srresnet_fashion_mnist.py:tiny', {
            'data.name': 'mnist', 'data.data_dir': '{mnist_data_dir}',
            'data.manual_dir': '{mnist_manual_dir}', 'loss.content': 'classifier',
            'loss.adversarial_weight': 0.1, 'optim.b1': 0.9, 'optim.g_lr': 1e-2,
            'optim.d_lr': 1e-2, 'cache_dir': '{stand_in_cache}',
            'stand_in_classifier': False}),
    },
}
ALL_CASES = [(task, name) for task, cases in CASES.items() for name in cases]
FIRST_CASES = [(task, next(iter(cases))) for task, cases in CASES.items()]
# Exact resume also of the state only StyleGAN2 and ADA keep (w's average, p and its signs,
# the mean path length).
RESUME_CASES = FIRST_CASES + [('gan', 'stylegan2_ada_mnist')]


def test_every_task_is_in_the_contract():
  assert set(CASES) == set(tasks.TASKS)


@pytest.fixture
def paths(request):
  """What case fields may name: the prepared MNIST, a stand-in classifier's cache; only when a
  case needs it."""
  return _Paths(request)


@pytest.fixture
def stand_in_cache(tmp_path_factory, mnist_data_dir, mnist_manual_dir) -> str:
  """A cache_dir with a random-weight MNIST classifier (label preservation, content loss), which
  the cases read with stand_in_classifier=False instead of fitting :tiny's stand-in."""
  return stand_in_classifier(tmp_path_factory.mktemp('cache'), ['mnist'], mnist_data_dir,
                             mnist_manual_dir)


class _Paths(dict):
  def __init__(self, request):
    super().__init__()
    self._request = request

  def __missing__(self, key):
    return self._request.getfixturevalue(key)


def case_overrides(task: str, name: str, paths) -> dict:
  _, fields = CASES[task][name]
  return {k: v.format_map(paths) if isinstance(v, str) else v for k, v in fields.items()}


def case_config(task: str, name: str, paths):
  config = set_fields(sweep.load_config(CASES[task][name][0]),
                      case_overrides(task, name, paths))
  assert config.task == task
  checks.check_config(config)
  return config


def built_task(config):
  task, streams, specs = loop.open_data(config)
  return task.build(config, specs, streams), streams


def on_devices(batch, devices: int):
  """A local batch of 4 devices, (4, draws, b, ...), as `devices` devices hold it."""
  def split(x):
    draws_major = np.swapaxes(np.asarray(x), 0, 1)  # (draws, 4, b, ...): global order.
    draws = draws_major.shape[0]
    return np.swapaxes(draws_major.reshape((draws, devices, -1) + x.shape[3:]), 0, 1)
  return jax.tree.map(split, batch)


def per_device(tree):
  """Every local device's copy of a replicated pytree, stacked on a leading axis."""
  return jax.tree.map(lambda x: np.stack([np.asarray(s.data) for s in x.addressable_shards]),
                      tree)


def float_leaves(tree):
  return [np.asarray(x) for x in jax.tree.leaves(tree)
          if np.issubdtype(np.asarray(x).dtype, np.floating)]


@pytest.mark.parametrize('task,name', ALL_CASES)
def test_four_devices_equal_one_device(task, name, paths, monkeypatch):
  assert jax.local_device_count() >= 4, 'conftest forces 4 host devices'
  # SGD: its update is linear in the gradients, so they are compared directly; Adam's
  # m / sqrt(v) would magnify float noise in near-zero gradients to +-lr.
  monkeypatch.setattr(optax, 'adam', lambda learning_rate, **_: optax.sgd(learning_rate))
  config = case_config(task, name, paths)
  built, streams = built_task(config)
  step = parallel.pmap_step(built.step_fn)
  batch = pipeline.host_batches(streams, config.train.batch_size, 0)
  results = {}
  for devices in (1, 4):
    replicated = parallel.replicate(built.state, jax.local_devices()[:devices])
    new_state, metrics, finite = step(replicated, on_devices(batch, devices))
    assert all(parallel.unreplicate(finite).values())
    results[devices] = per_device(new_state), per_device(metrics)
  (one, one_metrics), (four, four_metrics) = results[1], results[4]
  # Float32 summation order differs between 1 and 4 devices; a real fault (a missing
  # pmean, per-device noise) moves parameters by the size of the update itself.
  atol = 1e-5
  before, after = float_leaves(built.state), float_leaves(one)
  largest_update = max(np.abs(b - a[0]).max() for b, a in zip(before, after))
  assert largest_update > 50 * atol, 'the step must move the state measurably'
  for a, b in zip(after, float_leaves(four)):
    np.testing.assert_allclose(np.broadcast_to(a[0], b.shape), b, rtol=1e-4, atol=atol)
  for metric, values in one_metrics.items():
    np.testing.assert_allclose(values[0], four_metrics[metric][0], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(four_metrics[metric], four_metrics[metric][0])  # Replicated.


@pytest.mark.parametrize('task,name', ALL_CASES)
def test_step_is_traced_and_compiled_once(task, name, paths):
  """State from replicate() and batches from the real pipeline keep the step's shardings."""
  config = case_config(task, name, paths)
  built, streams = built_task(config)
  chex.clear_trace_counter()  # Counted by the step's code: other cases' traces count too.
  step = parallel.pmap_step(chex.assert_max_traces(built.step_fn, n=1))  # A retrace raises.
  compiles = []
  monitoring.register_event_duration_secs_listener(
      lambda event, duration, **kw: compiles.append(event)
      if event == '/jax/core/compile/backend_compile_duration' else None)
  batches = pipeline.batch_iterator(streams, config, 0)
  replicated = parallel.replicate(built.state)
  replicated, _, _ = step(replicated, next(batches))
  first = len(compiles)
  for _ in range(3):
    replicated, _, _ = step(replicated, next(batches))
  jax.block_until_ready(replicated)
  assert first >= 1 and len(compiles) == first


def copied_state_leaves(step, replicated, batch) -> list[str]:
  """Paths of the state leaves the compiled step copies before updating them in place."""
  hlo = step.lower(replicated, batch).compile().as_text()
  entry = hlo[hlo.index('\nENTRY'):]
  parameters = dict(re.findall(r'%(\S+) = \S+ parameter\((\d+)\)', entry))
  copied = {int(parameters[name]) for name in re.findall(r' copy\(%([^)]+)\)', entry)
            if name in parameters}
  paths = [jax.tree_util.keystr(path)
           for path, _ in jax.tree_util.tree_leaves_with_path(replicated)]
  return [paths[i] for i in sorted(copied) if i < len(paths)]


@pytest.mark.parametrize('task,name', ALL_CASES)
def test_no_donated_kernel_is_copied(task, name, paths):
  """No kernel, nor its EMA or optimizer moments, is copied before its in-place update.

  A state with a device axis that pmap squeezes made XLA:CPU copy all of them every
  step. (Small vectors still get copied, cheaply; the cases use Adam's b1 = 0.9, since
  with 0.5 XLA rewrites the first moment as (m + g) * 0.5 and copies it: no measurable cost.)
  """
  config = case_config(task, name, paths)
  built, streams = built_task(config)
  step = parallel.pmap_step(built.step_fn)
  one_device = jax.local_devices()[:1]
  batch = on_devices(pipeline.host_batches(streams, config.train.batch_size, 0), 1)
  copied = copied_state_leaves(step, parallel.replicate(built.state, one_device), batch)
  assert [path for path in copied if 'kernel' in path] == []


@pytest.mark.parametrize('task,name', RESUME_CASES)
def test_kill_9_at_random_moments_then_resume_is_bit_identical(task, name, paths, tmp_path):
  """Two kill -9s at random moments of a run that saves every step (so most kills land in
  the middle of a checkpoint write); the restart resumes, and the end is bit-identical."""
  config_file, _ = CASES[task][name]
  overrides = [f'--config.{k}={v}' for k, v in case_overrides(task, name, paths).items()]
  long_run = ('--config.train.num_steps=100000', '--config.train.log_every_steps=20',
              '--config.train.eval_every_steps=100000', '--config.train.checkpoint_every_steps=1')
  workdir, rng = tmp_path / 'run', np.random.default_rng(0)
  for kill in range(2):
    log = tmp_path / f'run_{kill}.log'
    process = launch(workdir, config_file, *overrides, *long_run, log=log)
    wait_for_training(workdir, process)
    time.sleep(rng.uniform(0.0, 1.0))
    process.kill()
    process.wait()
    assert kill == 0 or 'Resumed from' in log.read_text()

  config = case_config(task, name, paths)
  config.train.num_steps = saved_steps(workdir)[-1] + 20
  config.train.log_every_steps = 20
  # Pictures and saves only at the end: neither changes the state.
  config.train.eval_every_steps = config.train.checkpoint_every_steps = 100_000
  config.evals = {}
  config.best.metric = ''
  resumed = loop.train_and_evaluate(config, str(workdir))
  uninterrupted = loop.train_and_evaluate(config, str(tmp_path / 'uninterrupted'))
  jax.tree.map(np.testing.assert_array_equal, resumed, uninterrupted)
  assert not list((workdir / 'checkpoints').glob('*tmp*'))  # Remains of killed saves: gone.


@pytest.mark.parametrize('task,name', FIRST_CASES)
def test_nan_in_the_state_stops_the_run_naming_it(task, name, paths, tmp_path, monkeypatch):
  """The first float part of the state turns NaN before step 3: the run stops, names that
  part and the step, and no checkpoint after step 2 is written."""
  config = case_config(task, name, paths)
  config.train.num_steps, config.train.checkpoint_every_steps = 6, 2
  state = built_task(config)[0].state
  part = next(field for field in state.__dataclass_fields__
              if field not in ('step', 'lr_scale') and float_leaves(getattr(state, field)))
  patch_train_step(monkeypatch, lambda call, state: state.replace(**{
      part: jax.tree.map(lambda x: x * np.nan, getattr(state, part))}) if call == 3 else None)
  with pytest.raises(loop.DivergenceError, match=f'{part}.* became NaN/Inf at step 3; stopped'):
    loop.train_and_evaluate(config, str(tmp_path))
  assert saved_steps(tmp_path) == [2]

"""The shared loop's task-independent pieces: light config loading, init_from, the loss curve."""
import json
import subprocess
import sys

import jax
import numpy as np
import pytest

from conftest import REPO
from gan_jax.common import plots
from gan_jax.config.errors import ConfigError
from gan_jax.run import loop
from test_train import load_config


def gan_jax_modules_after(code: str) -> set[str]:
  """The gan_jax modules a fresh interpreter holds after running `code`."""
  code += '; import sys; print(sorted(m for m in sys.modules if m.startswith("gan_jax")))'
  result = subprocess.run([sys.executable, '-c', code], cwd=REPO, capture_output=True, text=True,
                          check=True)
  return set(eval(result.stdout))  # noqa: S307  A list of module names printed above.


HEAVY = {'gan_jax.eval.inception', 'gan_jax.eval.feature_extraction', 'gan_jax.tasks.gan.step',
         'gan_jax.tasks.gan.builder', 'gan_jax.run.loop'}


def test_loading_and_checking_a_config_imports_no_network_or_step():
  """Configs load and check in milliseconds: no Inception port, no train step, no builder."""
  loaded = gan_jax_modules_after(
      'from gan_jax.tools import sweep; from gan_jax.run import checks; '
      'checks.check_config(sweep.load_config("configs/dcgan_cifar10.py"))')
  assert 'gan_jax.tasks.gan.config' in loaded  # The check ran through the task.
  assert not loaded & HEAVY, loaded & HEAVY


def test_the_data_package_imports_no_step():
  loaded = gan_jax_modules_after('from gan_jax.data import pipeline, sources, integrity')
  assert 'gan_jax.data.pipeline' in loaded
  assert not loaded & (HEAVY | {'gan_jax.tasks.gan'}), loaded


def test_init_from_takes_the_named_parts_of_another_run_or_names_what_it_cannot(tmp_path):
  config = load_config('default')
  first = loop.train_and_evaluate(config, str(tmp_path / 'first'))
  assert json.loads((tmp_path / 'first' / 'config.json').read_text())['task'] == 'gan'
  config.init_from.workdir = str(tmp_path / 'first')
  config.init_from.parts = 'g_params,g_batch_stats'
  config.train.num_steps = 1
  config.optim.g_lr = config.optim.d_lr = 1e-12  # One step that barely moves the weights.
  second = loop.train_and_evaluate(config, str(tmp_path / 'second'))
  jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, atol=1e-6), second.g_params,
               first.g_params)
  d_from_first = [np.allclose(a, b, atol=1e-6) for a, b in zip(
      jax.tree.leaves(second.d_params), jax.tree.leaves(first.d_params))]
  assert not all(d_from_first)  # D was not asked for: it starts fresh.
  assert int(second.step) == 1

  # What cannot be taken stops the run before training, naming the field.
  config.init_from.parts = 'h_params'
  with pytest.raises(ConfigError, match=r"config.init_from .*parts 'h_params'.*holds no "
                                        r"'h_params'; it holds: .*'g_params'"):
    loop.train_and_evaluate(config, str(tmp_path / 'h'))
  config.init_from.parts = 'g_params'
  config.model.g_features = 32
  with pytest.raises(ConfigError, match=r"config.init_from .*'g_params' of step 4 .* structure "
                                        "and shapes"):
    loop.train_and_evaluate(config, str(tmp_path / 'third'))
  config.init_from.workdir = None
  with pytest.raises(ConfigError, match='config.init_from.parts and config.init_from.step need'):
    loop.train_and_evaluate(config, str(tmp_path / 'fourth'))


def test_loss_curve_draws_every_logged_metric():
  history = {1: {'g_loss': 1.0, 'cycle_loss': 0.5, 'gp': 0.0},
             2: {'g_loss': 0.8, 'cycle_loss': 0.4, 'gp': 0.0}}
  drawn = plots.loss_curve_names(history)
  assert drawn == ['cycle_loss', 'g_loss']  # gp stayed 0: left out.
  assert plots.loss_curve_plot(history).shape == (400, 700, 3)


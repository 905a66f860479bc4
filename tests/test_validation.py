"""Every bad config value fails before data preparation or compilation, naming the field."""
import functools
import math

import pytest

from conftest import check_data_fit
from gan_jax.config.errors import ConfigError
from gan_jax.data import sources
from gan_jax.eval import registry
from gan_jax.run import base
from gan_jax.run import loop
from gan_jax.run.checks import check_config


def config_with(**overrides):
  config = base.base_config()
  for dotted, value in overrides.items():
    group, field = dotted.split('__')
    config[group][field] = value
  return config


@pytest.mark.parametrize('overrides,message', [
    ({'model__name': 'unet'}, r"config.model.name='unet'.*accepted: \('mlp', 'dcgan', 'infogan', "
                              r"'resnet', 'biggan', 'stylegan2'\)"),
    ({'loss__name': 'vanilla'}, r"config.loss.name='vanilla'.*'non_saturating', 'minimax'"),
    ({'model__g_norm': 'group'}, r"config.model.g_norm='group'.*'none', 'batch_norm', 'layer_norm', "
                                 r"'spectral_norm'"),
    ({'model__d_conditioning': 'concat'}, r"d_conditioning='concat'.*'none', 'projection', 'acgan'"),
    ({'train__precision': 'float16'}, r"train.precision='float16'.*'float32', 'bfloat16'"),
    ({'augment__policy': 'color,zoom'}, r"augment.policy='color,zoom': Unknown augmentation 'zoom'"),
    ({'model__pack': 0}, r'config.model.pack=0 must be > 0'),
    ({'model__d_maxout_pieces': 0}, r'config.model.d_maxout_pieces=0 must be > 0'),
    ({'model__name': 'dcgan', 'model__d_maxout_pieces': 5},
     r"config.model.d_maxout_pieces=5 is for config.model.name='mlp' only"),
    ({'penalty__interval': 0}, r'config.penalty.interval=0 must be > 0'),
    ({'penalty__r1': -1.0}, r'config.penalty.r1=-1.0 must be >= 0'),
    ({'train__ema_start_step': -1}, r'config.train.ema_start_step=-1 must be >= 0'),
    ({'data__in_memory_mb': -1}, r'config.data.in_memory_mb=-1 must be >= 0'),
    ({'optim__schedule': 'step'}, r"config.optim.schedule='step'.*'constant', 'linear', 'cosine'"),
    ({'model__z_dim': 0}, r'config.model.z_dim=0 must be > 0'),
    ({'model__g_features': -8}, r'config.model.g_features=-8 must be > 0'),
    ({'model__d_layers': 0}, r'config.model.d_layers=0 must be > 0'),
    ({'train__batch_size': 0}, r'config.train.batch_size=0 must be > 0'),
    ({'train__num_steps': -1}, r'config.train.num_steps=-1 must be > 0'),
    ({'train__n_critic': 0}, r'config.train.n_critic=0 must be > 0'),
    ({'optim__g_lr': 0.0}, r'config.optim.g_lr=0.0 must be > 0'),
    ({'optim__d_lr': -1e-4}, r'config.optim.d_lr=-0.0001 must be > 0'),
    ({'optim__b1': 1.0}, r'config.optim.b1=1.0 must be in \[0, 1\)'),
    ({'train__ema_decay': 1.5}, r'config.train.ema_decay=1.5 must be in \[0, 1\)'),
    ({'optim__warmup_steps': 20_000}, r'config.optim.warmup_steps=20000 must be in \[0, '),
    ({'penalty__gp': -1.0}, r'config.penalty.gp=-1.0 must be >= 0'),
    ({'loss__name': 'wasserstein'}, r'needs a Lipschitz constraint on D: set config.penalty.gp'),
    ({'data__image_size': 0}, r'config.data.image_size=0 must be > 0'),
    ({'data__channels': 2}, r'config.data.channels=2; accepted: \(None, 1, 3\)'),
    ({'model__name': 'dcgan'}, r"config.model.name='dcgan' needs images.*'ring'"),
])
def test_config_errors(overrides, message):
  with pytest.raises(ConfigError, match=message):
    check_config(config_with(**overrides))


@pytest.mark.parametrize('penalty', ['gp', 'dragan', 'r1', 'r2'])
def test_input_gradient_penalties_with_batch_norm_critic(penalty):
  config = config_with(**{f'penalty__{penalty}': 10.0, 'model__d_norm': 'batch_norm'})
  with pytest.raises(ConfigError, match=f'config.penalty.{penalty} > 0 needs per-example critic '
                                        "outputs, which batch norm breaks.*accepted: 'none'"):
    check_config(config)


def test_image_size_the_dcgan_cannot_produce():
  config = config_with(model__name='dcgan', data__name='mnist')
  with pytest.raises(ConfigError, match=r'cannot produce 30x30.*\[16, 28, 32, 56, 64, 112, 128'):
    check_data_fit(config, (30, 30, 3), None, 1, 1)
  with pytest.raises(ConfigError, match='cannot produce 218x178'):
    check_data_fit(config, (218, 178, 3), None, 1, 1)  # CelebA without resizing.
  check_data_fit(config, (28, 28, 1), None, 1, 1)


def test_batch_not_divisible_by_devices():
  config = config_with(train__batch_size=10)
  with pytest.raises(ConfigError, match=r'batch_size=10 is not divisible by the 4 devices '
                                        r'\(2 host\(s\) x 2\); accepted: multiples of 4'):
    check_data_fit(config, (2,), 8, 2, 2)
  check_data_fit(config_with(train__batch_size=12), (2,), 8, 2, 2)


class Prepared(Exception):
  """Raised in place of preparing a tfds dataset."""


@pytest.mark.parametrize('overrides,message', [
    ({'optim__g_lr': -1.0}, 'config.optim.g_lr'),
    ({'train__batch_size': 6}, 'not divisible by the 4 devices'),  # 4 test devices.
])
def test_errors_come_before_any_data_is_prepared(tmp_path, monkeypatch, overrides, message):
  """train_and_evaluate raises before a tfds dataset is prepared and writes nothing; the same
  config with the value fixed goes on to prepare it."""
  def prepare(builder, name, manual_dir):
    raise Prepared(name)
  monkeypatch.setattr(sources, 'prepare', prepare)
  config = config_with(data__name='mnist', model__name='dcgan', **overrides)
  config.data.data_dir = str(tmp_path / 'tfds')  # Empty: MNIST would be prepared into it.
  with pytest.raises(ConfigError, match=message):
    loop.train_and_evaluate(config, str(tmp_path / 'run'))
  assert not (tmp_path / 'run').exists()
  config.train.batch_size, config.optim.g_lr = 16, 2e-4
  with pytest.raises(Prepared, match='mnist'):
    loop.train_and_evaluate(config, str(tmp_path / 'run'))


def test_unknown_tiny_argument():
  with pytest.raises(ValueError, match="Unknown config argument 'huge'.*'tiny'"):
    base.maybe_tiny(base.base_config(), 'huge')


def test_tiny_keeps_an_end_only_eval_at_the_end():
  """:tiny runs a periodic eval once, at the tiny run's end; an end-only one stays end-only, so
  a test that runs a tiny config for longer still evaluates it only at the end."""
  config = base.base_config()
  config.train.num_steps = 5_000
  config.evals.end = registry.eval_config('inception', every_steps=0, num_samples=10_000)
  config.evals.periodic = registry.eval_config('inception', every_steps=1_000,
                                               num_samples=2_000)
  config = base.maybe_tiny(config, 'tiny')
  assert config.evals.end.every_steps == 0
  assert config.evals.periodic.every_steps == config.train.num_steps
  assert config.evals.end.num_samples == config.evals.periodic.num_samples == 64


# ------------------------------------------------------------------ fuzzing

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from gan_jax.models import MODELS  # noqa: E402
from gan_jax.models.layers import CONDITIONINGS_D, CONDITIONINGS_G, NORMS  # noqa: E402
from gan_jax.objectives import losses  # noqa: E402
from gan_jax.tasks.gan import config as gan_config  # noqa: E402
from gan_jax.training import distributed, optimizers  # noqa: E402

NAMED = {'model.name': MODELS, 'model.g_norm': NORMS, 'model.d_norm': NORMS,
         'model.g_conditioning': CONDITIONINGS_G, 'model.d_conditioning': CONDITIONINGS_D,
         'train.precision': gan_config.PRECISIONS,
         'loss.name': tuple(losses.LOSSES), 'optim.schedule': optimizers.SCHEDULES,
         'train.on_divergence': base.DIVERGENCE_ACTIONS,
         'distributed.mode': distributed.MODES, 'best.mode': ('min', 'max')}


def numeric_fields(config) -> dict[str, type]:
  """Every int and float field of the config (bools excluded), by dotted name."""
  fields = {}
  for group, value in config.items():
    if isinstance(value, type(config)):
      fields |= {f'{group}.{k}': t for k, t in numeric_fields(value).items()}
    elif type(value) in (int, float):
      fields[group] = type(value)
  return fields


NUMERIC = numeric_fields(base.base_config())


def value_for(field: str):
  if field in NAMED:
    return st.sampled_from(NAMED[field]) | st.text(max_size=8)
  if NUMERIC[field] is int:
    return st.integers(-3, 5) | st.integers(-2**40, 2**40)
  return st.floats(-1e9, 1e9) | st.sampled_from([0.0, 1.0, -0.0, float('nan'), float('inf'),
                                                 float('-inf'), 1e-300])


overrides = st.lists(st.sampled_from(sorted(NUMERIC) + sorted(NAMED)), min_size=1, max_size=4,
                     unique=True).flatmap(
    lambda fields: st.fixed_dictionaries({f: value_for(f) for f in fields}))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overrides)
def test_fuzzed_configs_are_accepted_only_when_sound(changes):
  """Any values: check_config raises ConfigError naming a changed field, or the config is
  sound (names accepted, numbers finite and in range)."""
  config = base.base_config()
  for dotted, value in changes.items():
    *groups, field = dotted.split('.')
    functools.reduce(getattr, groups, config)[field] = value
  get = lambda dotted: functools.reduce(getattr, dotted.split('.'), config)
  try:
    check_config(config)
  except ConfigError as e:
    assert any(f'config.{f}' in str(e) for f in changes), (str(e), changes)
    return
  for dotted, accepted in NAMED.items():
    assert get(dotted) in accepted
  for dotted in NUMERIC:
    value = get(dotted)
    assert math.isfinite(value), (dotted, value)
    assert value >= 0, (dotted, value)
  assert config.seed < 2**31
  assert config.optim.warmup_steps < config.train.num_steps

"""Every combination of the zoo's switches: accepted or rejected with a clear message; the
accepted ones train.

The full product of architecture x loss x penalty x G norm x D norm x conditioning is
validated (36,000 configs, no compilation). Training every accepted one would take days of
compilation on CPU, so the accepted combinations are covered pairwise: for every pair of
switches whose code meets (INTERACTING, among those six plus packing and DiffAugment), every
pair of their values that some accepted config holds is trained for 2 steps, with finite
losses, by a case below.
"""
import itertools
import random

import jax
import numpy as np
import pytest

from gan_jax import config_lib, losses, models, optimizers, packing, penalties
from gan_jax import train_step as train_step_lib
from gan_jax.models.layers import CONDITIONINGS_D, CONDITIONINGS_G, NORMS
from gan_jax.state import create_state
from gan_jax.validation import ConfigError, check_config, check_data_fit

PENALTY_CHOICES = ('none',) + tuple(penalties.PENALTIES) + ('weight_clip',)
CONDITIONING_PAIRS = (('none', 'none'),) + tuple(itertools.product(CONDITIONINGS_G[1:],
                                                                   CONDITIONINGS_D[1:]))
FACTORS = {
    'model': models.MODELS,
    'loss': tuple(losses.LOSSES),
    'penalty': PENALTY_CHOICES,
    'g_norm': NORMS,
    'd_norm': NORMS,
    'conditioning': CONDITIONING_PAIRS,
    'pack': (1, 2),
    'augment': ('', 'color,translation,cutout'),
    'precision': ('float32', 'bfloat16'),
    'attention': (0, 8),
    'interval': (1, 2),
    'data': ('ring', 'images'),
}
VALIDATED = ('model', 'loss', 'penalty', 'g_norm', 'd_norm', 'conditioning')
IMAGE_SHAPE, NUM_CLASSES, BATCH = (16, 16, 1), 4, 4


def make_config(case: dict, config=None):
  """The tiny config of `case`; written into `config` when given (faster than a new one)."""
  config = config_lib.base_config() if config is None else config
  config.model.update(name=case['model'], z_dim=8, g_features=8, d_features=8, g_layers=1,
                      d_layers=1, g_norm=case['g_norm'], d_norm=case['d_norm'],
                      g_conditioning=case['conditioning'][0],
                      d_conditioning=case['conditioning'][1], pack=case.get('pack', 1),
                      attention_resolution=case.get('attention', 0))
  config.loss.name = case['loss']
  config.optim.d_weight_clip = 0.01 if case['penalty'] == 'weight_clip' else 0.0
  for name in penalties.PENALTIES:
    config.penalty[name] = 1.0 if case['penalty'] == name else 0.0
  config.penalty.interval = case.get('interval', 1)
  config.augment.policy = case.get('augment', '')
  config.train.precision = case.get('precision', 'float32')
  config.train.batch_size = BATCH
  config.data.name = 'ring' if case.get('data', 'images') == 'ring' else 'mnist'
  return config


def data_shape(case: dict):
  return (2,) if case.get('data', 'images') == 'ring' else IMAGE_SHAPE


def accepted(case: dict) -> bool:
  try:
    config = make_config(case)
    check_config(config)
    check_data_fit(config, data_shape(case), NUM_CLASSES, 1, 1)
  except ConfigError:
    return False
  return True


# Compile-and-trace seconds of a case, roughly, by architecture: the covering prefers cheap ones.
COST = {'mlp': 1.0, 'dcgan': 3.0, 'infogan': 3.0, 'resnet': 10.0, 'biggan': 12.0}


# The pairs of switches whose code meets: what shapes D's inputs and outputs meets the
# penalties; what shapes a network meets the architecture and the conditioning. Penalties act
# on D as a function whatever its architecture, and G's normalization never sees them.
# Precision, self-attention, lazy regularisation and the data vary over the cases at random
# (and have their own tests: bfloat16 vs float32, lazy R1, the 2D configs).
INTERACTING = {
    ('penalty', other) for other in ('loss', 'd_norm', 'conditioning', 'pack', 'augment')
} | {
    ('model', other) for other in ('loss', 'g_norm', 'd_norm', 'conditioning', 'pack', 'augment')
} | {
    ('conditioning', other) for other in ('loss', 'g_norm', 'd_norm', 'pack')
} | {('loss', 'd_norm')}


def pairs_of(case: dict) -> set:
  return {((a, repr(case[a])), (b, repr(case[b]))) for a, b in INTERACTING}


def pairwise_cases(seed: int = 0, pool_size: int = 1_500) -> list[dict]:
  """Accepted cases that together hold every pair of factor values some accepted case holds.

  Greedy weighted set cover (new pairs per second of compilation) over a pool of random
  accepted cases plus, for any pair the pool lacks, random accepted completions of it.
  """
  rng = random.Random(seed)
  draw = lambda: {name: rng.choice(values) for name, values in FACTORS.items()}
  pool = [case for case in (draw() for _ in range(pool_size)) if accepted(case)]
  for a, b in sorted(INTERACTING):
    for x, y in itertools.product(FACTORS[a], FACTORS[b]):
      for _ in range(30):
        if accepted(case := draw() | {a: x, b: y}):
          pool.append(case)
          break
  pool_pairs = [pairs_of(case) for case in pool]
  held, cases = set(), []
  while True:
    gains = [len(p - held) / COST[case['model']] for p, case in zip(pool_pairs, pool)]
    best = int(np.argmax(gains))
    if gains[best] == 0:
      return cases
    cases.append(pool[best])
    held |= pool_pairs[best]


def test_every_combination_is_accepted_or_rejected_with_a_config_error():
  counts, config = {True: 0, False: 0}, config_lib.base_config()
  for values in itertools.product(*(FACTORS[name] for name in VALIDATED)):
    case = dict(zip(VALIDATED, values))
    try:
      check_config(make_config(case, config))
      counts[True] += 1
    except ConfigError as e:
      assert 'config.' in str(e)  # Names the field(s).
      counts[False] += 1
  assert counts[True] > 5_000 and counts[False] > 5_000, counts


CASES = pairwise_cases()


def case_id(case: dict) -> str:
  return '-'.join(f'{v[0]}+{v[1]}' if isinstance(v, tuple) else str(v) for v in case.values())


@pytest.mark.parametrize('case', CASES, ids=[case_id(c) for c in CASES])
def test_accepted_combination_trains_two_steps(case):
  config, shape = make_config(case), data_shape(case)
  num_classes = NUM_CLASSES if case['conditioning'] != ('none', 'none') else 0
  generator, discriminator = models.create_models(config.model, shape, num_classes)
  g_tx, d_tx = optimizers.create_optimizers(config)
  state = create_state(jax.random.PRNGKey(0), generator, discriminator, g_tx, d_tx,
                       config.model.z_dim, packing.packed_shape(shape, config.model.pack))
  one_device = jax.local_devices()[:1]  # Multi-device steps are tested in test_train_step.
  step = train_step_lib.pmap_step(train_step_lib.make_step_fn(config, *models.create_models(
      config.model, shape, num_classes, axis_name=train_step_lib.AXIS,
      dtype=models.DTYPES[config.train.precision]), g_tx, d_tx))
  rng = np.random.default_rng(0)
  batch = {'image': rng.uniform(-1, 1, (1, 1, BATCH) + shape).astype(np.float32),
           'label': rng.integers(0, NUM_CLASSES, (1, 1, BATCH)).astype(np.int32)}
  replicated = train_step_lib.replicate(state, one_device)
  for _ in range(2):
    replicated, metrics, finite = step(replicated, batch)
  finite = train_step_lib.unreplicate(finite)
  assert all(finite.values()), [name for name, ok in finite.items() if not ok]
  metrics = train_step_lib.unreplicate(metrics)
  assert {'d_loss', 'g_loss'} <= set(metrics)
  assert int(train_step_lib.unreplicate(replicated.step)) == 2


def test_the_cases_hold_every_accepted_pair():
  """The covering itself: any interacting pair held by a random accepted config is in a case."""
  held = set().union(*(pairs_of(case) for case in CASES))
  rng = random.Random(1)
  for _ in range(300):
    case = {name: rng.choice(values) for name, values in FACTORS.items()}
    if accepted(case):
      assert pairs_of(case) <= held, pairs_of(case) - held


@pytest.mark.parametrize('case,message', [
    ({'model': 'dcgan', 'data': 'ring'}, "model.name='dcgan' needs images"),
    ({'conditioning': ('concat', 'none')}, 'a class-conditional GAN needs both set'),
    ({'conditioning': ('cond_batch_norm', 'projection'), 'g_norm': 'layer_norm'},
     "g_conditioning='cond_batch_norm' makes G's batch norms conditional"),
    ({'model': 'biggan', 'g_norm': 'spectral_norm'}, "'biggan' feeds its z chunks"),
    ({'model': 'biggan', 'g_norm': 'batch_norm', 'conditioning': ('concat', 'projection')},
     "'biggan' conditions G through its shared class embedding"),
    ({'pack': 2, 'conditioning': ('concat', 'acgan')}, 'pack=2 shows D several samples'),
    ({'attention': 8, 'model': 'dcgan'}, 'attention_resolution=8 is for model.name'),
    ({'model': 'resnet', 'attention': 2}, 'attention_resolution=2 is not a resolution'),
    ({'penalty': 'r1', 'd_norm': 'spectral_norm+batch_norm'}, 'batch norm breaks'),
    ({'loss': 'wasserstein', 'd_norm': 'layer_norm'}, "'wasserstein' needs a Lipschitz"),
    ({'augment': 'translation', 'data': 'ring', 'model': 'mlp'}, 'transforms images'),
    ({'penalty': 'bcr', 'data': 'ring', 'model': 'mlp'}, 'config.penalty.bcr transforms images'),
    ({'model': 'infogan', 'image_size': 32}, "'infogan' makes 16x16 or 28x28"),
])
def test_nonsense_combinations_are_rejected_with_a_clear_message(case, message):
  base = {'model': 'resnet', 'loss': 'hinge', 'penalty': 'none', 'g_norm': 'batch_norm',
          'd_norm': 'spectral_norm', 'conditioning': ('none', 'none')}
  case = base | case
  config = make_config(case)
  shape = (case['image_size'],) * 2 + (3,) if 'image_size' in case else data_shape(case)
  with pytest.raises(ConfigError, match=message):
    check_config(config)
    check_data_fit(config, shape, NUM_CLASSES, 1, 1)

"""Every combination of the zoo's switches: accepted or rejected with a clear message; the
accepted ones train.

The full product of architecture x loss x penalty x G norm x D norm x conditioning is
validated (36,000 configs, no compilation). Training every accepted one would take days of
compilation on CPU, so the accepted combinations are covered pairwise: for every pair of
switches whose code meets (INTERACTING, among those six plus packing and DiffAugment), every
pair of their values that some accepted config holds is trained for 2 steps, with finite
losses, by a case below.
"""
import collections
import itertools
import random
import re

import jax
import numpy as np
import pytest

from conftest import check_data_fit
from gan_jax import models
from gan_jax.config.errors import ConfigError
from gan_jax.models.layers import CONDITIONINGS_D, CONDITIONINGS_G, NORMS
from gan_jax.objectives import losses, penalties
from gan_jax.run import base
from gan_jax.run.checks import check_config
from gan_jax.tasks.gan import builder, step as gan_step
from gan_jax.training import parallel

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
  config = base.base_config() if config is None else config
  config.model.update(name=case['model'], z_dim=8, g_features=8, d_features=8, g_layers=1,
                      d_layers=1, g_norm=case['g_norm'], d_norm=case['d_norm'],
                      g_conditioning=case['conditioning'][0],
                      d_conditioning=case['conditioning'][1], pack=case.get('pack', 1),
                      attention_resolution=case.get('attention', 0))
  config.model.stylegan2.update(w_dim=8, mapping_layers=1, d_mapping_layers=1, channel_base=64,
                                channel_max=8)
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
COST = {'mlp': 1.0, 'dcgan': 3.0, 'infogan': 3.0, 'resnet': 10.0, 'biggan': 12.0,
        'stylegan2': 8.0}


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


def names_field(message: str, field: str) -> bool:
  """Whether `message` names config.<field> itself (not config.<field>_x or a sub-field)."""
  return re.search(re.escape(f'config.{field}') + r'(?![\w.])', message) is not None


def broken_rules(case: dict) -> list[tuple[str, ...]]:
  """The rules of the zoo a VALIDATED case (image data) breaks, each as the config fields its
  error must name. Written out here, not read from gan_jax, so a rule dropped or renamed there
  shows up."""
  g_conditioning = case['conditioning'][0]
  g_batch_norm, d_batch_norm = ('batch_norm' in case[n] for n in ('g_norm', 'd_norm'))
  stylegan2 = case['model'] == 'stylegan2'  # Demodulation, not norms; sg2-ada's conditioning.
  lipschitz = (case['penalty'] in ('gp', 'dragan', 'weight_clip')
               or 'spectral_norm' in case['d_norm'])
  rules = [
      (g_conditioning == 'cond_batch_norm' and not g_batch_norm,
       ('model.g_conditioning', 'model.g_norm')),
      (case['model'] == 'biggan' and not g_batch_norm, ('model.name', 'model.g_norm')),
      (case['model'] == 'biggan' and g_conditioning == 'concat',
       ('model.name', 'model.g_conditioning')),
      (stylegan2 and case['g_norm'] != 'none', ('model.name', 'model.g_norm')),
      (stylegan2 and case['d_norm'] != 'none', ('model.name', 'model.d_norm')),
      (stylegan2 and g_conditioning not in ('none', 'concat'),
       ('model.name', 'model.g_conditioning')),
      (stylegan2 and case['conditioning'][1] not in ('none', 'projection'),
       ('model.name', 'model.d_conditioning')),
      (case['penalty'] in ('gp', 'dragan', 'r1', 'r2') and d_batch_norm,  # Input gradients.
       (f'penalty.{case["penalty"]}', 'model.d_norm')),
      (case['loss'] == 'wasserstein' and not lipschitz, ('loss.name',)),
  ]
  return [fields for broken, fields in rules if broken]


def test_every_combination_is_accepted_or_names_the_fields_it_breaks():
  """Each of the 36,000 combinations is accepted exactly when it breaks no rule, and otherwise
  its ConfigError names every field of a rule it breaks: an error blaming another field
  (config.penalty.gp for R1, model.d_norm for G's norm) fails, as does a rule not enforced."""
  wrong, named, every_rule, accepted_count = [], collections.Counter(), set(), 0
  config = base.base_config()
  for values in itertools.product(*(FACTORS[name] for name in VALIDATED)):
    case = dict(zip(VALIDATED, values))
    broken = broken_rules(case)
    every_rule.update(broken)
    try:
      check_config(make_config(case, config))
    except ConfigError as e:
      blamed = [fields for fields in broken if all(names_field(str(e), f) for f in fields)]
      if blamed:
        named[blamed[0]] += 1
      else:
        wrong.append((case, broken, str(e)))
      continue
    accepted_count += 1
    if broken:
      wrong.append((case, broken, 'accepted'))
  assert not wrong, (len(wrong), wrong[:5])
  assert accepted_count > 5_000 and sum(named.values()) > 5_000, (accepted_count, named)
  assert set(named) == every_rule, every_rule - set(named)  # No rule always hidden by another.


CASES = pairwise_cases()


def case_id(case: dict) -> str:
  return '-'.join(f'{v[0]}+{v[1]}' if isinstance(v, tuple) else str(v) for v in case.values())


@pytest.mark.parametrize('case', CASES, ids=[case_id(c) for c in CASES])
def test_accepted_combination_trains_two_steps(case):
  config, shape = make_config(case), data_shape(case)
  num_classes = NUM_CLASSES if case['conditioning'] != ('none', 'none') else 0
  _, _, g_tx, d_tx, state = builder.create_gan(config, shape, num_classes)
  one_device = jax.local_devices()[:1]  # Multi-device steps are tested in test_train_step.
  step = parallel.pmap_step(gan_step.make_step_fn(config, *models.create_models(
      config.model, shape, num_classes, axis_name=parallel.AXIS,
      dtype=models.DTYPES[config.train.precision]), g_tx, d_tx))
  rng = np.random.default_rng(0)
  batch = {'data': {'image': rng.uniform(-1, 1, (1, 1, BATCH) + shape).astype(np.float32),
                    'label': rng.integers(0, NUM_CLASSES, (1, 1, BATCH)).astype(np.int32)}}
  replicated = parallel.replicate(state, one_device)
  for _ in range(2):
    replicated, metrics, finite = step(replicated, batch)
  finite = parallel.unreplicate(finite)
  assert all(finite.values()), [name for name, ok in finite.items() if not ok]
  metrics = parallel.unreplicate(metrics)
  assert {'d_loss', 'g_loss'} <= set(metrics)
  assert int(parallel.unreplicate(replicated.step)) == 2


def test_the_cases_hold_every_accepted_pair():
  """The covering itself: any interacting pair held by a random accepted config is in a case."""
  held = set().union(*(pairs_of(case) for case in CASES))
  rng = random.Random(1)
  for _ in range(300):
    case = {name: rng.choice(values) for name, values in FACTORS.items()}
    if accepted(case):
      assert pairs_of(case) <= held, pairs_of(case) - held


@pytest.mark.parametrize('case,message,fields', [
    ({'model': 'dcgan', 'data': 'ring'}, "model.name='dcgan' needs images",
     ('model.name', 'data.name')),
    ({'conditioning': ('concat', 'none')}, 'a class-conditional GAN needs both set',
     ('model.g_conditioning', 'model.d_conditioning')),
    ({'conditioning': ('cond_batch_norm', 'projection'), 'g_norm': 'layer_norm'},
     "g_conditioning='cond_batch_norm' makes G's batch norms conditional",
     ('model.g_conditioning', 'model.g_norm')),
    ({'model': 'biggan', 'g_norm': 'spectral_norm'}, "'biggan' feeds its z chunks",
     ('model.name', 'model.g_norm')),
    ({'model': 'biggan', 'g_norm': 'batch_norm', 'conditioning': ('concat', 'projection')},
     "'biggan' conditions G through its shared class embedding",
     ('model.name', 'model.g_conditioning')),
    ({'pack': 2, 'conditioning': ('concat', 'acgan')}, 'pack=2 shows D several samples',
     ('model.pack', 'model.d_conditioning')),
    ({'attention': 8, 'model': 'dcgan'}, 'attention_resolution=8 is for model.name',
     ('model.attention_resolution',)),
    ({'model': 'resnet', 'attention': 2}, 'attention_resolution=2 is not a resolution',
     ('model.attention_resolution',)),
    ({'penalty': 'r1', 'd_norm': 'spectral_norm+batch_norm'}, 'batch norm breaks',
     ('penalty.r1', 'model.d_norm')),
    ({'loss': 'wasserstein', 'd_norm': 'layer_norm'}, "'wasserstein' needs a Lipschitz",
     ('loss.name',)),
    ({'augment': 'translation', 'data': 'ring', 'model': 'mlp'}, 'transforms images',
     ('augment.policy', 'data.name')),
    ({'penalty': 'bcr', 'data': 'ring', 'model': 'mlp'}, 'config.penalty.bcr transforms images',
     ('penalty.bcr', 'data.name')),
    ({'model': 'infogan', 'image_size': 32}, "'infogan' makes 16x16 or 28x28",
     ('model.name', 'data.image_size')),
])
def test_nonsense_combinations_are_rejected_with_a_clear_message(case, message, fields):
  """Rejected with the message and naming every config field at fault (`fields`)."""
  base = {'model': 'resnet', 'loss': 'hinge', 'penalty': 'none', 'g_norm': 'batch_norm',
          'd_norm': 'spectral_norm', 'conditioning': ('none', 'none')}
  case = base | case
  config = make_config(case)
  shape = (case['image_size'],) * 2 + (3,) if 'image_size' in case else data_shape(case)
  with pytest.raises(ConfigError, match=message) as error:
    check_config(config)
    check_data_fit(config, shape, NUM_CLASSES, 1, 1)
  assert [f for f in fields if not names_field(str(error.value), f)] == [], str(error.value)

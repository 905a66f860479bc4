"""CycleGAN: the ResNet G's shapes and parameters by hand, the history pool (fill, then a
50% swap; the same draws on a resume and on any device count), the unpaired halves, the
loss assembled by hand (the cycle's gradient through both Gs), its schedule, the config
errors before building, and training end to end on real MNIST with --mode translate."""
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gan_jax.config.errors import ConfigError
from gan_jax.data import paired, unpaired
from gan_jax.data.sources import DataSpec
from gan_jax.models.layers import LayerSpec
from gan_jax.models.resnet_translator import ResNetTranslator
from gan_jax.run import loop, standalone
from gan_jax.run.checks import check_config
from gan_jax.tasks import cyclegan
from gan_jax.tasks.cyclegan import builder, config as task_config, pool, step as step_lib
from gan_jax.tasks.cyclegan.state import create_state
from gan_jax.training import optimizers
from test_train import load_config, set_fields, stand_in_classifier


def num_params(params) -> int:
  return sum(x.size for x in jax.tree.leaves(params))


def test_resnet_translator_shapes_and_parameters():
  g = ResNetTranslator(out_channels=3, features=4, downsamplings=2, num_blocks=2,
                       spec=LayerSpec('instance_norm'))
  x = jnp.asarray(np.random.default_rng(0).uniform(-1, 1, (2, 28, 28, 1)), jnp.float32)
  variables = g.init(jax.random.PRNGKey(0), x)
  norm = lambda c: 2 * c  # Instance norm's scale and shift; the convolution before: no bias.
  expected = (49 * 1 * 4 + norm(4)) + (9 * 4 * 8 + norm(8)) + (9 * 8 * 16 + norm(16)) + (
      2 * 2 * (9 * 16 * 16 + norm(16))) + (9 * 16 * 8 + norm(8)) + (9 * 8 * 4 + norm(4)) + (
      49 * 4 * 3 + 3)
  assert num_params(variables['params']) == expected
  out = g.apply(variables, x)
  assert out.shape == (2, 28, 28, 3) and float(jnp.abs(out).max()) < 1
  np.testing.assert_allclose(g.apply(variables, x[:1]), out[:1], atol=1e-5)  # Per example.
  papers = ResNetTranslator(out_channels=3, features=64, num_blocks=9)  # 256x256, 9 blocks.
  shape = jax.eval_shape(lambda: papers.init(jax.random.PRNGKey(0), jnp.zeros((1, 256, 256, 3))))
  assert num_params(shape['params']) == (  # No norm here: every convolution has a bias.
      (49 * 3 * 64 + 64) + (9 * 64 * 128 + 128) + (9 * 128 * 256 + 256)
      + 18 * (9 * 256 * 256 + 256) + (9 * 256 * 128 + 128) + (9 * 128 * 64 + 64)
      + (49 * 64 * 3 + 3))


def reference_pool(size, fakes, keys):
  """The reference's ImagePool, written out with the same draws."""
  stored, shown = [], []
  for fake, key in zip(fakes, keys):
    swap_key, slot_key = jax.random.split(key)
    if len(stored) < size:
      stored.append(fake)
      shown.append(fake)
    elif bool(jax.random.bernoulli(swap_key)):
      slot = int(jax.random.randint(slot_key, (), 0, size))
      shown.append(stored[slot])
      stored[slot] = fake
    else:
      shown.append(fake)
  return np.stack(shown), np.stack(stored)


def test_pool_fills_then_swaps_half_the_time():
  size, n = 5, 400
  fakes = jnp.arange(n, dtype=jnp.float32).reshape(n, 1, 1, 1)
  keys = jax.vmap(jax.random.fold_in, (None, 0))(jax.random.PRNGKey(3), jnp.arange(n))
  images, filled = pool.empty(size, (1, 1, 1))
  shown, images, filled = jax.jit(pool.query)(images, filled, fakes, keys)
  want_shown, want_stored = reference_pool(size, fakes, keys)
  np.testing.assert_array_equal(shown, want_shown)
  np.testing.assert_array_equal(images, want_stored)
  assert int(filled) == size
  np.testing.assert_array_equal(shown[:size], fakes[:size])  # Filling: the fakes themselves.
  swapped = np.asarray(shown[size:, 0, 0, 0] != fakes[size:, 0, 0, 0])
  assert 0.42 < swapped.mean() < 0.58  # Once full: an older image half the time,
  assert (np.asarray(shown[size:, 0, 0, 0]) <= np.arange(size, n)).all()  # never a later one.
  # A batch in two halves (a resume between them) shows the same images.
  empty_images, empty_filled = pool.empty(size, (1, 1, 1))
  first, images_1, filled_1 = pool.query(empty_images, empty_filled, fakes[:150], keys[:150])
  second, images_2, _ = pool.query(images_1, filled_1, fakes[150:], keys[150:])
  np.testing.assert_array_equal(np.concatenate([first, second]), shown)
  np.testing.assert_array_equal(images_2, images)
  none = pool.query(*pool.empty(0, (1, 1, 1)), fakes, keys)[0]
  np.testing.assert_array_equal(none, fakes)


def test_the_global_pool_query_is_the_same_on_one_device_or_four():
  fakes = jnp.arange(16, dtype=jnp.float32).reshape(16, 1, 1, 1)
  images, filled = pool.empty(3, (1, 1, 1))
  key = jax.random.PRNGKey(5)

  def run(devices):
    per_device = fakes.reshape(devices, -1, 1, 1, 1)
    query = jax.pmap(lambda f: step_lib.global_pool_query(images, filled, f, key),
                     axis_name='batch', devices=jax.devices()[:devices])
    shown, stored, count = query(per_device)
    return shown.reshape(16, 1, 1, 1), stored[0], count[0]

  for one, four in zip(run(1), run(4)):
    np.testing.assert_array_equal(one, four)


def test_halves_are_disjoint_fixed_and_b_is_derived():
  a, b = unpaired.halves(11, split_seed=0)
  assert len(a) == len(b) == 5 and not set(a) & set(b)
  np.testing.assert_array_equal(unpaired.halves(11, 0)[0], a)
  assert not np.array_equal(unpaired.halves(11, 1)[0], a)

  class Images:
    spec, num_examples, fingerprint = DataSpec((4, 4, 1), 10), 11, 'eleven'

    def read(self, indices):  # Image i: a ramp scaled by (i + 1) / 11; its label i.
      indices = np.asarray(indices)
      ramp = np.linspace(-1, 1, 16).reshape(1, 4, 4, 1)
      return ramp * (indices[:, None, None, None] + 1) / 11, indices

  config = load_config('cyclegan_mnist_thicken')
  domain_a, domain_b = unpaired.derived_domains(Images(), config.pairs, 0, 0)
  np.testing.assert_array_equal(domain_a.read(np.arange(5))[1], a)
  images, _ = Images().read(b[[2, 0]])
  derived, b_labels = domain_b.read(np.array([2, 0]))
  np.testing.assert_array_equal(b_labels, b[[2, 0]])
  np.testing.assert_array_equal(derived, paired.thicken(images, 3))
  assert domain_b.fingerprint != domain_a.fingerprint


def tiny_setup(**loss):
  config = load_config('cyclegan_mnist_thicken')
  config.loss.update(loss)
  generators, discriminators = builder.create_networks(config, {'a': 1, 'b': 1})
  tx = optimizers.adam(1e-3, config.optim, 10)
  state = create_state(jax.random.PRNGKey(0), generators, discriminators, tx, tx,
                       {'a': (8, 8, 1), 'b': (8, 8, 1)}, config.loss.pool_size)
  return config, generators, discriminators, state


def pmapped(fn, *args):
  """fn(*args) on one device inside pmap (the step's collectives need its axis)."""
  out = jax.pmap(lambda _, *a: fn(*a), axis_name='batch', in_axes=(0,) + (None,) * len(args),
                 devices=jax.devices()[:1])(jnp.zeros(1), *args)
  return jax.tree.map(lambda x: x[0], out)


def test_loss_by_hand_and_the_cycle_gradient_through_both_gs():
  config, generators, discriminators, state = tiny_setup()
  rng = np.random.default_rng(0)
  a, b = (jnp.asarray(rng.uniform(-1, 1, (4, 8, 8, 1)), jnp.float32) for _ in range(2))
  loss_fn = step_lib.make_loss_fn(generators, discriminators, config)
  key = jax.random.PRNGKey(1)
  (d_loss, g_loss), (terms, (pool_a, pool_b, filled)) = pmapped(
      loss_fn, state.d_params, state.g_params, state, a, b, key)
  G = lambda x: generators['a_to_b'].apply({'params': state.g_params['a_to_b']}, x)
  F = lambda x: generators['b_to_a'].apply({'params': state.g_params['b_to_a']}, x)
  D_a = lambda x: discriminators['a'].apply({'params': state.d_params['a']}, x)
  D_b = lambda x: discriminators['b'].apply({'params': state.d_params['b']}, x)
  mse = lambda x, t: float(jnp.mean((x - t) ** 2))
  l1 = lambda x, t: float(jnp.mean(jnp.abs(x - t)))
  adversarial = 0.5 * mse(D_b(G(a)), 1) + 0.5 * mse(D_a(F(b)), 1)
  cycle = l1(F(G(a)), a) + l1(G(F(b)), b)
  identity = l1(G(b), b) + l1(F(a), a)
  np.testing.assert_allclose(g_loss, 2 * adversarial + 10 * cycle + 0.5 * 10 * identity,
                             rtol=1e-5)
  # The pools (50) are filling: each D sees this batch's fakes.
  np.testing.assert_allclose(pool_a[:4], F(b), atol=1e-5)
  np.testing.assert_allclose(pool_b[:4], G(a), atol=1e-5)
  assert int(filled) == 4
  d_by_hand = (0.5 * mse(D_a(a), 1) + 0.5 * mse(D_a(F(b)), 0)
               + 0.5 * mse(D_b(b), 1) + 0.5 * mse(D_b(G(a)), 0))
  np.testing.assert_allclose(d_loss, d_by_hand, rtol=1e-5)
  np.testing.assert_allclose(terms['cycle'], cycle, rtol=1e-5)

  # |F(G(a)) - a| alone moves both Gs.
  def a_cycle(g_params):
    fake_b = generators['a_to_b'].apply({'params': g_params['a_to_b']}, a)
    return jnp.mean(jnp.abs(generators['b_to_a'].apply({'params': g_params['b_to_a']},
                                                       fake_b) - a))
  grads = jax.grad(a_cycle)(state.g_params)
  assert all(float(jnp.abs(g).sum()) > 0 for g in jax.tree.leaves(grads))
  no_identity = tiny_setup(identity_weight=0.0)[0]
  (_, g_loss_0), _ = pmapped(step_lib.make_loss_fn(generators, discriminators, no_identity),
                             state.d_params, state.g_params, state, a, b, key)
  np.testing.assert_allclose(g_loss_0, 2 * adversarial + 10 * cycle, rtol=1e-5)


def test_the_schedule_holds_then_decays_linearly():
  config = load_config('cyclegan_mnist_thicken')
  schedule = optimizers.learning_rate_schedule(2e-4, config.optim, 100)
  np.testing.assert_allclose([schedule(s) for s in (0, 49, 50, 75, 100)],
                             [2e-4, 2e-4, 2e-4, 1e-4, 0.0], atol=1e-12)


@pytest.mark.parametrize('fields,message', [
    ({'model.g_norm': 'batch_norm'}, r"config.model.g_norm='batch_norm' is not accepted"),
    ({'model.d_norm': 'spectral_norm'}, r"config.model.d_norm='spectral_norm' is not accepted"),
    ({'pairs.derivation': 'downsample'}, r"config.pairs.derivation='downsample' is not accepted"),
    ({'loss.adversarial_weight': 0.0}, r'adversarial_weight=0: .* identity'),
    ({'loss.pool_size': -1}, r'pool_size'),
    ({'loss.name': 'ls'}, r"config.loss.name='ls' is not accepted"),
])
def test_config_errors(fields, message):
  config = load_config('cyclegan_mnist_thicken')
  set_fields(config, fields)
  with pytest.raises(ConfigError, match=message):
    check_config(config)


def test_translation_direction_errors():
  config = load_config('cyclegan_mnist_thicken')
  config.evals.inverse_translation.direction = 'backward'
  with pytest.raises(ConfigError, match=r"evals.inverse_translation.direction='backward'"):
    check_config(config)
  pix2pix_config = load_config('pix2pix_mnist_inpainting')
  pix2pix_config.evals.translation.direction = 'inverse'  # pix2pix has no way back.
  with pytest.raises(ConfigError, match=r"evaluates inverse_translations, but .*'pix2pix'"):
    check_config(pix2pix_config)


@pytest.mark.parametrize('fields,shapes,message', [
    ({'model.g_downsamplings': 3}, None, r'g_downsamplings=3: 28x28 .* divisible by 8'),
    ({'model.d_layers': 4}, None, r'd_layers=4: a PatchGAN that deep'),
    ({}, {'a': (28, 28, 1), 'b': (32, 32, 1)}, r"Domain A's images are \(28, 28\) and .*B's"),
    ({}, {'a': (28, 28, 1), 'b': (28, 28, 3)}, r'identity_weight=0.5: .* 1 channels and B 3'),
])
def test_data_errors_before_building(fields, shapes, message):
  config = load_config('cyclegan_mnist_thicken')
  set_fields(config, fields)
  check_config(config)
  shapes = shapes or {'a': (28, 28, 1), 'b': (28, 28, 1)}
  with pytest.raises(ConfigError, match=message):
    task_config.check_data(config, {k: DataSpec(v, 10) for k, v in shapes.items()})


def test_end_to_end_on_mnist_with_mode_translate(mnist_data_dir, mnist_manual_dir, tmp_path):
  config = load_config('cyclegan_mnist_thicken')
  config.data.data_dir, config.data.manual_dir = mnist_data_dir, mnist_manual_dir
  del config.evals['fid']  # Inception: the evaluator's own tests.
  config.cache_dir = stand_in_classifier(tmp_path / 'cache', ['mnist'], mnist_data_dir,
                                         mnist_manual_dir)
  config.stand_in_classifier = False  # The cached one, not :tiny's fitted stand-in.
  for ev in config.evals.values():
    ev.num_samples = 500  # Every metric recorded; --mode translate writes all 10,000.
  streams = cyclegan.streams(config)
  assert streams['a'].source.num_examples == streams['b'].source.num_examples == 30_000
  loop.train_and_evaluate(config, str(tmp_path))
  records = [json.loads(line) for line in (tmp_path / 'metrics.jsonl').read_text().splitlines()]
  by_eval = {name: {r['metric'] for r in records if r['eval'] == name}
             for name in ('translation', 'inverse_translation')}
  assert by_eval['translation'] == by_eval['inverse_translation'] == {
      'l1', 'psnr', 'ssim', 'identity_l1', 'identity_psnr', 'identity_ssim'}
  assert [r['protocol']['direction'] for r in records if r['eval'] == 'inverse_translation'
          ][0] == 'inverse'
  for name in ('label_preservation', 'inverse_label_preservation'):
    assert {r['metric'] for r in records if r['eval'] == name} == {
        'accuracy', 'target_accuracy', 'identity_accuracy'}
  assert (tmp_path / 'cycle_a' / 'step_0000004.png').exists()
  assert (tmp_path / 'cycle_b' / 'step_0000004.png').exists()
  out = standalone.run_mode(config, str(tmp_path), 'translate', None, {})
  forward, inverse = (np.load(out / f'{name}.npz')
                      for name in ('translations', 'inverse_translations'))
  for saved in (forward, inverse):
    assert {k: (v.shape, v.dtype) for k, v in saved.items()} == {
        'inputs': ((10_000, 28, 28, 1), np.uint8), 'outputs': ((10_000, 28, 28, 1), np.uint8),
        'targets': ((10_000, 28, 28, 1), np.uint8), 'labels': ((10_000,), np.int32)}
  # B -> A reads thickened digits and aims at the digits; A -> B the other way round.
  np.testing.assert_array_equal(forward['inputs'], inverse['targets'])
  np.testing.assert_array_equal(forward['targets'], inverse['inputs'])
  assert forward['inputs'].mean() > forward['targets'].mean()  # Thicker strokes: more ink.
  assert (out / 'inverse_translations.png').exists()

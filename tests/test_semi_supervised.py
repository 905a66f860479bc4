"""The semi-supervised task (Improved GAN): its losses by hand, weight norm's data-dependent
initialisation, per-example noise, the labelled subset, the classification evaluator, its
errors before compilation, and training on real MNIST."""
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gan_jax.config.errors import ConfigError
from gan_jax.data import subsets
from gan_jax.eval import context as eval_context
from gan_jax.eval.evaluators import classification
from gan_jax.models.weight_norm import GaussianNoise, WeightNormDense
from gan_jax.objectives import semi_supervised as objectives
from gan_jax.run import loop
from gan_jax.run.checks import check_config
from test_data_integrity import raw_split
from test_train import load_config, set_fields

RNG = np.random.default_rng(0)
LOGITS_REAL, LOGITS_FAKE = RNG.normal(0, 3, (6, 4)), RNG.normal(-1, 3, (5, 4))
LABELS = (LOGITS_REAL.argmax(1) + np.array([0, 1, 0, 0, 2, 0])) % 4  # Two of six wrong.


def test_labelled_loss_is_the_cross_entropy_by_hand():
  p = np.exp(LOGITS_REAL) / np.exp(LOGITS_REAL).sum(1, keepdims=True)
  expected = -np.mean(np.log(p[np.arange(6), LABELS]))
  assert float(objectives.labelled_loss(LOGITS_REAL, LABELS)) == pytest.approx(expected, rel=1e-6)
  assert float(objectives.error_rate(LOGITS_REAL, LABELS)) == pytest.approx(2 / 6)


def test_unlabelled_loss_is_the_binary_cross_entropy_of_z_over_z_plus_1():
  """D(x) = Z/(Z+1), Z = sum exp(logits), computed directly: the paper's softplus form
  equals -1/2 E log D(x) - 1/2 E log(1 - D(G(z)))."""
  d = lambda logits: np.exp(logits).sum(1) / (np.exp(logits).sum(1) + 1)
  expected = -0.5 * np.mean(np.log(d(LOGITS_REAL))) - 0.5 * np.mean(np.log(1 - d(LOGITS_FAKE)))
  assert float(objectives.unlabelled_loss(LOGITS_REAL, LOGITS_FAKE)) == pytest.approx(
      expected, rel=1e-6)
  np.testing.assert_allclose(jax.nn.sigmoid(objectives.real_logit(LOGITS_REAL)),
                             d(LOGITS_REAL), rtol=1e-6)


def test_feature_matching_by_hand_and_over_devices():
  real, fake = RNG.normal(size=(8, 3)), RNG.normal(1, 1, (8, 3))
  expected = np.mean((real.mean(0) - fake.mean(0))**2)
  assert float(objectives.feature_matching_loss(real, fake)) == pytest.approx(expected, rel=1e-6)
  on_devices = jax.pmap(lambda r, f: objectives.feature_matching_loss(r, f, 'batch'),
                        axis_name='batch')(real.reshape(4, 2, 3), fake.reshape(4, 2, 3))
  np.testing.assert_allclose(on_devices, expected, rtol=1e-5)


def test_weight_norm_data_init_gives_zero_mean_unit_variance_pre_activations():
  """On the init batch every unit's pre-activation has mean 0 and variance 1, in the first
  layer and in one that sees an already initialised layer; a non-trained scale gets no
  gradient, a trained one does."""
  x = jnp.asarray(RNG.uniform(size=(200, 30)), jnp.float32)
  first = WeightNormDense(20, train_scale=False)
  params = first.init(jax.random.PRNGKey(0), x)
  y = first.apply(params, x)
  np.testing.assert_allclose(y.mean(0), 0, atol=1e-5)
  np.testing.assert_allclose(y.var(0), 1, rtol=1e-4)
  second = WeightNormDense(7)
  h = jax.nn.relu(y)
  z = second.apply(second.init(jax.random.PRNGKey(1), h), h)
  np.testing.assert_allclose(z.mean(0), 0, atol=1e-5)
  np.testing.assert_allclose(z.var(0), 1, rtol=1e-4)
  assert not np.allclose(params['params']['scale'], 1)  # The init changed it.
  loss = lambda p, module: jnp.sum(module.apply(p, x)**2)
  assert not np.any(jax.grad(loss)(params, first)['params']['scale'])
  trained = WeightNormDense(20)
  assert np.all(jax.grad(loss)(trained.init(jax.random.PRNGKey(0), x), trained)['params']['scale'])


def test_gaussian_noise_is_per_example_on_any_number_of_devices():
  x = jnp.zeros((8, 5000))
  layer = GaussianNoise(0.5, axis_name=None)
  noisy = layer.apply({}, x, False, rngs={'noise': jax.random.PRNGKey(3)})
  assert float(noisy.std()) == pytest.approx(0.5, rel=0.02)
  assert np.array_equal(layer.apply({}, x, True), x)  # Evaluation: no noise.
  sharded = jax.pmap(lambda xs: GaussianNoise(0.5, 'batch').apply(
      {}, xs, False, rngs={'noise': jax.random.PRNGKey(3)}), axis_name='batch')(
          x.reshape(4, 2, 5000))
  np.testing.assert_array_equal(np.asarray(sharded).reshape(8, 5000), noisy)


def labels_of(counts):
  return RNG.permutation(np.repeat(np.arange(len(counts)), counts))


def test_labelled_subset_is_exactly_n_per_class_and_follows_its_seed():
  labels = labels_of([30, 12, 50, 9])
  chosen = subsets.labelled_indices(labels, 9, 4, seed=5)
  assert np.bincount(labels[chosen], minlength=4).tolist() == [9, 9, 9, 9]
  assert len(set(chosen.tolist())) == 36
  np.testing.assert_array_equal(chosen, subsets.labelled_indices(labels, 9, 4, seed=5))
  assert set(chosen.tolist()) != set(subsets.labelled_indices(labels, 9, 4, seed=6).tolist())
  # openai/improved-gan's rule, written out: permute with the seed, the first 9 of each class.
  order = np.random.default_rng(5).permutation(len(labels))
  expected = [i for c in range(4) for i in [j for j in order if labels[j] == c][:9]]
  assert chosen.tolist() == expected
  with pytest.raises(ConfigError, match=r'config.labels.per_class=10 .* class 3 has 9; '
                                        r'accepted: 1 to 9'):
    subsets.labelled_indices(labels, 10, 4, seed=5)


def test_feature_layer_that_does_not_exist_is_a_clear_error():
  config = load_config('improved_gan_mnist')
  config.model.feature_layer = 'hidden_2'  # :tiny's D has two hidden layers.
  with pytest.raises(ConfigError, match=r"config.model.feature_layer='hidden_2' is not accepted; "
                                        r"accepted: \('hidden_0', 'hidden_1'\)"):
    check_config(config)
  config.model.feature_layer, config.loss.generator = 'hidden_1', 'feature'
  with pytest.raises(ConfigError, match=r"config.loss.generator='feature' .*\('feature_matching'"):
    check_config(config)


def mnist_config(mnist_data_dir, mnist_manual_dir, **overrides):
  config = load_config('improved_gan_mnist')
  config.data.data_dir, config.data.manual_dir = mnist_data_dir, mnist_manual_dir
  set_fields(config, overrides)
  return config


def test_more_labels_per_class_than_a_class_has_stops_before_compiling(
    tmp_path, mnist_data_dir, mnist_manual_dir, monkeypatch):
  from gan_jax.tasks.semi_supervised import builder
  monkeypatch.setattr(builder, 'build', lambda *a: pytest.fail('built the networks'))
  config = mnist_config(mnist_data_dir, mnist_manual_dir, **{'labels.per_class': 5_422})
  # 5,421: MNIST's smallest training class (digit 5).
  with pytest.raises(ConfigError, match=r'config.labels.per_class=5422 .* class 5 has 5421'):
    loop.train_and_evaluate(config, str(tmp_path))
  assert not (tmp_path / 'checkpoints').exists()


def test_classification_evaluator_counts_errors_against_the_raw_test_labels(
    mnist_data_dir, mnist_manual_dir):
  """A stand-in classifier that always says 1: its errors are the test digits that are not 1,
  counted from the idx file parsed by hand (the whole split: tfds reorders examples)."""
  config = mnist_config(mnist_data_dir, mnist_manual_dir)
  ev = config.evals.test
  ev.num_samples = 10_000
  always_one = lambda batches: (np.ones(len(b), np.int64) for b in batches)
  values, protocol = classification.evaluate(ev, always_one, 'ema',
                                             eval_context.EvalContext(config))
  expected = int(np.sum(raw_split('mnist', 'test')[1] != 1))
  assert values['errors'] == expected and values['error'] == expected / 10_000
  assert values['accuracy'] == pytest.approx(1 - expected / 10_000)
  assert protocol['examples'] == 10_000 and protocol['split'] == 'test'
  assert protocol['labelled_set']['per_class'] == config.labels.per_class


@pytest.mark.parametrize('generator', ['feature_matching', 'non_saturating', 'none'])
def test_trains_on_real_mnist_and_reports_test_error(generator, tmp_path, mnist_data_dir,
                                                     mnist_manual_dir):
  config = mnist_config(mnist_data_dir, mnist_manual_dir, **{'loss.generator': generator})
  state = loop.train_and_evaluate(config, str(tmp_path))
  assert int(state.step) == config.train.num_steps
  records = [json.loads(line) for line in (tmp_path / 'metrics.jsonl').read_text().splitlines()]
  errors = {(r['generator'], r['metric']): r for r in records if r['eval'] == 'test'}
  assert {('ema', 'error'), ('raw', 'error')} <= set(errors)
  assert 0.0 <= errors['ema', 'error']['value'] <= 1.0
  assert errors['ema', 'error']['protocol']['labelled_set'] == config.labels.to_dict()
  assert (tmp_path / 'samples').exists() == (generator != 'none')
  assert (state.g_params == {}) == (generator == 'none')


# ------------------------------------------------------------------ Classification Accuracy Score

def cas_setup(mnist_data_dir, mnist_manual_dir, **fields):
  from gan_jax.eval import registry
  config = load_config('cgan_pd_mnist')
  config.data.data_dir, config.data.manual_dir = mnist_data_dir, mnist_manual_dir
  # Small: the suite's XLA flags (tests/conftest.py) make convolutions slow to run.
  ev = registry.eval_config('cas', every_steps=1, **{'num_samples': 500, 'epochs': 2,
                                                     'num_test': 1_000, **fields})
  return ev, eval_context.EvalContext(config)


def test_cas_of_real_images_equals_the_real_baseline_and_wrong_labels_score_zero(
    mnist_data_dir, mnist_manual_dir):
  """A 'generator' that returns the real baseline's own images: the same training set, so
  exactly the real accuracy. One that labels each of them as the next digit: the classifier
  learns that shift and is wrong on almost every test digit."""
  from gan_jax.eval.evaluators import classification_accuracy_score as cas
  ev, ctx = cas_setup(mnist_data_dir, mnist_manual_dir, augment_real_per_class=20)
  train = ctx.reference_source('train')
  real = cas.real_subset(train, subsets.all_labels(train), 50, 10, ev.classifier_seed)
  as_generated = lambda shift: lambda num: iter([(real[0][:num], (real[1][:num] + shift) % 10)])
  values, protocol = cas.evaluate(ev, as_generated(0), 'ema', ctx)
  assert values['cas'] == values['real_accuracy'] > 0.3  # 6 steps of training; chance: 0.1.
  assert set(values) == {'cas', 'real_accuracy', 'small_real_accuracy', 'augmented_accuracy'}
  assert protocol['generated_per_class'] == 50 and protocol['test_examples'] == 1_000
  ev.augment_real_per_class = 0
  shifted, _ = cas.evaluate(ev, as_generated(1), 'ema', ctx)
  assert shifted['cas'] < 0.1 < values['cas'] / 3  # Below chance, as labels are wrong.
  assert shifted['real_accuracy'] == values['real_accuracy']


def test_cas_needs_a_conditional_generator_and_enough_real_images(mnist_data_dir,
                                                                  mnist_manual_dir):
  from gan_jax.eval.evaluators import classification_accuracy_score as cas
  config = load_config('dcgan_mnist')  # Unconditional G: no labelled images to score.
  config.evals.cas = load_config('cgan_pd_mnist').evals.cas
  with pytest.raises(ConfigError, match=r"config.evals.cas.metric='cas' evaluates "
                                        r"labelled_images, .* predicts "
                                        r"\('images', 'discriminate', 'anomaly_scores'\)"):
    check_config(config)
  ev, ctx = cas_setup(mnist_data_dir, mnist_manual_dir, num_samples=60_000)
  with pytest.raises(ConfigError, match=r'config.evals.cas.num_samples=60000 \(6000 per class '
                                        r'of 10\).* 1 to 5421 per class'):
    cas.check_data('cas', ev, ctx)


def test_conditional_gan_trains_and_scores_its_cas_on_real_mnist(tmp_path, mnist_data_dir,
                                                                 mnist_manual_dir):
  config = load_config('cgan_pd_mnist')
  config.data.data_dir, config.data.manual_dir = mnist_data_dir, mnist_manual_dir
  loop.train_and_evaluate(config, str(tmp_path))
  records = [json.loads(line) for line in (tmp_path / 'metrics.jsonl').read_text().splitlines()]
  values = {r['metric']: r['value'] for r in records if r['eval'] == 'cas'}
  assert set(values) == {'cas', 'real_accuracy', 'small_real_accuracy', 'augmented_accuracy'}
  assert all(0.0 <= v <= 1.0 for v in values.values())

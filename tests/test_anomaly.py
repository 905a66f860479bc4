"""Anomaly detection: AnoGAN's, f-AnoGAN's (izi_f) and GANomaly's losses and scores by hand,
AnoGAN's latent search, GANomaly's generator, the critic's sown features, training on some
classes only (config.data.classes), the anomaly evaluator and the one-class SVM baseline
against the raw test files, their errors before compilation, and f-AnoGAN's two stages (with
AnoGAN and the baseline at the end of the first) end to end on real MNIST with --mode score."""
import functools
import json
import re
import types
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gan_jax import models
from gan_jax.config.errors import ConfigError
from gan_jax.data import subsets
from gan_jax.eval import context as eval_context
from gan_jax.eval.evaluators import anomaly_detection
from gan_jax.eval.metrics import ranking
from gan_jax.objectives import anomaly
from gan_jax.run import loop, standalone
from gan_jax.run.checks import check_config
from test_data_integrity import raw_split
from test_train import load_config

RNG = np.random.default_rng(0)


def test_izif_residuals_and_score_by_hand():
  """Two 2x2 images and 3 features: A_R and A_D are means of squared differences."""
  images = np.array([[[1., 0.], [0., 1.]], [[0., 0.], [0., 0.]]])[..., None]
  recon = np.array([[[0., 0.], [0., 1.]], [[1., 1.], [1., -1.]]])[..., None]
  feats, recon_feats = np.array([[1., 2., 3.], [0., 0., 0.]]), np.array([[1., 2., 0.],
                                                                         [3., 0., 0.]])
  image_residual, feature_residual = anomaly.izif_residuals(images, recon, feats, recon_feats)
  np.testing.assert_allclose(image_residual, [1 / 4, 4 / 4])
  np.testing.assert_allclose(feature_residual, [9 / 3, 9 / 3])
  np.testing.assert_allclose(anomaly.izif_score(image_residual, feature_residual, 0.5),
                             [0.25 + 1.5, 1.0 + 1.5])


def test_anogan_score_by_hand():
  """(1 - lambda) mean |x - G(z)| + lambda mean |f(x) - f(G(z))|, per example."""
  images = np.array([[[1., 0.], [0., 1.]], [[0., 0.], [0., 0.]]])[..., None]
  generated = np.array([[[0., 0.], [0., 3.]], [[1., 1.], [1., -1.]]])[..., None]
  feats, generated_feats = np.array([[1., 2., 3.], [0., 0., 0.]]), np.array([[1., 2., 0.],
                                                                             [3., 0., 6.]])
  np.testing.assert_allclose(
      anomaly.anogan_score(images, generated, feats, generated_feats, 0.25),
      [0.75 * 3 / 4 + 0.25 * 3 / 3, 0.75 * 4 / 4 + 0.25 * 9 / 3], rtol=1e-6)


def test_ganomaly_loss_and_score_by_hand():
  """w_adv mean (f(x) - f(x_hat))^2 + w_con mean |x - x_hat| + w_enc mean (z - z_hat)^2, each
  averaged over the batch; the score is the per-example latent term."""
  images = np.array([[[1., 0.], [0., 1.]], [[0., 0.], [0., 0.]]])[..., None]
  recon = np.array([[[0., 0.], [0., 3.]], [[1., 1.], [1., -1.]]])[..., None]
  feats, recon_feats = np.array([[1., 2.], [0., 0.]]), np.array([[1., 0.], [3., 1.]])
  z, z_hat = np.array([[1., 1., 1.], [0., 0., 0.]]), np.array([[1., 1., 4.], [0., 3., 0.]])
  loss, terms = anomaly.ganomaly_g_loss(images, recon, feats, recon_feats, z, z_hat,
                                        (2.0, 50.0, 0.5))
  assert terms['adversarial'] == pytest.approx((4 / 2 + 10 / 2) / 2)
  assert terms['contextual'] == pytest.approx((3 / 4 + 4 / 4) / 2)
  assert terms['latent'] == pytest.approx((9 / 3 + 9 / 3) / 2)
  assert loss == pytest.approx(2 * 3.5 + 50 * 0.875 + 0.5 * 3.0)
  np.testing.assert_allclose(anomaly.ganomaly_score(z, z_hat), [3.0, 3.0])


def test_ganomaly_generator_shapes_and_its_three_networks():
  """x -> (x_hat of x's shape, z, z_hat) with two encoders of the same shape, their own weights."""
  from gan_jax.tasks.anomaly import builder
  config = load_config('ganomaly_mnist')
  generator, _ = builder.create_ganomaly_networks(config, (28, 28, 1))
  x = jnp.asarray(RNG.uniform(-1, 1, (3, 28, 28, 1)), jnp.float32)
  variables = generator.init(jax.random.PRNGKey(0), x, train=False)
  x_hat, z, z_hat = generator.apply(variables, x, train=False)
  assert x_hat.shape == x.shape and z.shape == z_hat.shape == (3, config.model.z_dim)
  params = variables['params']
  assert set(params) == {'encoder', 'decoder', 'reencoder'}
  assert (jax.tree.map(np.shape, params['encoder'])
          == jax.tree.map(np.shape, params['reencoder']))
  kernels = lambda tree: [k for k in jax.tree.leaves(tree) if k.ndim > 1]
  assert not np.allclose(kernels(params['encoder'])[0], kernels(params['reencoder'])[0])


@pytest.mark.parametrize('field,value,message', [
    ('anogan.weight', 1.5, r'config.anogan.weight=1.5 must be in \[0, 1\]'),
    ('anogan.steps', 0, 'config.anogan.steps=0 must be > 0'),
])
def test_bad_anogan_settings_are_clear_errors(field, value, message):
  config = load_config('fanogan_wgan_mnist')
  check_config(config)
  *groups, leaf = field.split('.')
  functools.reduce(getattr, groups, config)[leaf] = value
  with pytest.raises(ConfigError, match=message):
    check_config(config)


def test_ganomaly_scores_with_the_raw_g_only():
  config = load_config('ganomaly_mnist')
  check_config(config)
  config.evals.anomaly.generator = 'ema'
  with pytest.raises(ConfigError, match=r"GANomaly's G keeps no EMA.*generator='raw'"):
    check_config(config)


def tiny_gan(config):
  generator, discriminator = models.create_models(config.model, (28, 28, 1))
  labels = jnp.zeros((1,), jnp.int32)
  g_vars = generator.init(jax.random.PRNGKey(1), jnp.zeros((1, config.model.z_dim)), labels,
                          train=False)
  d_vars = discriminator.init(jax.random.PRNGKey(2), jnp.zeros((1, 28, 28, 1)), labels,
                              train=False)
  return generator, discriminator, g_vars, d_vars


def test_anogan_latent_search_lowers_its_objective_per_image_and_compiles_once():
  """The search's score at its last z is below its score at z0 for every image; an image's
  score does not depend on the others in its batch; batches of 8, 8 and 3 compile once."""
  from gan_jax.tasks.gan import latent_search
  config = load_config('fanogan_wgan_mnist')
  config.anogan.steps = 20
  generator, discriminator, g_vars, d_vars = tiny_gan(config)
  search = latent_search.make_search_fn(generator, discriminator, config.anogan)
  images = jnp.asarray(RNG.uniform(-1, 1, (8, 28, 28, 1)), jnp.float32)
  z0 = jnp.asarray(RNG.normal(size=(8, config.model.z_dim)), jnp.float32)
  variables = (g_vars['params'], g_vars['batch_stats'], d_vars['params'], {})
  before, after = search(*variables, images, z0)
  assert (np.asarray(after) < np.asarray(before)).all()
  others = images.at[1:].set(-images[1:])
  np.testing.assert_allclose(search(*variables, others, z0)[1][0], after[0], rtol=1e-5)
  host_state = types.SimpleNamespace(
      g_params=g_vars['params'], ema_g_params=g_vars['params'], g_batch_stats=g_vars['batch_stats'],
      d_params=d_vars['params'], d_batch_stats={})
  batches = [np.asarray(images), np.asarray(images), np.asarray(images[:3])]
  search = latent_search.make_search_fn(generator, discriminator, config.anogan)
  scores = list(latent_search.anomaly_scores(search, (g_vars['params'], g_vars['batch_stats']),
                                             host_state, iter(batches), config.model.z_dim,
                                             config.seed))
  assert [len(s) for s in scores] == [8, 8, 3] and search._cache_size() == 1


class FirstExamples:
  """A source cut to its first `num_examples` (--mode score reads a whole split)."""

  def __init__(self, source, num_examples: int):
    self.source, self.num_examples = source, num_examples

  def __getattr__(self, name):
    return getattr(self.source, name)


def test_the_gan_run_ends_with_anogans_and_the_baselines_auroc_and_scores_with_anogan(
    mnist_data_dir, mnist_manual_dir, fanogan_gan_workdir, monkeypatch):
  """Stage 1's run records AnoGAN's AUROC (raw G) and the one-class SVM's, each with its
  method; --mode score on its workdir writes AnoGAN's scores, by the evaluator's raw G: the
  first 64 are the ones the evaluator ranked."""
  records = [json.loads(line) for line in
             (Path(fanogan_gan_workdir) / 'metrics.jsonl').read_text().splitlines()]
  auroc = {r['eval']: r for r in records if r['metric'] == 'auroc'}
  assert auroc['anogan']['generator'] == 'raw' and auroc['anogan']['protocol']['method'] == {
      'method': 'anogan', 'steps': 5, 'lr': 1e-2, 'weight': 0.1}
  assert auroc['ocsvm']['protocol']['method']['fitted_examples'] == 256
  assert all(0.0 <= r['value'] <= 1.0 for r in auroc.values())
  config = load_config('fanogan_wgan_mnist')
  config.data.data_dir, config.data.manual_dir = mnist_data_dir, mnist_manual_dir
  whole_split = eval_context.reference_source
  monkeypatch.setattr(eval_context, 'reference_source',
                      lambda *args, **kw: FirstExamples(whole_split(*args, **kw), 100))
  out = standalone.run_mode(config, fanogan_gan_workdir, 'score', None, {'generator': 'ema'})
  scored = np.load(out / 'scores.npz')
  assert scored['scores'].shape == (100,) and np.isfinite(scored['scores']).all()
  assert ranking.auroc(scored['scores'][:64], scored['is_anomaly'][:64]) == pytest.approx(
      auroc['anogan']['value'])


@pytest.mark.parametrize('config_name,classes,message', [
    ('dcgan_mnist', (), 'set config.data.classes to the normal classes'),
    ('cgan_pd_mnist', (0,), "--mode=score needs a model that scores anomalies; config.task='gan'"),
    ('dcgan_mnist', (0,), "--mode=score scores the split of the config's 'anomaly' evaluator"),
])
def test_score_mode_needs_a_model_that_scores_and_normal_classes(config_name, classes, message):
  config = load_config(config_name)
  config.data.classes = classes
  with pytest.raises(ConfigError, match=re.escape(message)):
    standalone.check_mode(config, 'score')


def test_the_critics_sown_features_are_what_its_head_reads():
  """DCGAN's D sows the features its head's Dense(1) reads: the logit is that dense of them."""
  config = load_config('fanogan_wgan_mnist')
  _, discriminator = models.create_models(config.model, (28, 28, 1))
  x, labels = jnp.asarray(RNG.normal(size=(3, 28, 28, 1)), jnp.float32), jnp.zeros((3,), int)
  variables = discriminator.init(jax.random.PRNGKey(0), x, labels, train=False)
  (logits, _), sown = discriminator.apply(variables, x, labels, train=False,
                                          mutable=['intermediates'])
  features = sown['intermediates']['features'][0]
  assert features.shape == (3, 7 * 7 * 2 * config.model.d_features)
  head = variables['params']['DiscriminatorHead_0']['Dense_0']
  np.testing.assert_allclose(logits.reshape(-1), (features @ head['kernel'] + head['bias']).ravel(),
                             rtol=1e-5, atol=1e-5)


def test_class_indices_keep_exactly_the_requested_classes():
  labels = np.array([3, 0, 1, 3, 2, 0, 3])
  np.testing.assert_array_equal(subsets.class_indices(labels, (3,), 4), [0, 3, 6])
  np.testing.assert_array_equal(subsets.class_indices(labels, (0, 2), 4), [1, 4, 5])
  with pytest.raises(ConfigError, match=r'config.data.classes=\(1, 4\): \[4\] not a class of the '
                                        r'dataset; accepted labels: 0 to 3'):
    subsets.class_indices(labels, (1, 4), 4)
  with pytest.raises(ConfigError, match='the dataset has no labels'):
    subsets.class_indices(None, (0,), None)


@pytest.mark.parametrize('classes,message', [
    ((0, 0), 'must be a tuple of distinct class labels'),
    ((-1,), 'must be a tuple of distinct class labels'),
])
def test_bad_data_classes_are_clear_errors(classes, message):
  config = load_config('fanogan_wgan_mnist')
  config.data.classes = classes
  with pytest.raises(ConfigError, match=f'config.data.classes=.*{message}'):
    check_config(config)
  config = load_config('default')
  config.data.classes = (0,)
  with pytest.raises(ConfigError, match="needs a dataset of files; config.data.name='ring'"):
    check_config(config)


def test_a_gan_trains_on_its_classes_only_and_the_test_split_keeps_all(
    mnist_data_dir, mnist_manual_dir):
  """The training stream holds exactly MNIST's 5,923 training zeros (LeCun's files, parsed by
  hand); the anomaly evaluator's test split keeps all 10,000 digits."""
  from gan_jax import tasks
  config = load_config('fanogan_wgan_mnist')
  config.data.data_dir, config.data.manual_dir = mnist_data_dir, mnist_manual_dir
  source = tasks.get('gan').streams(config)['data'].source
  raw_labels = raw_split('mnist', 'train')[1]
  assert source.num_examples == int(np.sum(raw_labels == 0)) == 5_923
  assert set(subsets.all_labels(source).tolist()) == {0}
  ctx = eval_context.EvalContext(config)
  assert ctx.reference_source('test', all_classes=True).num_examples == 10_000
  assert ctx.reference_source('test').num_examples == int(np.sum(raw_split('mnist', 'test')[1] == 0))
  config.data.classes = (10,)
  with pytest.raises(ConfigError, match=r'\[10\] not a class of the dataset; accepted labels: 0 '
                                        r'to 9'):
    tasks.get('gan').streams(config)


def anomaly_config(mnist_data_dir, mnist_manual_dir, gan_workdir):
  config = load_config('fanogan_mnist')
  config.data.data_dir, config.data.manual_dir = mnist_data_dir, mnist_manual_dir
  config.init_from.workdir = gan_workdir
  return config


def test_anomaly_evaluator_against_the_raw_test_labels(mnist_data_dir, mnist_manual_dir):
  """A stand-in score, each image's ink (the sum of its bytes): with 0 and 1 normal, its AUROC and AP
  equal scikit-learn's on the idx files parsed by hand (the whole split: tfds reorders it)."""
  from sklearn.metrics import average_precision_score, roc_auc_score
  config = anomaly_config(mnist_data_dir, mnist_manual_dir, '/unused')
  config.data.classes = (0, 1)
  ev = config.evals.anomaly
  ev.num_samples = 10_000
  # Each pixel's byte, recovered exactly from the pipeline's [-1, 1] floats, summed.
  ink = lambda batches: (np.round((np.asarray(b) + 1) * 127.5).sum(axis=(1, 2, 3))
                         for b in batches)
  values, protocol = anomaly_detection.evaluate(ev, ink, 'ema', eval_context.EvalContext(config))
  raw_images, raw_labels = raw_split('mnist', 'test')
  anomalous, raw_ink = raw_labels >= 2, raw_images.reshape(10_000, -1).sum(1, dtype=np.int64)
  assert values['auroc'] == pytest.approx(roc_auc_score(anomalous, raw_ink), abs=1e-9)
  assert values['average_precision'] == pytest.approx(
      average_precision_score(anomalous, raw_ink), abs=1e-9)
  assert 0.5 < values['auroc'] < 1.0
  assert protocol['anomalies'] == int(anomalous.sum())
  assert protocol['normal_classes'] == [0, 1] and protocol['examples'] == 10_000
  assert protocol['method'] == config.anomaly.to_dict()


def test_the_one_class_svm_baseline_against_scikit_learn_on_the_raw_files(
    mnist_data_dir, mnist_manual_dir):
  """Normal digit 7: the evaluator's AUROC equals that of scikit-learn's OneClassSVM fitted
  to the raw idx training 7s (bytes / 127.5 - 1) and scoring the raw test digits."""
  from sklearn.metrics import roc_auc_score
  from sklearn.svm import OneClassSVM
  from gan_jax.eval import registry
  from gan_jax.eval.evaluators import one_class_svm
  config = anomaly_config(mnist_data_dir, mnist_manual_dir, '/unused')
  config.data.classes = (7,)
  ev = registry.eval_config('ocsvm', every_steps=1, num_samples=10_000)
  values, protocol = one_class_svm.evaluate(ev, None, 'ema', eval_context.EvalContext(config))
  to_pixels = lambda raw: raw.reshape(len(raw), -1) / 127.5 - 1.0
  train_images, train_labels = raw_split('mnist', 'train')
  test_images, test_labels = raw_split('mnist', 'test')
  svm = OneClassSVM(kernel='rbf', gamma='scale', nu=0.1).fit(to_pixels(train_images[
      train_labels == 7]))
  expected = roc_auc_score(test_labels != 7, -svm.decision_function(to_pixels(test_images)))
  assert values['auroc'] == pytest.approx(expected, abs=1e-4)
  assert protocol['method']['fitted_examples'] == int((train_labels == 7).sum())
  assert 0.8 < values['auroc'] < 1.0


def test_anomaly_evaluator_needs_normal_classes_and_the_task_a_trained_gan():
  config = load_config('fanogan_mnist')
  config.init_from.workdir = '/some/gan'
  check_config(config)
  config.data.classes = ()
  with pytest.raises(ConfigError, match=r"config.evals.anomaly.metric='anomaly' needs the normal "
                                        r'classes: set config.data.classes'):
    check_config(config)
  config = load_config('fanogan_mnist')
  with pytest.raises(ConfigError, match='config.init_from.workdir'):
    check_config(config)
  config.init_from.workdir, config.init_from.parts = '/some/gan', 'g_params'
  with pytest.raises(ConfigError, match=r"trains an encoder for a trained GAN.*\('g_params', "
                                        r"'g_batch_stats', 'd_params', 'd_batch_stats'\)"):
    check_config(config)
  config = load_config('fanogan_mnist')
  config.init_from.workdir, config.model.name = '/some/gan', 'resnet'
  with pytest.raises(ConfigError, match=r"config.model.name='resnet' has no encoder; accepted: "
                                        r"\('dcgan', 'infogan'\)"):
    check_config(config)


def test_an_anomaly_evaluator_on_an_unlabelled_dataset_stops_before_compiling(
    tmp_path, monkeypatch):
  from gan_jax.tasks.anomaly import builder
  monkeypatch.setattr(builder, 'build', lambda *a: pytest.fail('built the networks'))
  folder = tmp_path / 'images'
  folder.mkdir()
  from PIL import Image
  for i in range(4):
    Image.fromarray(RNG.integers(0, 255, (28, 28), np.uint8)).save(folder / f'{i}.png')
  config = load_config('fanogan_mnist')
  config.data.name, config.data.path, config.data.image_size = 'folder', str(folder), 28
  config.data.channels, config.init_from.workdir = 1, '/some/gan'
  with pytest.raises(ConfigError, match=r"config.data.classes=\(0,\): \[0\] not a class of the "
                                        r'dataset; accepted labels: none: the dataset has no '
                                        r'labels'):
    loop.train_and_evaluate(config, str(tmp_path / 'run'))
  assert not (tmp_path / 'run' / 'checkpoints').exists()


def test_fanogan_trains_on_real_mnist_lowers_its_loss_and_scores_every_test_digit(
    tmp_path, mnist_data_dir, mnist_manual_dir, fanogan_gan_workdir):
  """Stage 2 on stage 1's GAN: G and D stay the GAN's, E's loss falls, the AUROC is recorded
  with its protocol, and --mode score writes every test digit's score, label and flag."""
  config = anomaly_config(mnist_data_dir, mnist_manual_dir, fanogan_gan_workdir)
  config.train.num_steps, config.optim.e_lr = 30, 3e-3
  config.train.log_every_steps = 10
  state = loop.train_and_evaluate(config, str(tmp_path))
  gan = loop.checkpointing.restore_saved(fanogan_gan_workdir, None)[1]
  jax.tree.map(np.testing.assert_array_equal, state.g_params, gan['g_params'])
  jax.tree.map(np.testing.assert_array_equal, state.d_params, gan['d_params'])
  losses = [json.loads(line)['e_loss']
            for line in (tmp_path / 'train_metrics.jsonl').read_text().splitlines()]
  assert losses[-1] < losses[0]
  records = [json.loads(line) for line in (tmp_path / 'metrics.jsonl').read_text().splitlines()]
  auroc = next(r for r in records if r['metric'] == 'auroc' and r['step'] == 30)
  assert 0.0 <= auroc['value'] <= 1.0 and auroc['protocol']['normal_classes'] == [0]
  assert (tmp_path / 'reconstructions' / 'step_0000030.png').exists()
  out = standalone.run_mode(config, str(tmp_path), 'score', None, {'generator': 'ema'})
  scored = np.load(out / 'scores.npz')
  raw_labels = raw_split('mnist', 'test')[1]
  assert sorted(scored['labels'].tolist()) == sorted(raw_labels.tolist())
  np.testing.assert_array_equal(scored['is_anomaly'], scored['labels'] != 0)
  assert np.isfinite(scored['scores']).all() and scored['scores'].shape == (10_000,)
  # The first 64 test digits' scores are the ones the evaluator ranked (config :tiny).
  assert ranking.auroc(scored['scores'][:64], scored['is_anomaly'][:64]) == pytest.approx(
      auroc['value'])


def test_anomaly_table_reads_the_sweeps_committed_trial_records(tmp_path, monkeypatch):
  """scripts/anomaly_table.py: merging sweeps with nothing in runs/ keeps the committed records;
  a method's AUROC is its metric's last value in a finished record; the SVM's records in two
  sweeps merge by trial name; a class's cell is mean ± sample std."""
  import importlib.util
  repo = Path(__file__).parents[1]
  spec = importlib.util.spec_from_file_location('anomaly_table',
                                                repo / 'scripts' / 'anomaly_table.py')
  table_script = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(table_script)

  def commit(sweep, trial, series, status='finished'):
    path = tmp_path / 'out' / sweep / 'trials' / f'{trial}.json'
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(trial=trial, status=status, step=2, protocols={},
                                    series=series)))

  commit('ganomaly', 'data.classes=_3,_,seed=0', {'anomaly/auroc/raw': {'2': 0.95}})
  commit('ganomaly', 'data.classes=_3,_,seed=1', {
      'anomaly/auroc/raw': {'1': 0.5, '2': 0.9},  # The last step counts.
      'ocsvm/auroc': {'2': 0.8}, 'anomaly/average_precision/raw': {'2': 0.1}})
  commit('gan', 'data.classes=_3,_,seed=1', {'ocsvm/auroc': {'2': 0.8}})
  commit('gan', 'data.classes=_4,_,seed=0', {'anogan/auroc/raw': {'2': 0.7}}, 'unfinished')
  monkeypatch.chdir(repo)  # The sweep files name their configs from the repository root.
  table_script.merge_sweeps(tmp_path / 'runs', 'mnist', tmp_path / 'out')
  assert (tmp_path / 'out' / 'ganomaly' / 'results.md').exists()
  aurocs = table_script.collect(table_script.committed_records(tmp_path / 'out'))
  assert aurocs == {'GANomaly (ours)': {'data.classes=_3,_,seed=0': 95.0,
                                        'data.classes=_3,_,seed=1': 90.0},
                    'OC-SVM, raw pixels (ours)': {'data.classes=_3,_,seed=1': 80.0}}
  rows = table_script.table(table_script.per_class(aurocs), 'mnist').splitlines()
  ganomaly_row = next(r for r in rows if r.startswith('| GANomaly'))
  assert ganomaly_row.split(' | ')[4] == '92.5 ± 3.5'  # Class 3: mean 92.5, std 5/sqrt(2).

"""Anomaly detection (f-AnoGAN): the izi_f residuals and score by hand, the critic's sown
features, training on some classes only (config.data.classes), the anomaly evaluator against
the raw test labels, its errors before compilation, and both stages end to end on real MNIST
with --mode score."""
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gan_jax import models
from gan_jax.config.checks import check_config
from gan_jax.config.errors import ConfigError
from gan_jax.data import subsets
from gan_jax.eval import context as eval_context
from gan_jax.eval.evaluators import anomaly_detection
from gan_jax.eval.metrics import ranking
from gan_jax.objectives import anomaly
from gan_jax.training import loop, standalone
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

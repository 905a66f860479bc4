"""Evaluators, reference caching, --mode eval/sample, the compare command."""
import json
import logging
import re

import jax
import numpy as np
import pytest

from conftest import SHARED_DATA
from gan_jax.common import pixels
from gan_jax.config.errors import ConfigError
from gan_jax.eval import classifier, context, feature_extraction, inception, registry
from gan_jax.eval.evaluators import inception_features
from gan_jax.run import loop, standalone
from gan_jax.run.checks import check_config
from gan_jax.tasks.gan import sampling
from gan_jax.tools import compare
from test_train import load_config

SAMPLE_OPTIONS = {'num_samples': 10_000, 'generator': 'ema'}  # --mode sample's flag defaults.

WEIGHTS = SHARED_DATA / 'inception' / 'fid_inception_v3_tf2015_pool3.npz'


@pytest.fixture(scope='module')
def extractor():
  assert WEIGHTS.exists(), f'Inception weights not found at {WEIGHTS}.'
  return feature_extraction.InceptionFeatures(WEIGHTS, per_device_batch=1)  # Chunks of 4.


def test_features_over_devices_equal_one_call(extractor):
  images = np.random.default_rng(0).integers(0, 256, (5, 32, 32, 3), dtype=np.uint8)
  # Batches of 3 and 2, each padded to 4 (one image per device); 5 = a chunk of 4 and 1 padded.
  spread = extractor([images[:3], images[3:]], 5, 'test images')
  np.testing.assert_allclose(extractor([images], 5, 'test images'), spread, rtol=1e-5, atol=1e-6)
  direct = np.asarray(inception.inception_features(extractor.params, images))
  np.testing.assert_allclose(spread, direct, rtol=1e-4, atol=1e-4)
  assert extractor.protocol()['weights_sha256'] == extractor.sha256 and len(extractor.sha256) == 64


def test_reference_features_are_cached(tmp_path, extractor):
  class Source:
    num_examples = 6
    def read(self, indices):
      return np.linspace(-1, 1, len(indices) * 28 * 28).reshape(-1, 28, 28, 1), indices
  cache = tmp_path / 'ref.npy'
  first = feature_extraction.reference_features(Source(), 4, extractor, cache)
  assert first.shape == (4, 2048) and cache.exists()
  fail = lambda *args: pytest.fail('features recomputed despite the cache')
  np.testing.assert_array_equal(feature_extraction.reference_features(Source(), 4, fail, cache),
                                first)


def test_compare_identical_and_different_sets(extractor):
  rng = np.random.default_rng(1)
  a = rng.integers(0, 256, (8, 28, 28, 1), dtype=np.uint8)
  same = compare.compare(a, a, extractor, kid_subsets=3, kid_subset_size=8, batch_size=4)
  assert same['fid'] == pytest.approx(0.0, abs=1e-3)
  assert same['precision'] == same['recall'] == 1.0
  other = compare.compare(a, 255 - a // 4, extractor, kid_subsets=3, kid_subset_size=8,
                          batch_size=4)
  assert other['fid'] > 10.0 and other['protocol']['num_b'] == 8


def test_compare_loads_folders_and_npz(tmp_path):
  from PIL import Image
  images = np.random.default_rng(2).integers(0, 256, (3, 8, 8, 3), dtype=np.uint8)
  for i, image in enumerate(images):
    Image.fromarray(image).save(tmp_path / f'{i}.png')
  np.testing.assert_array_equal(compare.load_images(str(tmp_path)), images)
  np.savez(tmp_path / 's.npz', images=images[..., :1])
  assert compare.load_images(str(tmp_path / 's.npz')).shape == (3, 8, 8, 1)
  np.savez(tmp_path / 'bad.npz', samples=np.zeros((2, 2)))
  with pytest.raises(ValueError, match="no 'images' array"):
    compare.load_images(str(tmp_path / 'bad.npz'))
  # Another array of an npz: translations.npz's inputs, outputs or targets.
  np.savez(tmp_path / 'translations.npz', inputs=images, targets=255 - images)
  np.testing.assert_array_equal(compare.load_images(f'{tmp_path}/translations.npz:targets'),
                                255 - images)
  np.testing.assert_array_equal(compare.load_images(f'{tmp_path}/translations.npz:inputs', 2),
                                images[:2])  # --num_images
  with pytest.raises(ValueError, match=r"no 'outputs' array; arrays: \['inputs', 'targets'\]"):
    compare.load_images(f'{tmp_path}/translations.npz:outputs')


def test_inception_eval_during_training(tmp_path, mock_tfds, caplog):
  caplog.set_level(logging.INFO)
  config = load_config('dcgan_cifar10')
  config.inception_weights = str(WEIGHTS)
  config.cache_dir = str(tmp_path / 'cache')
  config.evals.fid = registry.eval_config('inception', every_steps=2, num_samples=16,
                                            num_real=16, kid_subsets=2, kid_subset_size=8,
                                            prdc_samples=16, generator='both')
  config.best.metric = 'fid/fid'
  with mock_tfds(num_examples=32):
    loop.train_and_evaluate(config, str(tmp_path / 'run'))
  records = [json.loads(l) for l in (tmp_path / 'run' / 'metrics.jsonl').read_text().splitlines()]
  assert {(r['step'], r['generator']) for r in records} == {(2, 'ema'), (2, 'raw'),
                                                           (4, 'ema'), (4, 'raw')}
  fid_record = next(r for r in records if r['metric'] == 'fid')
  protocol = fid_record['protocol']
  fingerprint = protocol['reference'].pop('fingerprint')
  assert protocol['reference'] == {'dataset': 'cifar10', 'split': 'test', 'num': 16,
                                   'image_size': None, 'examples': 'the first 16 of the split'}
  with mock_tfds(num_examples=32):
    assert fingerprint == context.reference_source(config, 'test').fingerprint
  assert protocol['num_generated'] == 16 and protocol['step'] == 2
  assert protocol['weights_file'] == WEIGHTS.name and len(protocol['weights_sha256']) == 64
  assert protocol['inception_score'] == 'not computed: these weights have no logits layer'
  assert {'fid', 'kid', 'kid_std', 'precision', 'recall', 'density', 'coverage'} == {
      r['metric'] for r in records if r['step'] == 2 and r['generator'] == 'ema'}
  assert len(list((tmp_path / 'cache' / 'reference_features').iterdir())) == 1  # Computed once.
  # Each evaluation's cost is logged before it starts: the reference's 16 images only the
  # first time, minutes once the run has timed one.
  costs = [m for m in caplog.messages if m.startswith('Evaluating fid (inception)')]
  assert costs[0] == ("Evaluating fid (inception) of the ema generator at step 2: 16 samples "
                      "and 16 'test' reference images through Inception; time unknown until "
                      "this run's first evaluation of this kind ends.")
  assert len(costs) == 4 and all(
      re.fullmatch(r'Evaluating fid \(inception\) of the (ema|raw) generator at step [24]: 16 '
                   r'samples through Inception \(reference cached\); about [0-9.]+ min at the '
                   r'rate of its last run\.', m) for m in costs[1:])
  best = [r['value'] for r in records if r['metric'] == 'fid' and r['generator'] == 'ema']
  kept = json.loads(next((tmp_path / 'run' / 'best').glob('*/metric/*')).read_text())
  assert kept['value'] == min(best)


def with_tiny_fid(config):
  """config with :tiny's FID eval: 64 samples against 64 references, at the end."""
  config.evals.fid = registry.eval_config('inception', every_steps=0, num_samples=64)
  registry.tiny(config.evals.fid, config.train.num_steps)
  return config


def test_too_small_reference_fails_before_training(tmp_path, mock_tfds):
  config = with_tiny_fid(load_config('dcgan_cifar10'))
  with mock_tfds(num_examples=32), pytest.raises(
      ConfigError, match=r"evals.fid.num_real=64 exceeds the 32 examples of split 'test'"):
    loop.train_and_evaluate(config, str(tmp_path))
  assert not (tmp_path / 'checkpoints' / '2').exists()


def test_missing_inception_weights_fail_before_training(tmp_path, mock_tfds):
  """The weights are resolved at start-up: no run trains for hours to die at its first FID."""
  config = with_tiny_fid(load_config('dcgan_cifar10'))
  config.inception_weights = str(tmp_path / 'absent.npz')
  with mock_tfds(num_examples=64), pytest.raises(FileNotFoundError, match='absent.npz'):
    loop.train_and_evaluate(config, str(tmp_path / 'run'))
  assert not (tmp_path / 'run').exists()


def test_inception_score_from_a_logits_head():
  assert inception_features.inception_score_values(np.ones((10, 4)), None) == {}
  # Features one-hot over 4 dims; the head maps dim i to class i with logit 60: IS = 4 classes.
  features = np.eye(4)[np.arange(40) % 4]  # Every split of 4 holds all 4 classes.
  head = (np.pad(np.eye(4) * 60.0, ((0, 1004), (0, 0))), np.zeros(1008))
  values = inception_features.inception_score_values(features, head)
  assert values['inception_score'] == pytest.approx(4.0, rel=1e-6)
  assert values['inception_score_std'] == pytest.approx(0.0, abs=1e-6)


def test_eval_and_sample_modes_on_a_checkpoint(tmp_path):
  config = load_config('default')
  loop.train_and_evaluate(config, str(tmp_path))
  result = standalone.evaluate_checkpoint(config, str(tmp_path))
  records = json.loads(result.read_text())
  assert result.name == 'step_0000004.json'
  assert {r['metric'] for r in records} == {'modes_captured', 'high_quality_fraction', 'reverse_kl'}
  out = standalone.run_mode(config, str(tmp_path), 'sample', 2,
                            SAMPLE_OPTIONS | {'num_samples': 30})
  with np.load(out / 'samples.npz') as f:
    assert f['samples'].shape == (30, 2)
  with pytest.raises(FileNotFoundError, match='No checkpoint of step 3.*saved steps: \\[2, 4\\]'):
    standalone.run_mode(config, str(tmp_path), 'sample', 3, SAMPLE_OPTIONS)


def test_image_samples_grid_and_interpolation(tmp_path, mock_tfds):
  config = load_config('dcgan_mnist')
  with mock_tfds(num_examples=32):
    loop.train_and_evaluate(config, str(tmp_path))
    out = standalone.run_mode(config, str(tmp_path), 'sample', None,
                              {'num_samples': 1200, 'generator': 'raw'})
    built, state = standalone.load_checkpoint(config, tmp_path, None)
  expected = np.concatenate([pixels.to_uint8(b) for b in built.predict['images'](state, 'raw',
                                                                                1200)])
  with np.load(out / 'samples.npz') as f:  # Written batch by batch (500, 500, 200).
    np.testing.assert_array_equal(f['images'], expected)
    assert f['images'].dtype == np.uint8
  assert (out / 'grid.png').exists() and (out / 'interpolation.png').exists()


def test_stacked_mnist_evaluator_plumbing(tmp_path, monkeypatch):
  config = load_config('default')
  eval_context = context.EvalContext(config)
  images = np.zeros((6, 28, 28, 3))
  predict = {'images': lambda state, which, num: iter([images[:4], images[4:]])}
  params = classifier.DigitClassifier().init(jax.random.PRNGKey(0), images[:1, ..., :1])['params']
  record = {'params': params, 'test_accuracy': 0.995, 'data_fingerprint': 'f' * 64}
  eval_context.classifier = {'mnist': record}.__getitem__
  ev = registry.eval_config('stacked_mnist', every_steps=1, num_samples=6)
  records = registry.evaluate('modes', ev, predict, state=None, step=7, ctx=eval_context)
  values = {r['metric']: r['value'] for r in records}
  assert values['modes_captured'] == 1.0  # Six identical blank images: one mode.
  assert values['kl_to_uniform'] == pytest.approx(np.log(1000))
  assert records[0]['protocol']['classifier_test_accuracy'] == 0.995
  assert records[0]['protocol']['classifier_data_fingerprint'] == 'f' * 64


def test_classifier_roundtrip_keyed_by_its_data(tmp_path):
  mnist, other = 'a' * 64, 'b' * 64
  with pytest.raises(FileNotFoundError, match='python -m gan_jax.classifier'):
    classifier.load(tmp_path, 'mnist', mnist)
  params = classifier.DigitClassifier().init(jax.random.PRNGKey(0), np.zeros((1, 28, 28, 1)))
  classifier.save(params['params'], 0.991, tmp_path, 'mnist', mnist)
  record = classifier.load(tmp_path, 'mnist', mnist)
  jax.tree.map(np.testing.assert_array_equal, record['params'], params['params'])
  assert record['test_accuracy'] == 0.991 and record['data_fingerprint'] == mnist
  with pytest.raises(FileNotFoundError, match='No mnist classifier trained on this mnist'):
    classifier.load(tmp_path, 'mnist', other)  # Trained on other data: never used.
  with pytest.raises(FileNotFoundError, match='--dataset=fashion_mnist'):
    classifier.load(tmp_path, 'fashion_mnist', mnist)  # Another dataset's: never used.


@pytest.mark.parametrize('fields,message', [
    (dict(metric='fid'), r"config.evals.e.metric='fid' is not accepted; accepted: \('inception'"),
    (dict(metric='inception', generator='best'), r"config.evals.e.generator='best'"),
    (dict(metric='inception', num_samples=500, kid_subset_size=1000),
     r'kid_subset_size=1000 must be in \[2, min\(num_samples, num_real\) = 500\]'),
    (dict(metric='mode_coverage', every_steps=-1),
     r'config.evals.e.every_steps=-1 must be >= 0 \(0: only at the end\)'),
    (dict(metric='mode_coverage', num_samples=0), r'config.evals.e.num_samples=0 must be > 0'),
    (dict(metric='stacked_mnist'), r"'stacked_mnist' evaluates images, but config.task='gan' on "
                                   r"config.data.name='ring' predicts \('points',\)"),
])
def test_eval_config_errors(fields, message):
  config = load_config('default')
  config.evals.e = registry.eval_config(**{'every_steps': 10, 'num_samples': 1000, **fields})
  with pytest.raises(ConfigError, match=message):
    check_config(config)


def test_a_disabled_eval_is_neither_run_nor_checked_and_ranks_nothing(tmp_path):
  """enabled=False: the stacked_mnist eval a 2D run cannot feed passes the checks and never
  runs; best.metric may not name it; the ring run's other eval runs as before."""
  config = load_config('default')
  config.evals.modes = registry.eval_config('stacked_mnist', every_steps=2, num_samples=10,
                                            enabled=False)
  check_config(config)
  assert not registry.due(config.evals.modes, 2, is_last=True)
  assert list(registry.enabled(config)) == ['coverage']
  config.best.metric = 'modes/num_modes'
  with pytest.raises(ConfigError, match=r"names config.evals.modes, which is disabled"):
    check_config(config)
  config.best.metric = ''
  loop.train_and_evaluate(config, str(tmp_path))
  records = [json.loads(l) for l in (tmp_path / 'metrics.jsonl').read_text().splitlines()]
  assert {r['eval'] for r in records} == {'coverage'}


def test_mode_coverage_needs_2d_and_best_metric_names_an_eval():
  config = load_config('dcgan_mnist')
  config.evals.c = registry.eval_config('mode_coverage', 10, 100)
  with pytest.raises(ConfigError, match="'mode_coverage' evaluates points, but .* predicts "
                                        r"\('images', 'discriminate', 'anomaly_scores'\)"):
    check_config(config)
  config = load_config('default')
  config.best.metric = 'fid/fid'
  with pytest.raises(ConfigError, match=r"config.best.metric='fid/fid'.*\('coverage',\)"):
    check_config(config)
  config.best.metric = 'coverage/reverse_kl/raw'  # The default evaluates the EMA G only.
  with pytest.raises(ConfigError, match=r"the raw generator's value, but config.evals.coverage."
                                        r"generator='ema'; use 'coverage/reverse_kl'"):
    check_config(config)
  config.evals.coverage.generator = 'raw'
  config.best.metric = 'coverage/reverse_kl'
  with pytest.raises(ConfigError, match=r"generator='raw'; use 'coverage/reverse_kl/raw'"):
    check_config(config)


def test_best_checkpoint_follows_the_generator_best_metric_names(tmp_path, caplog):
  caplog.set_level(logging.INFO)
  config = load_config('default')
  config.evals.coverage.generator = 'both'
  config.evals.coverage.every_steps = 2
  config.evals.final = registry.eval_config('mode_coverage', every_steps=0, num_samples=64)
  config.best.metric = 'coverage/reverse_kl/raw'
  loop.train_and_evaluate(config, str(tmp_path))
  records = [json.loads(l) for l in (tmp_path / 'metrics.jsonl').read_text().splitlines()]
  raw = {r['step']: r['value'] for r in records
         if (r['metric'], r['generator']) == ('reverse_kl', 'raw')}
  ema = {r['step']: r['value'] for r in records
         if (r['metric'], r['generator']) == ('reverse_kl', 'ema')}
  assert sorted(raw) == sorted(ema) == [2, 4] and raw != ema
  assert {r['step'] for r in records if r['eval'] == 'final'} == {4}  # At the end only.
  final = next(r for r in records if r['eval'] == 'final' and r['metric'] == 'reverse_kl')
  assert f"final/reverse_kl = {final['value']:.4g}" in next(  # The log's last word.
      m for m in caplog.messages if m.startswith('At the end of training (step 4): '))
  kept = json.loads(next((tmp_path / 'best').glob('*/metric/*')).read_text())
  assert (kept['generator'], kept['value']) == ('raw', min(raw.values()))


def test_conditional_sample_grid_has_one_row_per_class():
  z, labels, rows = sampling.grid_inputs(seed=0, num=64, z_dim=3, classes=10)
  assert rows == 10 and len(z) == len(labels) == 60  # 6 columns of 10 classes.
  np.testing.assert_array_equal(labels, np.repeat(np.arange(10), 6))
  np.testing.assert_array_equal(z[:6], z[54:])  # Column j: the same noise in every row.
  z, labels, rows = sampling.grid_inputs(seed=0, num=64, z_dim=3, classes=0)
  assert rows is None and len(z) == 64 and not labels.any()
  # Evaluation samples: every class in turn.
  np.testing.assert_array_equal(sampling.balanced_labels(8, 5, 3), [2, 0, 1, 2, 0])

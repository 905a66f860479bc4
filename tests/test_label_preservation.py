"""The label-preservation evaluator on real MNIST test digits with a stand-in classifier:
exact, identity and constant translations against accuracies computed here from the
classifier's logits; its config and data errors; the classifier trained on first use, and
:tiny's stand-in fitted in the run instead, never cached."""
import json
from pathlib import Path

import jax
import numpy as np
import pytest

from gan_jax.common import pixels
from gan_jax.config.errors import ConfigError
from gan_jax.eval import classifier, context as eval_context, registry
from gan_jax.eval.evaluators import label_preservation
from gan_jax.run import loop
from gan_jax.run.checks import check_config
from test_pix2pix import mnist_config
from test_train import load_config

NUM = 300


def stand_in(seed: int = 3) -> dict:
  params = classifier.DigitClassifier().init(jax.random.PRNGKey(seed), np.zeros((1, 28, 28, 1)))
  return {'params': params['params'], 'test_accuracy': 0.5, 'data_fingerprint': 'f' * 64}


def accuracy_by_hand(record, uint8_images, labels) -> float:
  """Agreement of the classifier's argmax with `labels`, through the network directly."""
  logits = classifier.DigitClassifier().apply({'params': record['params']},
                                              uint8_images.astype(np.float32) / 127.5 - 1)
  return float(np.mean(np.argmax(np.asarray(logits), -1) == labels))


@pytest.fixture
def negative_context(mnist_data_dir, mnist_manual_dir):
  config = mnist_config(mnist_data_dir, mnist_manual_dir)
  config.pairs.derivation = 'negative'  # Exactly invertible: x -> -x.
  ctx = eval_context.EvalContext(config)
  record = stand_in()
  ctx.classifier = {'mnist': record}.__getitem__
  images, labels = ctx.reference_source('test').read(np.arange(NUM))
  return config, ctx, record, pixels.to_uint8(images), labels


def evaluate(config, ctx, translate, **fields):
  ev = config.evals.label_preservation.copy_and_resolve_references()
  ev.update(num_samples=NUM, **fields)
  return label_preservation.evaluate(ev, translate, 'ema', ctx)


def test_exact_identity_and_constant_translations(negative_context):
  config, ctx, record, targets, labels = negative_context
  values, protocol = evaluate(config, ctx, lambda batches: (-x for x in batches))
  expected_target = accuracy_by_hand(record, targets, labels)
  assert values['accuracy'] == values['target_accuracy'] == pytest.approx(expected_target)
  assert values['identity_accuracy'] == pytest.approx(
      accuracy_by_hand(record, 255 - targets, labels), abs=1e-12)
  # A translation that forgets its input: one image for all, so one predicted class k and
  # accuracy = the share of labels equal to k.
  black = lambda batches: (-np.ones_like(x) for x in batches)  # Pixel 0 exactly.
  values, _ = evaluate(config, ctx, black)
  k = np.argmax(classifier.DigitClassifier().apply({'params': record['params']},
                                                   -np.ones((1, 28, 28, 1))))
  assert values['accuracy'] == pytest.approx(np.mean(labels == k))
  assert values['target_accuracy'] == pytest.approx(expected_target)
  assert protocol['examples'] == NUM and protocol['direction'] == 'forward'
  assert protocol['classifier_test_accuracy'] == 0.5


def test_inverse_direction_classifies_the_derived_images(negative_context):
  """The inverse direction's targets are the derived inputs (the negatives) and its inputs
  the images."""
  config, ctx, record, targets, labels = negative_context
  values, protocol = evaluate(config, ctx, lambda batches: (-x for x in batches),
                              direction='inverse')
  assert values['target_accuracy'] == pytest.approx(accuracy_by_hand(record, 255 - targets,
                                                                     labels))
  assert values['identity_accuracy'] == pytest.approx(accuracy_by_hand(record, targets,
                                                                       labels))
  assert values['accuracy'] == values['target_accuracy'] and protocol['direction'] == 'inverse'
  assert registry.needs(config.evals.label_preservation) == 'translations'


def test_config_and_data_errors(mnist_data_dir, mnist_manual_dir):
  config = load_config('pix2pix_mnist_inpainting')
  config.data.name = 'kmnist'
  with pytest.raises(ConfigError, match=r"classifier of config.data.name='kmnist', but there "
                                        r"are classifiers of \('mnist', 'fashion_mnist'\)"):
    check_config(config)
  config = load_config('pix2pix_mnist_inpainting')
  config.evals.label_preservation.direction = 'back'
  with pytest.raises(ConfigError, match=r"evals.label_preservation.direction='back'"):
    check_config(config)
  config = mnist_config(mnist_data_dir, mnist_manual_dir)
  config.data.image_size = 32
  ctx = eval_context.EvalContext(config)
  with pytest.raises(ConfigError, match=r'takes \(28, 28, 1\) images, but config.data gives '
                                        r'\(32, 32, 1\)'):
    label_preservation.check_data('label_preservation', config.evals.label_preservation, ctx)


def test_the_classifier_is_trained_and_cached_at_first_use(tmp_path, mock_tfds, monkeypatch,
                                                          caplog):
  with mock_tfds(num_examples=64):
    with pytest.raises(RuntimeError, match='reached test accuracy .* < 0.9: not cached'):
      classifier.load_or_train(tmp_path, 'fashion_mnist', None, None)  # 64 random images.
    monkeypatch.setitem(classifier.REQUIRED_ACCURACY, 'fashion_mnist', 0.0)
    record = classifier.load_or_train(tmp_path, 'fashion_mnist', None, None)
    fingerprint = classifier.fingerprint('fashion_mnist', None, None)
    again = classifier.load(tmp_path, 'fashion_mnist', fingerprint)  # Cached, not retrained.
  assert record['data_fingerprint'] == again['data_fingerprint'] == fingerprint
  jax.tree.map(np.testing.assert_array_equal, record['params'], again['params'])
  assert (tmp_path / 'fashion_mnist_classifier').is_dir()
  # One line says what is trained, for how long, and where it goes, before it starts.
  said = next(m for m in caplog.messages if m.startswith('No cached fashion_mnist classifier'))
  assert '3 epochs' in said and str(tmp_path / 'fashion_mnist_classifier') in said


def test_tiny_fits_a_stand_in_that_is_never_cached(tmp_path, mnist_data_dir, mnist_manual_dir,
                                                    monkeypatch, caplog):
  """A :tiny run from an empty cache: label preservation judges with a classifier fitted in
  the run in seconds (the real one takes minutes), never written to the cache, named a
  stand-in in the protocol and in the log."""
  monkeypatch.setattr(classifier, '_stand_ins', {})  # Fitted here, whatever ran before.
  config = mnist_config(mnist_data_dir, mnist_manual_dir)
  del config.evals['fid']  # Inception: the evaluator's own tests.
  config.cache_dir = str(tmp_path / 'cache')
  loop.train_and_evaluate(config, str(tmp_path / 'run'))
  records = [json.loads(line) for line in (tmp_path / 'run' / 'metrics.jsonl').open()]
  judged = [r['protocol']['classifier'] for r in records if r['eval'] == 'label_preservation']
  assert judged and all(c.startswith('stand-in: DigitClassifier fitted on 2048 mnist training')
                        and 'not the cached mnist classifier' in c for c in judged), judged
  assert not list((tmp_path / 'cache').glob('*_classifier'))
  assert [m for m in caplog.messages if m.startswith('config.stand_in_classifier (:tiny)')
          and m.endswith('The numbers it judges mean nothing.')]


def test_only_tiny_uses_the_stand_in(monkeypatch):
  """Without :tiny the run asks load_or_train for the cached classifier of config.cache_dir
  (trained there at first use), once; at :tiny for the stand-in, never the cache."""
  asked = []
  monkeypatch.setattr(classifier, 'load_or_train', lambda *a: asked.append(('cached', a)) or {})
  monkeypatch.setattr(classifier, 'stand_in', lambda *a: asked.append(('stand-in', a)) or {})
  for arg in (None, 'tiny'):
    config = load_config('pix2pix_mnist_inpainting', arg)
    config.data.data_dir, config.data.manual_dir = '/prepared', '/raw'
    ctx = eval_context.EvalContext(config)
    assert ctx.classifier('mnist') is ctx.classifier('mnist')  # Built once per run.
  assert asked == [('cached', (Path(config.cache_dir).expanduser(), 'mnist', '/prepared', '/raw')),
                   ('stand-in', ('mnist', '/prepared', '/raw'))]

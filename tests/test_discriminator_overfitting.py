"""The 'd_overfitting' evaluator: D's logits on the images it trained on against held-out
ones, on real MNIST; through a stand-in D by hand, and through a trained tiny DCGAN's own D."""
import json

import numpy as np
import pytest

from gan_jax.config.errors import ConfigError
from gan_jax.eval import context as eval_context, registry
from gan_jax.eval.evaluators import discriminator_overfitting
from gan_jax.run import loop
from gan_jax.run.checks import check_config
from gan_jax.tasks.gan import builder
from test_train import load_config


def mnist_dcgan(mnist_data_dir, mnist_manual_dir, **fields):
  config = load_config('dcgan_mnist')
  config.data.data_dir, config.data.manual_dir = mnist_data_dir, mnist_manual_dir
  config.data.split = 'train[:700]'
  config.evals = {'overfit': registry.eval_config('d_overfitting', every_steps=0,
                                                  **{'num_samples': 700, **fields})}
  config.best.metric = ''
  return config


def test_means_signs_and_gap_by_hand_across_batches(mnist_data_dir, mnist_manual_dir):
  """A stand-in D whose logit is an image's mean pixel minus 0.8 (both signs occur) and which
  records every image it scores: 700 images per split, so two batches of 500 and 200."""
  config = mnist_dcgan(mnist_data_dir, mnist_manual_dir)
  ctx = eval_context.EvalContext(config)
  scored = []

  def discriminate(batches):
    for images, labels in batches:
      assert len(images) == len(labels) <= discriminator_overfitting.BATCH
      scored.append(images)
      yield images.mean(axis=(1, 2, 3)) + 0.8
  values, protocol = discriminator_overfitting.evaluate(config.evals.overfit, discriminate,
                                                        'ema', ctx)
  seen, _ = ctx.reference_source('train[:700]').read(np.arange(700))
  held_out, _ = ctx.reference_source('test').read(np.arange(700))
  np.testing.assert_array_equal(np.concatenate(scored), np.concatenate([seen, held_out]))
  logits = lambda x: x.mean(axis=(1, 2, 3)) + 0.8
  assert 0.2 < np.mean(logits(seen) > 0) < 0.8  # Mixed signs: the mean sign is not trivial.
  assert values['seen_logit'] == pytest.approx(np.mean(logits(seen)), rel=1e-6)
  assert values['held_out_logit'] == pytest.approx(np.mean(logits(held_out)), rel=1e-6)
  assert values['seen_sign'] == pytest.approx(np.mean(np.sign(logits(seen))))
  assert values['held_out_sign'] == pytest.approx(np.mean(np.sign(logits(held_out))))
  assert values['sign_gap'] == pytest.approx(values['seen_sign'] - values['held_out_sign'])
  assert protocol['seen']['split'] == 'train[:700]' and protocol['held_out']['split'] == 'test'
  assert protocol['seen']['examples'] == protocol['held_out']['examples'] == 700


def test_a_memorising_d_has_a_gap_of_two(mnist_data_dir, mnist_manual_dir):
  """A D that calls exactly its 700 training images real: seen_sign 1, held_out_sign -1."""
  config = mnist_dcgan(mnist_data_dir, mnist_manual_dir)
  ctx = eval_context.EvalContext(config)
  seen, _ = ctx.reference_source('train[:700]').read(np.arange(700))
  known = {image.tobytes() for image in seen}
  memorised = lambda batches: (np.array([1.0 if x.tobytes() in known else -1.0 for x in images])
                               for images, _ in batches)
  values, _ = discriminator_overfitting.evaluate(config.evals.overfit, memorised, 'ema', ctx)
  assert (values['seen_sign'], values['held_out_sign'], values['sign_gap']) == (1.0, -1.0, 2.0)


def test_trained_dcgan_reports_its_own_ds_logits(tmp_path, mnist_data_dir, mnist_manual_dir):
  config = mnist_dcgan(mnist_data_dir, mnist_manual_dir, num_samples=40)
  state = loop.train_and_evaluate(config, str(tmp_path))
  records = [json.loads(line) for line in (tmp_path / 'metrics.jsonl').read_text().splitlines()]
  values = {r['metric']: r['value'] for r in records if r['eval'] == 'overfit'}
  assert set(values) == {'seen_logit', 'held_out_logit', 'seen_sign', 'held_out_sign',
                         'sign_gap'}
  _, discriminator, *_ = builder.create_gan(config, (28, 28, 1), None)
  ctx = eval_context.EvalContext(config)
  images, labels = ctx.reference_source('test').read(np.arange(40))
  logits = discriminator.apply({'params': state.d_params, 'batch_stats': state.d_batch_stats},
                               images, labels, train=False)[0]
  assert values['held_out_logit'] == pytest.approx(float(np.mean(np.asarray(logits))), rel=1e-4)


@pytest.mark.parametrize('field, value, message', [
    ('generator', 'both', r"generator='both'.*no EMA"),
    ('pack', 2, r'config.model.pack=2'),
])
def test_bad_fields_are_clear_errors(field, value, message, mnist_data_dir, mnist_manual_dir):
  config = mnist_dcgan(mnist_data_dir, mnist_manual_dir)
  if field == 'pack':
    config.model.pack = value
  else:
    config.evals.overfit[field] = value
  with pytest.raises(ConfigError, match=message):
    check_config(config)

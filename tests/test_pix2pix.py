"""pix2pix: derived pairs through the pipeline, the loss by hand (and its L1-only arm), the
translation evaluator on exact and known outputs, the config errors before building, and
training end to end on real MNIST with --mode translate."""
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gan_jax.common import pixels
from gan_jax.config.errors import ConfigError
from gan_jax.data import paired, pipeline
from gan_jax.eval import context as eval_context
from gan_jax.eval.evaluators import translation
from gan_jax.objectives import losses
from gan_jax.run import loop, standalone
from gan_jax.run.checks import check_config
from gan_jax.tasks import pix2pix
from gan_jax.tasks.pix2pix import builder, config as task_config, step as step_lib
from gan_jax.tasks.pix2pix.state import create_state
from gan_jax.training import optimizers
from gan_jax.training.task import Stream
from test_train import load_config, set_fields, stand_in_classifier


def mnist_config(mnist_data_dir, mnist_manual_dir, **pairs):
  config = load_config('pix2pix_mnist_inpainting')
  config.data.data_dir, config.data.manual_dir = mnist_data_dir, mnist_manual_dir
  config.pairs.update(pairs)
  return config


def test_derived_pairs_through_the_pipeline(mnist_data_dir, mnist_manual_dir):
  config = mnist_config(mnist_data_dir, mnist_manual_dir, mask_placement='random', mask_size=6)
  pairs = pix2pix.streams(config)['data'].source
  read = pairs.read(np.array([4, 1]))
  images, labels = pairs.source.read(np.array([4, 1]))
  np.testing.assert_array_equal(read['image'], images)
  np.testing.assert_array_equal(read['label'], labels)
  np.testing.assert_array_equal(read['input'], paired.mask(images, 6, 'random', 0, [4, 1]))
  batch = pipeline.host_batch(Stream(pairs, 1, 0), 0, 8)
  assert set(batch) == {'input', 'image', 'label'}
  assert batch['input'].shape == (jax.local_device_count(), 1, 8 // jax.local_device_count(),
                                  28, 28, 1)
  other_pairs = config.pairs.copy_and_resolve_references()
  other_pairs.mask_size = 7
  other = paired.DerivedPairs(pairs.source, other_pairs, 0)
  assert other.fingerprint != pairs.fingerprint != pairs.source.fingerprint


def tiny_networks(config):
  generator, discriminator = builder.create_networks(config, 1)
  g_tx = optimizers.adam(1e-3, config.optim, 10)
  state = create_state(jax.random.PRNGKey(0), generator, discriminator, g_tx, g_tx,
                       (8, 8, 1), (8, 8, 2))
  return generator, discriminator, state


def test_loss_by_hand_and_the_l1_only_arm():
  config = load_config('pix2pix_mnist_inpainting')
  config.model.g_norm = config.model.d_norm = 'none'
  config.model.g_depth, config.model.d_layers = 1, 1
  generator, discriminator, state = tiny_networks(config)
  rng = np.random.default_rng(0)
  inputs, targets = (jnp.asarray(rng.uniform(-1, 1, (2, 8, 8, 1)), jnp.float32)
                     for _ in range(2))
  keys = jax.random.split(jax.random.PRNGKey(5), 2)
  fake = generator.apply({'params': state.g_params}, inputs, keys)
  real_logits = discriminator.apply({'params': state.d_params},
                                    jnp.concatenate([inputs, targets], -1))
  fake_logits = discriminator.apply({'params': state.d_params},
                                    jnp.concatenate([inputs, fake], -1))
  l1 = float(jnp.mean(jnp.abs(fake - targets)))
  softplus = lambda x: np.log1p(np.exp(np.asarray(x, np.float64)))
  d_expected = softplus(-real_logits).mean() + softplus(fake_logits).mean()
  g_adv = softplus(-fake_logits).mean()  # Non-saturating, averaged over every patch.
  loss_fn = step_lib.make_loss_fn(generator, discriminator, config)
  (d_loss, g_loss), (terms, _, _) = loss_fn(state.d_params, state.g_params, state, inputs,
                                            targets, keys)
  np.testing.assert_allclose([d_loss, g_loss, terms['l1'], terms['adversarial']],
                             [d_expected, g_adv + 100 * l1, l1, g_adv], rtol=1e-5)
  assert losses.get_loss(config.loss.name).g_loss is losses.non_saturating_g
  config.loss.adversarial_weight = 0.0  # L1 only: D never runs.
  loss_fn = step_lib.make_loss_fn(generator, None, config)
  (d_loss, g_loss), (terms, _, _) = loss_fn(state.d_params, state.g_params, state, inputs,
                                            targets, keys)
  assert float(d_loss) == 0 and set(terms) == {'l1'}
  np.testing.assert_allclose(g_loss, 100 * l1, rtol=1e-5)


def test_translation_evaluator_on_exact_and_identity_outputs(mnist_data_dir, mnist_manual_dir):
  """negative's inverse is exact: PSNR inf, SSIM 1, L1 0; the input itself (the negative) has
  L1 = mean |255 - 2 t| / 255 over the target pixels t, computed here from the test split."""
  config = mnist_config(mnist_data_dir, mnist_manual_dir)
  config.pairs.derivation = 'negative'
  ev = config.evals.translation
  ev.num_samples = 300
  ctx = eval_context.EvalContext(config)
  exact = lambda input_batches: (-x for x in input_batches)
  values, protocol = translation.evaluate(ev, exact, 'ema', ctx)
  assert values['l1'] == 0 and values['ssim'] == pytest.approx(1) and np.isinf(values['psnr'])
  targets = pixels.to_uint8(ctx.reference_source('test').read(np.arange(300))[0])
  negatives = pixels.to_uint8(-ctx.reference_source('test').read(np.arange(300))[0])
  np.testing.assert_allclose(values['identity_l1'],
                             np.abs(negatives.astype(float) - targets).mean() / 255, rtol=1e-5)
  assert protocol['examples'] == 300 and protocol['pairs'] == {'derivation': 'negative'}


@pytest.mark.parametrize('fields,message', [
    ({'pairs.derivation': 'downsample'}, r"config.pairs.derivation='downsample' is not accepted"),
    ({'pairs.derivation': 'blur'}, r"config.pairs.derivation='blur' is not accepted"),
    ({'pairs.mask_placement': 'corner'}, r"config.pairs.mask_placement='corner'"),
    ({'model.g_dropout_rate': 1.0}, r'g_dropout_rate=1.0 must be in \[0, 1\)'),
    ({'loss.l1_weight': 0.0, 'loss.adversarial_weight': 0.0}, 'both 0'),
    ({'loss.name': 'ls'}, r"config.loss.name='ls' is not accepted"),
])
def test_config_errors(fields, message):
  config = load_config('pix2pix_mnist_inpainting')
  set_fields(config, fields)
  with pytest.raises(ConfigError, match=message):
    check_config(config)


@pytest.mark.parametrize('fields,message', [
    ({'model.g_depth': 3}, r'g_depth=3: .* 28x28 must be divisible by 8'),
    ({'model.d_layers': 4}, r'd_layers=4: a PatchGAN that deep has no output for 28x28'),
    ({'pairs.mask_size': 29}, r'mask_size=29 must be at most 28'),
])
def test_data_errors_before_building(fields, message):
  config = load_config('pix2pix_mnist_inpainting')
  set_fields(config, fields)
  check_config(config)
  with pytest.raises(ConfigError, match=message):
    task_config.check_data(config, (28, 28, 1))


def test_end_to_end_on_mnist_with_mode_translate(mnist_data_dir, mnist_manual_dir, tmp_path):
  config = mnist_config(mnist_data_dir, mnist_manual_dir)
  del config.evals['fid']  # Inception: the evaluator's own tests.
  config.cache_dir = stand_in_classifier(tmp_path / 'cache', ['mnist'], mnist_data_dir,
                                         mnist_manual_dir)
  config.stand_in_classifier = False  # The cached one, not :tiny's fitted stand-in.
  for ev in config.evals.values():
    ev.num_samples = 500  # Every metric recorded; --mode translate writes all 10,000.
  loop.train_and_evaluate(config, str(tmp_path))
  records = [json.loads(line) for line in (tmp_path / 'metrics.jsonl').read_text().splitlines()]
  by_eval = lambda name: {r['metric'] for r in records if r['eval'] == name}
  assert by_eval('translation') == {'l1', 'psnr', 'ssim', 'identity_l1', 'identity_psnr',
                                    'identity_ssim'}
  assert by_eval('label_preservation') == {'accuracy', 'target_accuracy', 'identity_accuracy'}
  assert (tmp_path / 'translations' / 'step_0000004.png').exists()
  out = standalone.run_mode(config, str(tmp_path), 'translate', None, {'generator': 'raw'})
  saved = np.load(out / 'translations.npz')
  assert {k: (v.shape, v.dtype) for k, v in saved.items()} == {
      'inputs': ((10_000, 28, 28, 1), np.uint8), 'outputs': ((10_000, 28, 28, 1), np.uint8),
      'targets': ((10_000, 28, 28, 1), np.uint8), 'labels': ((10_000,), np.int32)}
  np.testing.assert_array_equal(saved['inputs'][:, 7:21, 7:21], 128)  # The hole (0 -> 128).
  assert (out / 'translations.png').exists()
  # 'images' (what FID reads): the translations of the first test inputs, the same as saved.
  built, state = standalone.load_checkpoint(config, tmp_path, None)
  images = np.concatenate(list(built.predict['images'](state, 'raw', 5)))
  np.testing.assert_array_equal(pixels.to_uint8(images), saved['outputs'][:5])

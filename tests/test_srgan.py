"""srgan: sub-pixel upsampling against a numpy depth-to-space, SRResNet's and D's parameter
counts by hand, the loss by hand (and SRResNet's arm), the frozen content network outside
the state and in every metric's protocol, the Inception content network, the bicubic
baseline and cropped border of the translation evaluator, the config and data errors before
building, and both stages end to end on real Fashion-MNIST."""
import json
import os
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gan_jax.run.checks import check_config
from gan_jax.config.errors import ConfigError
from gan_jax.common import pixels
from gan_jax.data import paired
from gan_jax.eval import (classifier, context as eval_context, feature_extraction, inception,
                          inception_weights)
from gan_jax.common import plots
from gan_jax.eval.evaluators import translation
from gan_jax.models.sr_discriminator import SRDiscriminator
from gan_jax.models.srresnet import SRResNet, depth_to_space
from gan_jax.run import loop, standalone
from gan_jax.tasks.gan.state import param_count
from gan_jax.tasks.srgan import builder, config as task_config, step as step_lib
from test_train import load_config, set_fields, stand_in_classifier


def test_depth_to_space_against_numpy():
  x = np.random.default_rng(0).standard_normal((2, 3, 4, 2 * 2 * 5)).astype(np.float32)
  expected = np.zeros((2, 6, 8, 5), np.float32)
  for h in range(3):
    for w in range(4):
      for i in range(2):
        for j in range(2):
          expected[:, 2 * h + i, 2 * w + j] = x[:, h, w, (i * 2 + j) * 5:(i * 2 + j + 1) * 5]
  np.testing.assert_array_equal(depth_to_space(jnp.asarray(x), 2), expected)


def test_parameter_counts_and_shapes_by_hand():
  g = SRResNet(channels=1, scale=4, num_blocks=2, features=8)
  g_vars = g.init(jax.random.PRNGKey(0), jnp.zeros((1, 7, 7, 1)), train=False)
  conv = lambda k, cin, cout, bias: k * k * cin * cout + (cout if bias else 0)
  first = conv(9, 1, 8, True) + 8  # + its PReLU's per-channel slopes.
  block = 2 * (conv(3, 8, 8, False) + 2 * 8) + 8  # Two conv-BN, one PReLU.
  skip = conv(3, 8, 8, False) + 2 * 8
  upsample = conv(3, 8, 32, True) + 8
  out = conv(9, 8, 1, True)
  assert param_count(g_vars['params']) == first + 2 * block + skip + 2 * upsample + out
  assert g.apply(g_vars, jnp.zeros((3, 7, 7, 1)), train=False).shape == (3, 28, 28, 1)
  d = SRDiscriminator(num_stages=2, features=4)
  d_vars = d.init(jax.random.PRNGKey(0), jnp.zeros((1, 28, 28, 1)), train=False)
  convs = (conv(3, 1, 4, True) + conv(3, 4, 4, False) + 8 + conv(3, 4, 8, False) + 16
           + conv(3, 8, 8, False) + 16)
  dense = (7 * 7 * 8) * 64 + 64 + 64 + 1  # 28 -> 14 -> 7 (SAME, two stride-2 convs).
  assert param_count(d_vars['params']) == convs + dense
  assert d.apply(d_vars, jnp.zeros((3, 28, 28, 1)), train=False).shape == (3, 1)


def tiny_setup(content='classifier', adversarial_weight=1e-3, pixel_weight=1.0):
  config = load_config('srgan_fashion_mnist')
  config.model.g_norm = config.model.d_norm = 'none'
  config.loss.update(content=content, adversarial_weight=adversarial_weight,
                     pixel_weight=pixel_weight, content_weight=0.5)
  generator, discriminator = builder.create_networks(config, 1)
  params = classifier.DigitClassifier().init(jax.random.PRNGKey(1), jnp.zeros((1, 28, 28, 1)))
  features = (None if content == 'none' else
              lambda x: classifier.activations(params['params'], x, 'Conv_3'))
  from gan_jax.tasks.pix2pix.state import create_state
  from gan_jax.training import optimizers
  tx = optimizers.adam(1e-3, config.optim, 10)
  state = create_state(jax.random.PRNGKey(0), generator, discriminator, tx, tx, (7, 7, 1),
                       (28, 28, 1))
  loss_fn = step_lib.make_loss_fn(generator, discriminator, config, features)
  return config, generator, discriminator, features, state, loss_fn


def test_loss_by_hand_and_the_srresnet_arm():
  config, generator, discriminator, features, state, loss_fn = tiny_setup()
  rng = np.random.default_rng(0)
  high = jnp.asarray(rng.uniform(-1, 1, (2, 28, 28, 1)), jnp.float32)
  low = jnp.asarray(paired.downsample(np.asarray(high), 4))
  fake = generator.apply({'params': state.g_params}, low)
  real_logits = discriminator.apply({'params': state.d_params}, high)
  fake_logits = discriminator.apply({'params': state.d_params}, fake)
  mse = float(jnp.mean((fake - high) ** 2))
  content = float(jnp.mean((features(fake) - features(high)) ** 2))
  softplus = lambda x: np.log1p(np.exp(np.asarray(x, np.float64)))
  g_adv = softplus(-fake_logits).mean()
  (d_loss, g_loss), (terms, _, _) = loss_fn(state.d_params, state.g_params, state, low, high)
  np.testing.assert_allclose(
      [d_loss, g_loss, terms['pixel'], terms['content'], terms['adversarial']],
      [softplus(-real_logits).mean() + softplus(fake_logits).mean(),
       mse + 0.5 * content + 1e-3 * g_adv, mse, content, g_adv], rtol=1e-5)
  *_, state, loss_fn = tiny_setup(content='none', adversarial_weight=0.0)  # SRResNet.
  (d_loss, g_loss), (terms, _, _) = loss_fn(state.d_params, state.g_params, state, low, high)
  assert float(d_loss) == 0 and set(terms) == {'pixel'}
  np.testing.assert_allclose(g_loss, terms['pixel'], rtol=1e-6)


def test_the_frozen_content_network_is_outside_the_state(tmp_path, mock_tfds):
  """The classifier's weights are the step's constants: the state (what is checkpointed and
  differentiated) holds exactly the same trees with or without the content loss."""
  with mock_tfds(num_examples=64):
    config = load_config('srgan_fashion_mnist')
    config.cache_dir = stand_in_classifier(tmp_path)
    config.stand_in_classifier = False  # The cached one, not :tiny's fitted stand-in.
    features, frozen = builder.content_network(config)
    specs = {'data': type('Spec', (), {'shape': (28, 28, 1)})()}
    with_content = builder.build(config, specs).state
    config.loss.content = 'none'
    without = builder.build(config, specs).state
    record = classifier.load(tmp_path, 'fashion_mnist',
                             classifier.fingerprint('fashion_mnist', None, None))
  assert jax.tree.structure(with_content) == jax.tree.structure(without)
  assert frozen['weights_sha256'] == classifier.params_hash(record['params'])
  assert frozen['layer'] == 'Conv_3' and features(jnp.zeros((1, 28, 28, 1))).shape == (
      1, 14, 14, 64)


def test_the_inception_content_network_is_fids_own_up_to_a_block():
  """loss.content='inception': block Mixed_5b's activations of images in [-1, 1] are those the
  whole FID network computes there (read independently, through Flax's intermediates), on
  FID's preprocessing; its record is the weights file's hash, as FID's protocol."""
  config = load_config('srgan_fashion_mnist')
  config.loss.content, config.loss.content_layer = 'inception', 'Mixed_5b'
  features, frozen = builder.content_network(config)
  weights = Path(os.environ['GAN_JAX_INCEPTION_WEIGHTS'])
  assert frozen == {'network': f'FID Inception-v3 ({weights.name})', 'layer': 'Mixed_5b',
                    'weights_sha256': inception_weights.weights_sha256(weights)}
  images = jnp.asarray(np.random.default_rng(0).uniform(-1, 1, (2, 28, 28, 1)), jnp.float32)
  params, _ = feature_extraction.load_network(weights)
  pixels_255 = (np.asarray(images) + 1) * 127.5
  _, state = inception.FIDInceptionV3().apply(
      {'params': params}, inception.preprocess_for_inception(pixels_255),
      capture_intermediates=lambda module, _: module.name == 'Mixed_5b', mutable=['intermediates'])
  expected = state['intermediates']['Mixed_5b']['__call__'][0]
  got = jax.jit(features)(images)
  assert got.shape == (2, 35, 35, 256)
  np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
  grad = jax.grad(lambda x: jnp.mean(features(x)))(images)  # G's gradient flows through it.
  assert float(jnp.abs(grad).max()) > 0


def test_bicubic_baseline_and_cropped_border(fashion_data_dir, fashion_manual_dir):
  config = load_config('srresnet_fashion_mnist')
  config.data.data_dir, config.data.manual_dir = fashion_data_dir, fashion_manual_dir
  ev = config.evals.translation
  ev.num_samples = 50
  ctx = eval_context.EvalContext(config)
  images = ctx.reference_source('test').read(np.arange(50))[0]
  exact = lambda batches: (images for _ in batches)  # One batch of 50: the HR images.
  values, protocol = translation.evaluate(ev, exact, 'ema', ctx)
  assert values['l1'] == 0 and np.isinf(values['psnr'])
  low = pixels.to_uint8(paired.downsample(images, 4))  # The LR image as a file holds it.
  bicubic = pixels.to_uint8(paired.upsample(low / 127.5 - 1, 4))[:, 4:-4, 4:-4]
  targets = pixels.to_uint8(images)[:, 4:-4, 4:-4].astype(np.float64)
  mse = ((bicubic - targets) ** 2).mean(axis=(1, 2, 3))
  np.testing.assert_allclose(values['bicubic_psnr'], np.mean(10 * np.log10(255 ** 2 / mse)),
                             rtol=1e-5)
  assert protocol['baseline'] == 'bicubic' and protocol['crop_border'] == 4


def test_bicubic_fid_scores_the_bicubic_upsampling_of_the_test_inputs(
    fashion_data_dir, fashion_manual_dir, monkeypatch):
  """scripts/sr_bicubic_fid.py hands the FID eval, as config.evals.fid stands, the bicubic x4
  upsampling of the LR test images (as a file holds them) in place of G's outputs."""
  import importlib.util
  spec = importlib.util.spec_from_file_location(
      'sr_bicubic_fid', Path(__file__).parents[1] / 'scripts' / 'sr_bicubic_fid.py')
  script = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(script)
  config = load_config('srresnet_fashion_mnist')
  config.data.data_dir, config.data.manual_dir = fashion_data_dir, fashion_manual_dir
  config.evals.fid.num_samples = 300  # Three batches, the last one short.
  scored = {}

  def evaluate(ev, samples, which, ctx):
    scored.update(ev=ev, images=np.concatenate(list(samples(ev.num_samples))))
    return {'fid': 1.0}, {'samples': 'generator outputs'}
  monkeypatch.setattr(script.inception_features, 'evaluate', evaluate)
  values, protocol = script.bicubic_fid(config)
  assert scored['ev'] is config.evals.fid and values == {'fid': 1.0}
  assert protocol['samples'] == 'bicubic x4 upsampling of the test inputs'
  images = eval_context.EvalContext(config).reference_source('test').read(np.arange(300))[0]
  low = pixels.to_uint8(paired.downsample(images, 4))
  np.testing.assert_array_equal(pixels.to_uint8(scored['images']),
                                pixels.to_uint8(paired.upsample(low / 127.5 - 1, 4)))


@pytest.mark.parametrize('fields,message', [
    ({'pairs.downsample_scale': 3}, r"config.pairs.downsample_scale=3 is not accepted"),
    ({'pairs.derivation': 'edges'}, r"config.pairs.derivation='edges' is not accepted"),
    ({'loss.content_layer': 'Conv_9'},
     r"content_layer='Conv_9' is not a layer of config.loss.content='classifier'; accepted: "
     r"\('Conv_0'"),
    ({'loss.content': 'inception'},  # The classifier's default layer.
     r"content_layer='Conv_3' is not a layer of config.loss.content='inception'; accepted: "
     r"\('Conv2d_1a_3x3'"),
    ({'loss.content': 'inception', 'loss.content_layer': 'Mixed_5d',
      'inception_weights': '/no/such/weights.npz'},
     r"content='inception': Inception weights '/no/such/weights.npz' not found \(config"),
    ({'loss.pixel': 'huber'}, r"config.loss.pixel='huber' is not accepted"),
    ({'data.name': 'kmnist'}, r"classifiers of \('mnist', 'fashion_mnist'\) only"),
    ({'loss.pixel_weight': 0.0, 'loss.content': 'none', 'loss.adversarial_weight': 0.0},
     'G would learn nothing'),
])
def test_config_errors(fields, message):
  config = load_config('srresnet_fashion_mnist')
  config.loss.content = 'classifier'
  set_fields(config, fields)
  with pytest.raises(ConfigError, match=message):
    check_config(config)


def test_data_errors_before_building():
  config = load_config('srresnet_fashion_mnist')
  config.pairs.downsample_scale = 8
  with pytest.raises(ConfigError, match=r'downsample_scale=8 must divide the image size 28x28'):
    task_config.check_data(config, (28, 28, 1))
  config = load_config('srgan_fashion_mnist')
  with pytest.raises(ConfigError, match=r'classifier takes \(28, 28, 1\) images, but '
                                        r'config.data gives \(32, 32, 1\)'):
    task_config.check_data(config, (32, 32, 1))
  with pytest.raises(ConfigError, match='need config.init_from.workdir'):
    check_config(load_config('srgan_fashion_mnist'))  # Stage 2 without stage 1.


def test_both_stages_end_to_end_on_fashion_mnist(fashion_data_dir, fashion_manual_dir,
                                                 tmp_path):
  cache = stand_in_classifier(tmp_path / 'cache', ['fashion_mnist'], fashion_data_dir,
                              fashion_manual_dir)
  configs = [load_config(name) for name in ('srresnet_fashion_mnist', 'srgan_fashion_mnist')]
  for config in configs:
    config.data.data_dir, config.data.manual_dir = fashion_data_dir, fashion_manual_dir
    config.cache_dir = cache
    config.stand_in_classifier = False  # The cached one, not :tiny's fitted stand-in.
    del config.evals['fid']  # Inception: the evaluator's own tests.
    for ev in config.evals.values():
      ev.num_samples = 200
  srresnet, srgan = configs
  loop.train_and_evaluate(srresnet, str(tmp_path / 'srresnet'))
  srgan.init_from.workdir = str(tmp_path / 'srresnet')
  loop.train_and_evaluate(srgan, str(tmp_path / 'srgan'))
  records = [json.loads(line) for line in (tmp_path / 'srgan' / 'metrics.jsonl').open()]
  assert {r['metric'] for r in records if r['eval'] == 'translation'} == {
      'l1', 'psnr', 'ssim', 'bicubic_l1', 'bicubic_psnr', 'bicubic_ssim'}
  assert {r['metric'] for r in records if r['eval'] == 'label_preservation'} == {
      'accuracy', 'target_accuracy', 'bicubic_accuracy'}
  frozen = {'content': {'network': 'gan_jax.eval.classifier (fashion_mnist)', 'layer': 'Conv_3',
                        'weights_sha256': classifier.params_hash(
                            classifier.load_or_train(Path(cache), 'fashion_mnist',
                                                     fashion_data_dir, fashion_manual_dir)
                            ['params'])}}
  assert all(r['protocol']['frozen_networks'] == frozen for r in records)
  assert not any('frozen_networks' in json.loads(line)['protocol']  # SRResNet has none.
                 for line in (tmp_path / 'srresnet' / 'metrics.jsonl').open())
  assert (tmp_path / 'srgan' / 'super_resolution' / 'step_0000004.png').exists()
  out = standalone.run_mode(srgan, str(tmp_path / 'srgan'), 'translate', None, {})
  saved = np.load(out / 'translations.npz')
  assert {k: v.shape for k, v in saved.items()} == {
      'inputs': (10_000, 7, 7, 1), 'outputs': (10_000, 28, 28, 1),
      'targets': (10_000, 28, 28, 1), 'labels': (10_000,)}


def test_pictures_repeat_the_lr_input_nearest_neighbour():
  low = np.random.default_rng(0).uniform(-1, 1, (2, 7, 7, 1)).astype(np.float32)
  high = np.zeros((2, 28, 28, 1), np.float32)
  np.testing.assert_array_equal(plots.column_rows(low, high),
                                plots.column_rows(low.repeat(4, 1).repeat(4, 2), high))


def test_sr_table_averages_the_finished_seeds_of_each_stage(tmp_path):
  """scripts/sr_table.py: a stage's cell is mean ± sample std of its finished records' final
  values; bicubic's in-run values (the same in every run) come from the SRResNet runs, its FID
  from bicubic_fid.json."""
  import importlib.util
  spec = importlib.util.spec_from_file_location(
      'sr_table', Path(__file__).parents[1] / 'scripts' / 'sr_table.py')
  script = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(script)
  metrics = [metric for metric, *_ in script.COLUMNS]
  fixed = [key for _, key, *_ in script.COLUMNS if '/' in key] + [
      'label_preservation/target_accuracy']

  def commit(stage, seed, value, status='finished', fixed_value=0.3):
    path = tmp_path / stage / 'trials' / f'seed={seed}.json'
    path.parent.mkdir(parents=True, exist_ok=True)
    series = {m: {'1': -1.0, '3000': value} for m in metrics}  # The last step counts.
    series.update({m: {'1': -1.0, '3000': fixed_value} for m in fixed})
    path.write_text(json.dumps(dict(trial=f'seed={seed}', status=status, step=3000,
                                    series=series, protocols={})))

  commit('srresnet', 0, 0.2)
  commit('srresnet', 1, 0.4)
  commit('srgan', 0, 0.5)
  commit('srgan', 1, 9.0, status='unfinished (step 10 of 3000)')
  bicubic_fid = {'fid': 225.0, 'kid': 0.2, 'precision': 0.01, 'recall': 0.0}
  records = {stage: script.finished_records(tmp_path, stage) for stage in script.STAGES}
  rows = script.table(records, bicubic_fid).splitlines()
  assert rows[2] == '| bicubic | – | 0.30 | 0.300 | 30.0 | 225.0 | 0.2000 | 0.010 | 0.000 |'
  assert rows[-1] == '| the originals | – | ∞ | 1 | 30.0 | 0 | 0 | 1 | 1 |'
  assert rows[3].startswith('| SRResNet (pixel MSE) | 2 | 0.30 ± 0.14 |')
  assert rows[4].startswith('| SRGAN (content + adversarial) | 1 | 0.50 | 0.500 | 50.0 |')
  # Only seed 0 finished both stages: SRResNet's 0.2 beside SRGAN's 0.5 (FID to 0.1).
  assert script.paired(records).splitlines()[2:] == ['| seed=0 | 0.20 → 0.50 | 0.2 → 0.5 |']
  commit('srresnet', 2, 0.6, fixed_value=0.31)  # Another test set: an error, not a mean.
  records = {stage: script.finished_records(tmp_path, stage) for stage in script.STAGES}
  with pytest.raises(ValueError, match='did not score the same test images'):
    script.table(records, bicubic_fid)

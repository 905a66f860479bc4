"""The srgan task's models for the data a run reads: SRResNet G and the VGG-style D, the
frozen content network, state, step, the 'translations' and 'images' predictions, the
pictures and --mode translate."""
import functools
import logging
from pathlib import Path

import jax
import ml_collections
import numpy as np

from gan_jax.common import plots
from gan_jax.common.device_axis import AXIS
from gan_jax.data import paired, pipeline
from gan_jax.eval.evaluators import translation
from gan_jax.models.layers import LayerSpec
from gan_jax.models.sr_discriminator import SRDiscriminator
from gan_jax.models.srresnet import SRResNet
from gan_jax.tasks.gan.state import param_count
from gan_jax.tasks.pix2pix.state import create_state
from gan_jax.tasks.srgan import step as step_lib
from gan_jax.training import optimizers
from gan_jax.training.task import Built


def create_networks(config: ml_collections.ConfigDict, channels: int,
                    axis_name: str | None = None):
  m = config.model
  generator = SRResNet(channels, config.pairs.downsample_scale, m.g_blocks, m.g_features,
                       spec=LayerSpec(m.g_norm, axis_name=axis_name))
  discriminator = SRDiscriminator(m.d_stages, m.d_features,
                                  spec=LayerSpec(m.d_norm, axis_name=axis_name))
  return generator, discriminator


def content_network(config: ml_collections.ConfigDict):
  """(features(images) -> activations, {'network', 'layer', 'weights_sha256'}) of the frozen
  content network, or (None, {}) without a content loss. Its weights are constants of the
  step: never trained, never in the checkpoint."""
  layer, cache_dir = config.loss.content_layer, Path(config.cache_dir).expanduser()
  if config.loss.content == 'none':
    return None, {}
  if config.loss.content == 'inception':
    from gan_jax.eval import feature_extraction, inception, inception_weights
    weights = feature_extraction.resolve_weights(config.inception_weights, cache_dir)
    params, _ = feature_extraction.load_network(weights)
    # The weights file's hash, as FID's protocol records it: a FID of the same network shows.
    described = {'network': f'FID Inception-v3 ({weights.name})', 'layer': layer,
                 'weights_sha256': inception_weights.weights_sha256(weights)}
    return functools.partial(inception.activations, params, layer=layer), described
  from gan_jax.eval import classifier  # Its network: only with a content loss.
  record = classifier.for_run(config, config.data.name)  # :tiny's: a stand-in.
  described = {'network': classifier.describe(record, config.data.name), 'layer': layer,
               'weights_sha256': classifier.params_hash(record['params'])}
  return functools.partial(classifier.activations, record['params'], layer=layer), described


def make_translate(generator):
  """translate(host state, 'ema' | 'raw', LR batches) -> G's SR batches, in eval mode."""

  @jax.jit
  def apply(params, batch_stats, low):
    return generator.apply({'params': params, 'batch_stats': batch_stats}, low, train=False)

  def translate(host_state, which: str, input_batches):
    params = {'ema': host_state.ema_g_params, 'raw': host_state.g_params}[which]
    params, batch_stats = jax.device_put((params, host_state.g_batch_stats))
    for low in input_batches:
      yield np.asarray(apply(params, batch_stats, low))
  return translate


def build(config: ml_collections.ConfigDict, specs: dict, streams: dict | None = None) -> Built:
  shape = tuple(specs['data'].shape)
  scale = config.pairs.downsample_scale
  low_shape = (shape[0] // scale, shape[1] // scale, shape[2])
  generator, discriminator = create_networks(config, shape[-1])
  g_tx = optimizers.adam(config.optim.g_lr, config.optim, config.train.num_steps)
  d_tx = optimizers.adam(config.optim.d_lr, config.optim, config.train.num_steps)
  state = create_state(jax.random.PRNGKey(config.seed), generator, discriminator, g_tx, d_tx,
                       low_shape, shape)
  features, frozen = content_network(config)
  loss_fn = step_lib.make_loss_fn(*create_networks(config, shape[-1], AXIS), config, features)
  translate = make_translate(generator)
  test_pairs = functools.cache(lambda: translation.split_pairs(config, 'test'))

  def test_outputs(host_state, which: str, num: int):
    """The SR outputs of the first `num` test images (FID against the test images)."""
    pairs = test_pairs()
    num = min(num, pairs.num_examples)
    return translate(host_state, which,
                     (batch['input'] for batch in translation.pair_batches(pairs, num)))

  if frozen:
    logging.info('Content loss on the frozen %s, layer %s (weights sha256 %s).',
                 frozen['network'], frozen['layer'], frozen['weights_sha256'])
  if config.loss.content == 'inception' and any(ev.metric == 'inception'
                                                for ev in config.evals.values()):
    logging.warning('FID/KID/precision-recall use the Inception network G is trained to match '
                    '(loss.content=inception): they are biased in its favour; PSNR/SSIM and '
                    'label preservation are not.')
  summary = (f'srgan (x{scale}): G (SRResNet) {param_count(state.g_params):,} parameters, '
             f'D {param_count(state.d_params):,} parameters'
             + (f'; content: {frozen["network"]} {frozen["layer"]} '
                f'{frozen["weights_sha256"][:16]}' if frozen else ''))
  return Built(
      state=state, step_fn=step_lib.make_step_fn(loss_fn, config, g_tx, d_tx),
      predict={'translations': translate, 'images': test_outputs},
      pictures=make_pictures(config, translate, shape, low_shape, streams),
      modes={'translate': functools.partial(translation.write_translations,
                                            {'translations': translate},
                                            lambda: {'translations': test_pairs()})},
      summary=summary, frozen={'content': frozen} if frozen else {})


def make_pictures(config: ml_collections.ConfigDict, translate, shape: tuple,
                  low_shape: tuple, streams: dict | None):
  """(host state, step) -> {'super_resolution': LR (nearest) | bicubic | SR | HR rows of
  training pairs}."""
  num = config.train.num_grid_samples
  if streams is not None:
    first = pipeline.first_examples(streams['data'], num)
    low, high = first['input'], first['image']
  else:
    low, high = np.zeros((num,) + low_shape, np.float32), np.zeros((num,) + shape, np.float32)
  bicubic = np.clip(paired.upsample(low, config.pairs.downsample_scale), -1, 1)

  def pictures(host_state, step):
    del step
    outputs = next(translate(host_state, 'ema', iter([low])))
    return {'super_resolution': plots.column_rows(low, bicubic, outputs, high)}
  return pictures

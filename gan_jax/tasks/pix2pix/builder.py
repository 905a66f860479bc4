"""The pix2pix task's models for the data a run reads: the U-Net G and PatchGAN D, state,
step, the 'translations' and 'images' predictions, the pictures and --mode translate."""
import functools

import jax
import ml_collections
import numpy as np

from gan_jax.common import plots
from gan_jax.common.device_axis import AXIS
from gan_jax.data import pipeline
from gan_jax.eval.evaluators import translation
from gan_jax.models.layers import LayerSpec
from gan_jax.models.patchgan import PatchGANDiscriminator
from gan_jax.models.unet import UNetGenerator
from gan_jax.tasks.gan.state import param_count
from gan_jax.tasks.pix2pix import step as step_lib
from gan_jax.tasks.pix2pix.state import create_state
from gan_jax.training import optimizers
from gan_jax.training.task import Built

EVAL_STREAM = 1  # fold_in(PRNGKey(seed), this): the dropout keys of inference.


def create_networks(config: ml_collections.ConfigDict, channels: int,
                    axis_name: str | None = None):
  m = config.model
  generator = UNetGenerator(channels, m.g_depth, m.g_features,
                            dropout_layers=m.g_dropout_layers, dropout_rate=m.g_dropout_rate,
                            spec=LayerSpec(m.g_norm, axis_name=axis_name))
  discriminator = PatchGANDiscriminator(m.d_layers, m.d_features,
                                        spec=LayerSpec(m.d_norm, axis_name=axis_name))
  return generator, discriminator


def make_translate(generator, config: ml_collections.ConfigDict):
  """translate(host state, 'ema' | 'raw', input batches) -> G's output batches, in eval mode
  with the paper's test-time dropout: example i of the stream has key fold_in(key, i)."""
  key = jax.random.fold_in(jax.random.PRNGKey(config.seed), EVAL_STREAM)

  @jax.jit
  def apply(params, batch_stats, inputs, first):
    keys = jax.vmap(jax.random.fold_in, (None, 0))(key, first + np.arange(inputs.shape[0]))
    return generator.apply({'params': params, 'batch_stats': batch_stats}, inputs, keys,
                           train=False)

  def translate(host_state, which: str, input_batches):
    params = {'ema': host_state.ema_g_params, 'raw': host_state.g_params}[which]
    params, batch_stats = jax.device_put((params, host_state.g_batch_stats))
    first = 0
    for inputs in input_batches:
      yield np.asarray(apply(params, batch_stats, inputs, first))
      first += len(inputs)
  return translate


def build(config: ml_collections.ConfigDict, specs: dict, streams: dict | None = None) -> Built:
  shape = tuple(specs['data'].shape)
  generator, discriminator = create_networks(config, shape[-1])
  g_tx = optimizers.adam(config.optim.g_lr, config.optim, config.train.num_steps)
  d_tx = optimizers.adam(config.optim.d_lr, config.optim, config.train.num_steps)
  state = create_state(jax.random.PRNGKey(config.seed), generator, discriminator, g_tx, d_tx,
                       shape, shape[:-1] + (2 * shape[-1],))
  loss_fn = step_lib.make_loss_fn(*create_networks(config, shape[-1], AXIS), config)
  translate = make_translate(generator, config)

  test_pairs = functools.cache(lambda: translation.split_pairs(config, 'test'))

  def test_translations(host_state, which: str, num: int):
    """The translations of the first `num` test inputs (FID against the test images)."""
    pairs = test_pairs()
    num = min(num, pairs.num_examples)
    inputs = (batch['input'] for batch in translation.pair_batches(pairs, num))
    return translate(host_state, which, inputs)

  pairs = 'side_by_side' if config.data.name == 'side_by_side' else config.pairs.derivation
  summary = (f'pix2pix ({pairs}): G (U-Net) {param_count(state.g_params):,} '
             f'parameters, D (PatchGAN) {param_count(state.d_params):,} parameters')
  return Built(
      state=state, step_fn=step_lib.make_step_fn(loss_fn, config, g_tx, d_tx),
      predict={'translations': translate, 'images': test_translations},
      pictures=make_pictures(config, translate, shape, streams),
      modes={'translate': functools.partial(translation.write_translations,
                                            {'translations': translate},
                                            lambda: {'translations': test_pairs()})},
      summary=summary)


def make_pictures(config: ml_collections.ConfigDict, translate, shape: tuple,
                  streams: dict | None):
  """(host state, step) -> {'translations': input | output | target of training pairs}."""
  num = config.train.num_grid_samples
  if streams is not None:
    first = pipeline.first_examples(streams['data'], num)
    inputs, targets = first['input'], first['image']
  else:
    inputs = targets = np.zeros((num,) + shape, np.float32)

  def pictures(host_state, step):
    del step
    outputs = next(translate(host_state, 'ema', iter([inputs])))
    return {'translations': plots.column_rows(inputs, outputs, targets)}
  return pictures

"""The CycleGAN task's models for the data a run reads: two ResNet Gs, two PatchGAN Ds,
state, step, the predictions (both directions), the pictures and --mode translate."""
import functools

import jax
import ml_collections
import numpy as np

from gan_jax.common import plots
from gan_jax.data import domains, pipeline, unpaired
from gan_jax.eval.evaluators import translation
from gan_jax.models.layers import LayerSpec
from gan_jax.models.patchgan import PatchGANDiscriminator
from gan_jax.models.resnet_translator import ResNetTranslator
from gan_jax.tasks.cyclegan import step as step_lib
from gan_jax.tasks.cyclegan.state import D_NAMES, G_DOMAINS, create_state
from gan_jax.tasks.gan.state import param_count
from gan_jax.training import optimizers
from gan_jax.training.task import Built

PREDICTION = {'translations': 'b_to_a', translation.INVERSE_NEEDS: 'a_to_b'}


def create_networks(config: ml_collections.ConfigDict, channels: dict[str, int]):
  """({G name: G}, {domain: D}); channels: each domain's image channels."""
  m = config.model
  generators = {name: ResNetTranslator(channels[target], m.g_features, m.g_downsamplings,
                                       m.g_blocks, spec=LayerSpec(m.g_norm))
                for name, (_, target) in G_DOMAINS.items()}
  discriminators = {name: PatchGANDiscriminator(m.d_layers, m.d_features,
                                                spec=LayerSpec(m.d_norm))
                    for name in D_NAMES}
  return generators, discriminators


def make_translate(generators: dict):
  """translate(host state, 'ema' | 'raw', input batches, G name) -> G's output batches."""
  apply = {name: jax.jit(lambda params, x, g=g: g.apply({'params': params}, x, train=False))
           for name, g in generators.items()}

  def translate(host_state, which: str, input_batches, name: str):
    params = {'ema': host_state.ema_g_params, 'raw': host_state.g_params}[which][name]
    params = jax.device_put(params)
    for inputs in input_batches:
      yield np.asarray(apply[name](params, inputs))
  return translate


def build(config: ml_collections.ConfigDict, specs: dict, streams: dict | None = None) -> Built:
  shapes = {name: tuple(spec.shape) for name, spec in specs.items()}
  generators, discriminators = create_networks(config, {k: s[-1] for k, s in shapes.items()})
  g_tx = optimizers.adam(config.optim.g_lr, config.optim, config.train.num_steps)
  d_tx = optimizers.adam(config.optim.d_lr, config.optim, config.train.num_steps)
  state = create_state(jax.random.PRNGKey(config.seed), generators, discriminators, g_tx, d_tx,
                       shapes, config.loss.pool_size)
  translate = make_translate(generators)
  translators = {prediction: functools.partial(translate, name=name)
                 for prediction, name in PREDICTION.items()}
  test_b = functools.cache(lambda: domains.domain_b_inputs(config, 'test'))

  def test_translations(host_state, which: str, num: int):
    """B -> A translations of the first `num` test images of B (FID against A's)."""
    source = test_b()
    num = min(num, source.num_examples)
    inputs = (source.read(np.arange(start, min(start + translation.BATCH, num)))[0]
              for start in range(0, num, translation.BATCH))
    return translate(host_state, which, inputs, 'b_to_a')

  counts = lambda params: ', '.join(f'{k} {param_count(v):,}' for k, v in params.items())
  domain_b = (config.data.name if unpaired.has_two_domains(config.data)
              else config.pairs.derivation)
  summary = (f'cyclegan (B: {domain_b}): Gs (ResNet) '
             f'{counts(state.g_params)} parameters, Ds (PatchGAN) {counts(state.d_params)}')
  return Built(
      state=state,
      step_fn=step_lib.make_step_fn(step_lib.make_loss_fn(generators, discriminators, config),
                                    config, g_tx, d_tx),
      predict={**translators, 'images': test_translations},
      pictures=make_pictures(config, translate, shapes, streams),
      modes={'translate': functools.partial(translation.write_translations, translators,
                                            functools.partial(translate_mode_splits, config))},
      summary=summary)


def make_pictures(config: ml_collections.ConfigDict, translate, shapes: dict,
                  streams: dict | None):
  """(host state, step) -> {'cycle_a': a | G(a) | F(G(a)), 'cycle_b': b | F(b) | G(F(b))}
  rows of the first training images of each domain."""
  num = config.train.num_grid_samples
  firsts = {name: (pipeline.first_examples(streams[name], num)[0] if streams is not None
                   else np.zeros((num,) + shapes[name], np.float32)) for name in shapes}
  reading = {source: name for name, (source, _) in G_DOMAINS.items()}  # Domain -> its G.

  def pictures(host_state, step):
    del step
    rows = {}
    for domain, images in firsts.items():
      there = reading[domain]
      out = next(translate(host_state, 'ema', iter([images]), there))
      cycled = next(translate(host_state, 'ema', iter([out]), reading[G_DOMAINS[there][1]]))
      rows[f'cycle_{domain}'] = plots.column_rows(images, out, cycled)
    return rows
  return pictures


def translate_mode_splits(config: ml_collections.ConfigDict) -> dict:
  """What --mode translate translates: B's test images to A and A's to B, with the ground
  truth of derived domains (the test pairs both ways) or none (two datasets)."""
  if unpaired.has_two_domains(config.data):
    return {'translations': translation.InputsOnly(unpaired.domain_source(config.data, 'test',
                                                                          'B')),
            translation.INVERSE_NEEDS: translation.InputsOnly(
                unpaired.domain_source(config.data, 'test', 'A'))}
  pairs = translation.split_pairs(config, 'test')
  return {'translations': pairs, translation.INVERSE_NEEDS: translation.ReversedPairs(pairs)}

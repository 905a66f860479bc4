"""Evaluators, configured by name: config.evals.<name> = dict(metric=..., every_steps=..., ...).

Each returns records {'eval', 'metric', 'value', 'generator', 'step', 'protocol'}:
every number carries the protocol that produced it.
"""
import functools
from pathlib import Path

import ml_collections
import numpy as np

from gan_jax import feature_extraction, input_pipeline, mixtures, models, sampling, validation
from gan_jax.metrics import inception_score, stacked_mnist, suite

METRICS = ('inception', 'mode_coverage', 'stacked_mnist')
GENERATORS = ('ema', 'raw', 'both')


def reference_source(config: ml_collections.ConfigDict, split: str):
  """The training dataset's `split`, as the reference of image metrics."""
  data = ml_collections.ConfigDict(config.data.to_dict())
  data.split = split
  return input_pipeline.create_source(data, config.seed)


def check_references(config: ml_collections.ConfigDict) -> None:
  """Fails at start-up, not at the first evaluation, when a reference split is too small."""
  for name, ev in config.evals.items():
    if ev.metric != 'inception':
      continue
    available = reference_source(config, ev.split).num_examples
    if available is not None and ev.num_real > available:
      raise validation.ConfigError(
          f'config.evals.{name}.num_real={ev.num_real} exceeds the {available} examples of '
          f'split {ev.split!r} of {config.data.name!r}.')


class EvalContext:
  """What evaluators share: the generator function and lazily built heavy pieces."""

  def __init__(self, config: ml_collections.ConfigDict, generator):
    self.config = config
    self.generate = sampling.make_generate_fn(generator)
    self.num_classes = models.conditional_classes(generator)
    self.cache_dir = Path(config.cache_dir).expanduser()

  @functools.cached_property
  def extractor(self) -> feature_extraction.InceptionFeatures:
    weights = feature_extraction.resolve_weights(self.config.inception_weights, self.cache_dir)
    return feature_extraction.InceptionFeatures(weights)

  @functools.cached_property
  def classifier_record(self) -> dict:
    """The cached MNIST classifier trained on this run's MNIST (config.data's folders)."""
    from gan_jax import classifier  # Only Stacked MNIST needs it.
    data = self.config.data
    return classifier.load(self.cache_dir, classifier.mnist_fingerprint(data.data_dir,
                                                                        data.manual_dir))

  def reference_source(self, split: str):
    return reference_source(self.config, split)

  def samples(self, state, which: str, num: int):
    return sampling.sample_stream(self.generate, state, which, num, self.config.model.z_dim,
                                  self.config.seed, self.num_classes)


def _inception_metrics(ev, state, which: str, ctx: EvalContext) -> tuple[dict, dict]:
  extractor = ctx.extractor
  data = ctx.config.data
  source = ctx.reference_source(ev.split)
  # Keyed by the reference's fingerprint, not its name: another dataset of the same name
  # (a folder, a re-prepared tfds dataset, Stacked MNIST of another seed) misses the cache.
  reference = {'dataset': data.name, 'split': ev.split, 'num': ev.num_real,
               'image_size': data.image_size, 'examples': f'the first {ev.num_real} of the split',
               'fingerprint': source.fingerprint}
  cache_file = (ctx.cache_dir / 'reference_features' /
                f'{data.name}_{ev.split}_{ev.num_real}_{source.fingerprint[:16]}_'
                f'{extractor.sha256[:16]}.npy')
  real = feature_extraction.reference_features(source, ev.num_real, extractor, cache_file)
  fake = extractor((sampling.to_uint8(b) for b in ctx.samples(state, which, ev.num_samples)),
                   ev.num_samples, f'the {which} generator')
  n_prdc = min(ev.prdc_samples, len(real), len(fake))
  values = suite.feature_metrics(real, fake, ev.kid_subsets, ev.kid_subset_size, n_prdc)
  values.update(inception_score_values(fake, extractor.logits_head))
  protocol = {'reference': reference, 'num_generated': ev.num_samples,
              'samples': 'uint8-quantised generator outputs', **extractor.protocol(),
              'kid': f'unbiased MMD^2, cubic kernel, {ev.kid_subsets} subsets of {ev.kid_subset_size}',
              'prdc': f'k=3 nearest neighbours on the first {n_prdc} real and generated',
              'inception_score': ('softmax of the 1008 logits of the weights file, 10 splits'
                                  if extractor.logits_head else
                                  'not computed: these weights have no logits layer')}
  return values, protocol


def inception_score_values(features: np.ndarray, logits_head) -> dict[str, float]:
  """IS from pool3 features and the network's (weight, bias) classifier; {} without one."""
  if logits_head is None:
    return {}
  weight, bias = logits_head
  mean, std = inception_score.inception_score(features @ weight.T + bias)
  return {'inception_score': mean, 'inception_score_std': std}


def _mode_coverage(ev, state, which: str, ctx: EvalContext) -> tuple[dict, dict]:
  samples = np.concatenate(list(ctx.samples(state, which, ev.num_samples)))
  return (mixtures.mode_coverage(samples, ctx.config.data.name),
          {'mixture': ctx.config.data.name, 'num_generated': ev.num_samples,
           'fingerprint': ctx.reference_source(ctx.config.data.split).fingerprint,
           'high_quality': 'within 3 sigma of the nearest mean (PacGAN)'})


def _stacked_mnist(ev, state, which: str, ctx: EvalContext) -> tuple[dict, dict]:
  from gan_jax import classifier
  record = ctx.classifier_record
  predict = functools.partial(classifier.predict, record['params'])
  codes = np.concatenate([stacked_mnist.mode_codes(b, predict)
                          for b in ctx.samples(state, which, ev.num_samples)])
  return (stacked_mnist.mode_statistics(codes),
          {'num_generated': ev.num_samples, 'classifier': 'gan_jax.classifier (cached)',
           'classifier_test_accuracy': record['test_accuracy'],
           'classifier_data_fingerprint': record['data_fingerprint'],
           'kl': 'KL(mode histogram || uniform over 1,000)'})


_EVALUATORS = {'inception': _inception_metrics, 'mode_coverage': _mode_coverage,
               'stacked_mnist': _stacked_mnist}


def evaluate(name: str, ev: ml_collections.ConfigDict, state, step: int,
             ctx: EvalContext) -> list[dict]:
  """Runs evaluator `name` on the generator(s) it names; one record per value."""
  records = []
  for which in (('ema', 'raw') if ev.generator == 'both' else (ev.generator,)):
    values, protocol = _EVALUATORS[ev.metric](ev, state, which, ctx)
    records += [{'eval': name, 'metric': metric, 'value': float(value), 'generator': which,
                 'step': step, 'protocol': {**protocol, 'generator': which, 'step': step}}
                for metric, value in values.items()]
  return records


def eval_config(metric: str, every_steps: int, num_samples: int, **fields):
  """An entry of config.evals with every field an evaluator reads."""
  return ml_collections.ConfigDict(dict(
      metric=metric,  # 'inception' (FID, KID, precision/recall, density/coverage),
                      # 'mode_coverage' (2D) or 'stacked_mnist' (1,000 modes).
      every_steps=every_steps,  # Run every this many train steps, and at the end.
      num_samples=num_samples,  # Generated samples evaluated.
      generator='ema',  # 'ema', 'raw' or 'both'.
      split='test',  # inception: reference split.
      num_real=10_000,  # inception: reference examples (the first of the split).
      kid_subsets=100,  # inception: KID subsets.
      kid_subset_size=1_000,  # inception: KID subset size (<= both sample counts).
      prdc_samples=10_000,  # inception: samples used for precision/recall/density/coverage.
  ) | fields)

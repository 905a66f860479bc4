"""metric='label_preservation': does a translation keep the class? gan_jax's classifier of the
run's dataset (gan_jax.eval.classifier, trained on its real training images) labels the
translated images of a split of derived pairs; `accuracy` is its agreement with the labels,
beside its accuracy on the real targets (`target_accuracy`: the ceiling, which a perfect
translation reaches) and on the untranslated inputs (`identity_accuracy`: what doing nothing
scores; `bicubic_accuracy` of their bicubic upsampling for super-resolution). The offline
analogue of pix2pix's FCN-score. split and direction are the translation evaluator's:
'inverse' classifies CycleGAN's A -> B outputs."""
import numpy as np

from gan_jax.config.errors import ConfigError
from gan_jax.eval.evaluators import translation

NEEDS = translation.NEEDS
FIELDS = {k: translation.FIELDS[k] for k in ('split', 'direction')}
TINY = {}
needs = translation.needs
SHAPE = (28, 28, 1)  # The classifier's input.


def check(name: str, ev, config) -> None:
  translation.check_ground_truth(name, ev, config)
  check_classifier(name, ev, config)


def check_classifier(name: str, ev, config) -> None:
  """gan_jax has a classifier of the run's dataset (of every evaluator that uses one)."""
  from gan_jax.eval import classifier  # Its network: only when this evaluator is used.
  if config.data.name not in classifier.DATASETS:
    raise ConfigError(f'config.evals.{name}.metric={ev.metric!r} classifies with gan_jax\'s '
                      f'classifier of config.data.name={config.data.name!r}, but there are '
                      f'classifiers of {classifier.DATASETS} only.')


def check_data(name: str, ev, ctx) -> None:
  check_classified_split(name, ev, ctx, ev.split)


def check_classified_split(name: str, ev, ctx, split: str) -> None:
  """Labels and the classifier's image shape in `split`; the cached classifier loads now, so a
  missing one is an error at start-up that says how to train it."""
  spec = ctx.reference_source(split).spec
  if not spec.num_classes:
    raise ConfigError(f'config.evals.{name}.metric={ev.metric!r} needs labels, but split '
                      f'{split!r} of config.data.name={ctx.config.data.name!r} has none.')
  if tuple(spec.shape) != SHAPE:
    raise ConfigError(f'config.evals.{name}.metric={ev.metric!r}: the classifier takes '
                      f'{SHAPE} images, but config.data gives {tuple(spec.shape)} (leave '
                      'config.data.image_size unset).')
  ctx.classifier(ctx.config.data.name)


def classifier_protocol(record: dict, dataset: str) -> dict:
  """Which classifier judged: its name (a stand-in's says so), test accuracy and the training
  split it learnt."""
  from gan_jax.eval import classifier  # Its network: only when this evaluator is used.
  return {'classifier': classifier.describe(record, dataset),
          'classifier_test_accuracy': record['test_accuracy'],
          'classifier_data_fingerprint': record['data_fingerprint']}


def evaluate(ev, translate, which: str, ctx) -> tuple[dict, dict]:
  del which
  from gan_jax.eval import classifier
  t, protocol = translation.translated(ev, translate, ctx)
  record = ctx.classifier(ctx.config.data.name)
  accuracy = lambda images: classifier.accuracy(
      record['params'], images.astype(np.float32) / 127.5 - 1.0, t['labels'])
  baseline, done_nothing = translation.baseline(t['inputs'], t['targets'])
  values = {'accuracy': accuracy(t['outputs']), 'target_accuracy': accuracy(t['targets']),
            f'{baseline}_accuracy': accuracy(done_nothing)}
  return values, {**protocol, **classifier_protocol(record, ctx.config.data.name),
                  'labels': "the source image's"}

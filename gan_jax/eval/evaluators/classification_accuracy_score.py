"""metric='cas': the Classification Accuracy Score (Ravuri & Vinyals 2019) of a
class-conditional generator: gan_jax's classifier (gan_jax.eval.classifier.fit) trained on
generated images only, tested on the real test split, beside the same classifier trained on
as many real training images; with augment_real_per_class > 0 also the augmentation mode (a
small real labelled set plus the generated images) beside that small real set alone."""
import numpy as np
from ml_collections.config_dict import placeholder

from gan_jax.config import fields
from gan_jax.config.errors import ConfigError
from gan_jax.data import subsets

NEEDS = 'labelled_images'  # predict(state, which, num) -> (images, labels) batches.
FIELDS = {
    'epochs': 10,  # Classifier training epochs, on whichever training set.
    'augment_real_per_class': 0,  # > 0: also real (this many per class) + generated.
    'classifier_seed': 0,  # Seeds the classifiers' weights and batch order, and the real picks.
    'test_split': 'test',  # The real split every classifier is tested on,
    'num_test': placeholder(int),  # its first this many examples (None: all).
}
TINY = {'epochs': 1, 'num_test': 500}


def check(name: str, ev, config) -> None:
  fields.positive(config, f'evals.{name}.epochs')
  fields.non_negative(config, f'evals.{name}.augment_real_per_class')
  if ev.num_test is not None:
    fields.positive(config, f'evals.{name}.num_test')


def check_data(name: str, ev, ctx) -> None:
  """Labels, and enough real training images of every class for the real baselines."""
  source = ctx.reference_source(ctx.config.data.split)
  num_classes = source.spec.num_classes
  if not num_classes:
    raise ConfigError(f'config.evals.{name}.metric={ev.metric!r} needs class labels, but '
                      f'config.data.name={ctx.config.data.name!r} has none.')
  smallest = int(np.bincount(subsets.all_labels(source), minlength=num_classes).min())
  per_class = ev.num_samples // num_classes
  if not 1 <= per_class <= smallest or ev.augment_real_per_class > smallest:
    raise ConfigError(
        f'config.evals.{name}.num_samples={ev.num_samples} ({per_class} per class of '
        f'{num_classes}) and augment_real_per_class={ev.augment_real_per_class}: each must '
        f'be 1 to {smallest} per class, the smallest class of split {ctx.config.data.split!r}.')


def real_subset(source, labels: np.ndarray, per_class: int, num_classes: int, seed: int):
  """per_class real images of each class of `source` (whose labels are `labels`), chosen by
  `seed` (gan_jax.data.subsets)."""
  return source.read(subsets.labelled_indices(labels, per_class, num_classes, seed))


def evaluate(ev, samples, which: str, ctx) -> tuple[dict, dict]:
  del which
  from gan_jax.eval import classifier  # Its network: only when evaluating.
  train_source = ctx.reference_source(ctx.config.data.split)
  test_source = ctx.reference_source(ev.test_split)
  num_classes = train_source.spec.num_classes
  per_class = ev.num_samples // num_classes
  batches = list(samples(per_class * num_classes))
  generated = (np.concatenate([b[0] for b in batches]), np.concatenate([b[1] for b in batches]))
  num_test = test_source.num_examples if ev.num_test is None else min(ev.num_test,
                                                                       test_source.num_examples)
  test_images, test_labels = test_source.read(np.arange(num_test))
  fit = lambda images, labels: classifier.fit(images, labels, num_classes, ev.epochs,
                                              seed=ev.classifier_seed)
  score = lambda data: classifier.accuracy(fit(*data), test_images, test_labels)
  train_labels = subsets.all_labels(train_source)  # Read once for both real picks.
  real = real_subset(train_source, train_labels, per_class, num_classes, ev.classifier_seed)
  values = {'cas': score(generated), 'real_accuracy': score(real)}
  if ev.augment_real_per_class:
    small = real_subset(train_source, train_labels, ev.augment_real_per_class, num_classes,
                        ev.classifier_seed)
    values['small_real_accuracy'] = score(small)
    values['augmented_accuracy'] = score(tuple(np.concatenate([s, g])
                                               for s, g in zip(small, generated)))
  protocol = {'generated_per_class': per_class, 'real_per_class': per_class,
              'augment_real_per_class': ev.augment_real_per_class, 'epochs': ev.epochs,
              'classifier': 'gan_jax.eval.classifier.DigitClassifier (Adam 1e-3, cosine)',
              'classifier_seed': ev.classifier_seed, 'test_split': ev.test_split,
              'test_examples': int(num_test),
              'train_fingerprint': train_source.fingerprint,
              'test_fingerprint': test_source.fingerprint}
  return values, protocol

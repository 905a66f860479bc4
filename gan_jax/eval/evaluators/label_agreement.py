"""metric='label_agreement': does a class-conditional G draw the class it is asked for?
gan_jax's classifier of the run's dataset (gan_jax.eval.classifier, trained on its real
training images) labels num_samples generated images, the classes in turn: `agreement` is
the share it labels as the requested class, `worst_class_agreement` the lowest share of one
class; beside them `real_accuracy`, its accuracy on the real test split, the ceiling a G of
perfect class examples reaches. A G that ignores its labels scores about 1 / classes."""
import numpy as np

from gan_jax.eval.evaluators import label_preservation

NEEDS = 'labelled_images'  # predict(state, which, num) -> (images, requested labels) batches.
FIELDS = {
    'test_split': 'test',  # The real split of real_accuracy.
}
TINY = {}


def check(name: str, ev, config) -> None:
  label_preservation.check_classifier(name, ev, config)


def check_data(name: str, ev, ctx) -> None:
  label_preservation.check_classified_split(name, ev, ctx, ev.test_split)


def class_agreements(predicted: np.ndarray, requested: np.ndarray, num_classes: int):
  """Per class (index): the share of samples requested as it that are predicted as it."""
  hits = np.bincount(requested[predicted == requested], minlength=num_classes)
  return hits / np.maximum(np.bincount(requested, minlength=num_classes), 1)


def evaluate(ev, samples, which: str, ctx) -> tuple[dict, dict]:
  del which
  from gan_jax.eval import classifier  # Its network: only when evaluating.
  dataset = ctx.config.data.name
  record = ctx.classifier(dataset)
  predicted, requested = [], []
  for images, labels in samples(ev.num_samples):
    predicted.append(np.asarray(classifier.predict(record['params'], images)))
    requested.append(labels)
  predicted, requested = np.concatenate(predicted), np.concatenate(requested)
  test = ctx.reference_source(ev.test_split)
  num_classes = test.spec.num_classes
  test_images, test_labels = test.read(np.arange(test.num_examples))
  per_class = class_agreements(predicted, requested, num_classes)
  values = {'agreement': float(np.mean(predicted == requested)),
            'worst_class_agreement': float(per_class[np.bincount(
                requested, minlength=num_classes) > 0].min()),
            'real_accuracy': classifier.accuracy(record['params'], test_images, test_labels)}
  return values, {**label_preservation.classifier_protocol(record, dataset),
                  'num_generated': int(len(predicted)), 'labels': 'requested, classes in turn',
                  'chance': 1.0 / num_classes, 'test_split': ev.test_split,
                  'test_fingerprint': test.fingerprint}

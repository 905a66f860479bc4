"""metric='stacked_mnist': modes of 1,000 (three digits, classified by the cached MNIST
classifier; :tiny's stand-in) that generated images cover, and the KL of their histogram to
uniform."""
import functools

import numpy as np

from gan_jax.eval.metrics import stacked_mnist

NEEDS = 'images'
FIELDS = {}
TINY = {}


def evaluate(ev, samples, which: str, ctx) -> tuple[dict, dict]:
  del which
  from gan_jax.eval import classifier  # Its network: only when evaluating.
  record = ctx.classifier('mnist')
  predict = functools.partial(classifier.predict, record['params'])
  codes = np.concatenate([stacked_mnist.mode_codes(b, predict)
                          for b in samples(ev.num_samples)])
  return (stacked_mnist.mode_statistics(codes),
          {'num_generated': ev.num_samples,
           'classifier': classifier.describe(record, 'mnist'),
           'classifier_test_accuracy': record['test_accuracy'],
           'classifier_data_fingerprint': record['data_fingerprint'],
           'kl': 'KL(mode histogram || uniform over 1,000)'})

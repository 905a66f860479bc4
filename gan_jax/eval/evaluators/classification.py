"""metric='classification': test error and accuracy of a task's classifier (the
semi-supervised D) on a labelled split, with the labelled set it learnt from in the protocol."""
import numpy as np

from gan_jax.config.errors import ConfigError
from gan_jax.eval import split_predictions

NEEDS = 'classify'  # predict(state, which, image batches) -> predicted labels per batch.
FIELDS = {'split': 'test'}  # The labelled split classified: its first num_samples examples.
TINY = {}
BATCH = 1_000


def check_data(name: str, ev, ctx) -> None:
  if not ctx.reference_source(ev.split).spec.num_classes:
    raise ConfigError(f'config.evals.{name}.metric={ev.metric!r} needs labels, but split '
                      f'{ev.split!r} of config.data.name={ctx.config.data.name!r} has none.')


def evaluate(ev, classify, which: str, ctx) -> tuple[dict, dict]:
  del which
  source = ctx.reference_source(ev.split)
  num = min(ev.num_samples, source.num_examples)
  predicted, truth = split_predictions.predict_split(classify, source, num, BATCH)
  errors = int(np.sum(predicted != truth))
  labelled_set = ctx.config.get('labels')
  # labels.seed None means config.seed, recorded beside it.
  protocol = {'split': ev.split, 'examples': num, 'fingerprint': source.fingerprint,
              'labelled_set': None if labelled_set is None else labelled_set.to_dict(),
              'seed': ctx.config.seed}
  return {'error': errors / num, 'accuracy': 1.0 - errors / num, 'errors': errors}, protocol

"""metric='anomaly': one-class anomaly detection (Ruff et al. 2018's protocol). The task scores
every image of a labelled split; images of config.data.classes (what it trained on) are
normal, all others anomalous; AUROC and average precision of the scores, with the anomalous
images as positives."""
import numpy as np

from gan_jax.config.errors import ConfigError
from gan_jax.eval import split_predictions
from gan_jax.eval.metrics import ranking

NEEDS = 'anomaly_scores'  # predict(state, which, image batches) -> a score per image of each
                          # batch; higher: more anomalous.
FIELDS = {'split': 'test'}  # The split scored (every class): its first num_samples examples.
TINY = {}
BATCH = 500


def check(name: str, ev, config) -> None:
  if not config.data.classes:
    raise ConfigError(f'config.evals.{name}.metric={ev.metric!r} needs the normal classes: set '
                      'config.data.classes, e.g. (0,); the other classes of split '
                      f'{ev.split!r} are the anomalies.')


def check_data(name: str, ev, ctx) -> None:
  if not ctx.reference_source(ev.split, all_classes=True).spec.num_classes:
    raise ConfigError(f'config.evals.{name}.metric={ev.metric!r} needs labels to tell normal '
                      f'from anomalous, but split {ev.split!r} of config.data.name='
                      f'{ctx.config.data.name!r} has none.')


def score_split(score, source, normal_classes: tuple[int, ...], num: int) -> dict:
  """{'scores', 'labels', 'is_anomaly'} of the first `num` examples of `source`, scored by
  score(image batches) -> a score per image of each batch."""
  scores, labels = split_predictions.predict_split(score, source, num, BATCH)
  return {'scores': scores.astype(np.float64), 'labels': labels,
          'is_anomaly': ~np.isin(labels, normal_classes)}


def evaluate(ev, score, which: str, ctx) -> tuple[dict, dict]:
  del which
  source = ctx.reference_source(ev.split, all_classes=True)
  num = min(ev.num_samples, source.num_examples)
  scored = score_split(score, source, tuple(ctx.config.data.classes), num)
  anomalous = scored['is_anomaly']
  method = ctx.config.get('anomaly')
  protocol = {'split': ev.split, 'examples': num, 'anomalies': int(anomalous.sum()),
              'fingerprint': source.fingerprint, 'normal_classes': list(ctx.config.data.classes),
              'method': None if method is None else method.to_dict(), 'seed': ctx.config.seed}
  return {'auroc': ranking.auroc(scored['scores'], anomalous),
          'average_precision': ranking.average_precision(scored['scores'], anomalous)}, protocol

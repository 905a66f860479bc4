"""metric='anomaly': one-class anomaly detection (Ruff et al. 2018's protocol). The task scores
every image of a labelled split; images of config.data.classes (what it trained on) are
normal, all others anomalous; AUROC and average precision of the scores, with the anomalous
images as positives."""
import functools
import logging
from pathlib import Path

import ml_collections
import numpy as np

from gan_jax.common import files
from gan_jax.config.errors import ConfigError
from gan_jax.eval import context, split_predictions
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


def check_score_mode(config: ml_collections.ConfigDict, predictions: tuple[str, ...]) -> None:
  """--mode score: the task must score anomalies, know which classes are normal, and have an
  'anomaly' evaluator, whose split and weights (generator) it scores with."""
  if NEEDS not in predictions:
    raise ConfigError(f'--mode=score needs a model that scores anomalies; config.task='
                      f'{config.task!r} with this config.model predicts {predictions}.')
  if not config.data.classes:
    raise ConfigError('--mode=score flags every image outside config.data.classes as anomalous: '
                      'set config.data.classes to the normal classes the run trained on.')
  if scored_eval(config) is None:
    raise ConfigError("--mode=score scores the split of the config's 'anomaly' evaluator with its "
                      "generator; add one: config.evals.NAME = eval_config('anomaly', ...).")


def scored_eval(config: ml_collections.ConfigDict):
  """The config's first 'anomaly' evaluator (None: it has none)."""
  return next((ev for ev in config.evals.values() if ev.metric == 'anomaly'), None)


def write_scores(config: ml_collections.ConfigDict, anomaly_scores, host_state, workdir: Path,
                 options: dict) -> Path:
  """--mode score: workdir/scores_step_N/scores.npz with 'scores', 'labels' and 'is_anomaly'
  of every image of the 'anomaly' evaluator's split (higher: more anomalous), by
  anomaly_scores(host_state, which, image batches) with the evaluator's generator, so the
  file's scores are the ones its AUROC ranked."""
  del options  # --num_samples and --generator are --mode sample's.
  ev = scored_eval(config)
  which = 'ema' if ev.generator == 'both' else ev.generator
  source = context.reference_source(config, ev.split, all_classes=True)
  scored = score_split(functools.partial(anomaly_scores, host_state, which), source,
                       tuple(config.data.classes), source.num_examples)
  out = workdir / f'scores_step_{int(host_state.step):07d}'
  out.mkdir(exist_ok=True)
  files.write_npz(out / 'scores.npz', **scored)
  logging.info("Wrote the %s weights' scores of %d %s images (%d anomalous) to %s.", which,
               len(scored['scores']), ev.split, int(scored['is_anomaly'].sum()), out)
  return out


def method_fields(config: ml_collections.ConfigDict) -> dict:
  """What scored: the anomaly task's config.anomaly, or the gan task's AnoGAN search."""
  if 'anomaly' in config:
    return config.anomaly.to_dict()
  return {'method': 'anogan', **config.anogan.to_dict()}


def rank(ev, score, ctx, method: dict) -> tuple[dict, dict]:
  """AUROC and AP of score(image batches) over the first ev.num_samples images of ev.split,
  with the protocol; `method`: what scored (recorded)."""
  source = ctx.reference_source(ev.split, all_classes=True)
  num = min(ev.num_samples, source.num_examples)
  scored = score_split(score, source, tuple(ctx.config.data.classes), num)
  anomalous = scored['is_anomaly']
  protocol = {'split': ev.split, 'examples': num, 'anomalies': int(anomalous.sum()),
              'fingerprint': source.fingerprint, 'normal_classes': list(ctx.config.data.classes),
              'method': method, 'seed': ctx.config.seed}
  return {'auroc': ranking.auroc(scored['scores'], anomalous),
          'average_precision': ranking.average_precision(scored['scores'], anomalous)}, protocol


def evaluate(ev, score, which: str, ctx) -> tuple[dict, dict]:
  del which
  return rank(ev, score, ctx, method_fields(ctx.config))

"""Evaluators by name: config.evals.<name> = eval_config(metric, every_steps, num_samples, ...).

An evaluator is a module of gan_jax/eval/evaluators/ listed in EVALUATORS. It declares
NEEDS (the prediction it consumes: 'images', 'points', ...; a task's Built.predict makes
them; None: it reads only the data; or needs(ev), when a field of its own picks it),
FIELDS (its own config fields, commented) and TINY (their `:tiny` values), and defines
evaluate(ev, samples, which, ctx) -> (values, protocol), where samples(*inputs) is the
task's prediction NEEDS of the `which` weights:
samples(num) yields `num` generated images or points in batches; samples(image_batches)
yields the predicted labels of each batch ('classify'); optionally check(name, ev, config)
(needs no data), check_data(name, ev, ctx) (at start-up) and cost(ev, ctx) -> (units, what)
(the work of one generator's evaluation, logged before it starts; default: num_samples
samples). It never sees the model.
Records {'eval', 'metric', 'value', 'generator', 'step', 'protocol'} carry the protocol
that produced every number.
"""
import logging
import time

import ml_collections

from gan_jax.config.errors import ConfigError
from gan_jax.eval import metric_names
from gan_jax.eval.evaluators import (anomaly_detection, classification,
                                     classification_accuracy_score, discriminator_overfitting,
                                     inception_features, label_agreement, label_preservation,
                                     mode_coverage, one_class_svm, stacked_mnist_modes,
                                     translation)

EVALUATORS = {'inception': inception_features, 'mode_coverage': mode_coverage,
              'stacked_mnist': stacked_mnist_modes, 'classification': classification,
              'cas': classification_accuracy_score, 'anomaly': anomaly_detection,
              'ocsvm': one_class_svm, 'translation': translation,
              'label_preservation': label_preservation, 'label_agreement': label_agreement,
              'd_overfitting': discriminator_overfitting}
METRICS = tuple(EVALUATORS)


def eval_config(metric: str, every_steps: int, num_samples: int, **fields):
  """An entry of config.evals: the fields every evaluator has, then `metric`'s own."""
  own = EVALUATORS[metric].FIELDS if metric in EVALUATORS else {}
  return ml_collections.ConfigDict(dict(
      metric=metric,  # One of METRICS: 'inception' (FID, KID, precision/recall,
                      # density/coverage), 'mode_coverage' (2D), 'stacked_mnist' (1,000 modes)
                      # 'classification' (test error of a task's classifier), 'cas'
                      # (Classification Accuracy Score of a class-conditional G) or
                      # 'anomaly' (AUROC of a task's anomaly scores) or 'ocsvm' (the
                      # AUROC of a one-class SVM on pixels: anomaly's baseline) or
                      # 'translation' (L1, PSNR, SSIM of a translation task's outputs) or
                      # 'label_preservation' (a classifier's accuracy on them) or
                      # 'label_agreement' (a classifier's agreement with a conditional G's
                      # requested classes) or 'd_overfitting' (D's logits on its training
                      # images against held-out ones).
      every_steps=every_steps,  # Run every this many train steps, and at the end; 0: only at
                                # the end (what a --config.train.num_steps override keeps).
      num_samples=num_samples,  # Predictions evaluated (generated samples, test images).
      generator='ema',  # The weights evaluated: 'ema', 'raw' or 'both' (of the network the
                        # task evaluates: G, the semi-supervised D, the anomaly encoder).
      enabled=True,  # False: never run, nor checked against the data (e.g. a search that
                     # skips the final FID: --config.evals.fid.enabled=False, or a sweep's
                     # --set evals.fid.enabled=False).
  ) | own | fields)


def tiny(ev: ml_collections.ConfigDict, num_steps: int) -> None:
  """configs/X.py:tiny: on 64 samples; a periodic eval every `num_steps` (once, at a tiny run's
  end), an end-only one (every_steps 0) still only at the end, however long a test runs it."""
  if ev.every_steps:
    ev.every_steps = num_steps
  ev.num_samples = 64
  for field, value in EVALUATORS[ev.metric].TINY.items() if ev.metric in EVALUATORS else ():
    ev[field] = value


def due(ev: ml_collections.ConfigDict, step: int, is_last: bool) -> bool:
  """Whether the config.evals entry `ev` runs after train step `step`."""
  return ev.enabled and (is_last or (ev.every_steps > 0 and step % ev.every_steps == 0))


def enabled(config: ml_collections.ConfigDict) -> dict:
  """The config.evals entries that run, by name."""
  return {name: ev for name, ev in config.evals.items() if ev.enabled}


def needs(ev: ml_collections.ConfigDict) -> str | None:
  """The prediction the evaluator of config.evals entry `ev` consumes."""
  evaluator = EVALUATORS[ev.metric]
  return evaluator.needs(ev) if hasattr(evaluator, 'needs') else evaluator.NEEDS


def check(config: ml_collections.ConfigDict, predictions: tuple[str, ...]) -> None:
  """Every entry of config.evals, and config.best.metric; `predictions`: what the task makes.
  A disabled entry is checked for its name only."""
  for name, ev in config.evals.items():
    if ev.metric not in METRICS:
      raise ConfigError(f'config.evals.{name}.metric={ev.metric!r} is not accepted; accepted: '
                        f'{METRICS}.')
  for name, ev in enabled(config).items():
    if ev.generator not in metric_names.GENERATORS:
      raise ConfigError(f'config.evals.{name}.generator={ev.generator!r} is not accepted; '
                        f'accepted: {metric_names.GENERATORS}.')
    if not ev.num_samples > 0:
      raise ConfigError(f'config.evals.{name}.num_samples={ev.num_samples!r} must be > 0.')
    if not ev.every_steps >= 0:
      raise ConfigError(f'config.evals.{name}.every_steps={ev.every_steps!r} must be >= 0 '
                        '(0: only at the end).')
    evaluator = EVALUATORS[ev.metric]
    if hasattr(evaluator, 'check'):
      evaluator.check(name, ev, config)
    prediction = needs(ev)
    if prediction is None and ev.generator == 'both':
      raise ConfigError(f'config.evals.{name}.metric={ev.metric!r} reads no weights, so '
                        "generator='both' would compute one number twice; set 'ema'.")
    if prediction is not None and prediction not in predictions:
      raise ConfigError(f'config.evals.{name}.metric={ev.metric!r} evaluates {prediction}, '
                        f'but config.task={config.task!r} on config.data.name='
                        f'{config.data.name!r} predicts {predictions}.')
  if config.best.metric:
    name = metric_names.check_metric_name('config.best.metric', config.best.metric,
                                          config.evals)[0]
    if not config.evals[name].enabled:
      raise ConfigError(f'config.best.metric={config.best.metric!r} names config.evals.{name}, '
                        f"which is disabled; set config.best.metric='' or enable it.")


def check_data(config: ml_collections.ConfigDict, ctx) -> None:
  """Start-up checks of the evaluators that have data or files to check."""
  for name, ev in enabled(config).items():
    evaluator = EVALUATORS[ev.metric]
    if hasattr(evaluator, 'check_data'):
      evaluator.check_data(name, ev, ctx)


def cost(ev: ml_collections.ConfigDict, ctx) -> tuple[int, str]:
  """(units, what): the work of one generator's evaluation, in the evaluator's units."""
  evaluator = EVALUATORS[ev.metric]
  if hasattr(evaluator, 'cost'):
    return evaluator.cost(ev, ctx)
  return ev.num_samples, f'{ev.num_samples:,} samples'


def log_cost(name: str, ev: ml_collections.ConfigDict, which: str, step: int, ctx) -> int:
  """Says what the evaluation will cost before it starts: its work and, once this run has
  timed an evaluation of this metric, the minutes at that rate. Returns its units."""
  units, what = cost(ev, ctx)
  rate = ctx.seconds_per_unit.get(ev.metric)
  estimate = (f'about {units * rate / 60:.1f} min at the rate of its last run'
              if rate else "time unknown until this run's first evaluation of this kind ends")
  logging.info('Evaluating %s (%s) of the %s generator at step %d: %s; %s.', name, ev.metric,
               which, step, what, estimate)
  return units


def evaluate(name: str, ev: ml_collections.ConfigDict, predict: dict, state, step: int,
             ctx, weights_protocol=lambda which: {}) -> list[dict]:
  """Runs evaluator `name` on the weights it names (ev.generator); one record per value,
  its protocol extended by weights_protocol(which) (Built.protocol: the frozen networks the
  training used, how G sampled). Logs each evaluation's cost before and its time after."""
  evaluator, prediction = EVALUATORS[ev.metric], needs(ev)
  records = []
  for which in (('ema', 'raw') if ev.generator == 'both' else (ev.generator,)):
    samples = lambda *inputs, which=which: predict[prediction](state, which, *inputs)
    units, start = log_cost(name, ev, which, step, ctx), time.perf_counter()
    values, protocol = evaluator.evaluate(ev, samples, which, ctx)
    seconds = time.perf_counter() - start
    ctx.seconds_per_unit[ev.metric] = seconds / max(units, 1)
    logging.info('Evaluated %s of the %s generator in %.1f min.', name, which, seconds / 60)
    protocol = {**protocol, **weights_protocol(which), 'generator': which, 'step': step}
    records += [{'eval': name, 'metric': metric, 'value': float(value), 'generator': which,
                 'step': step, 'protocol': protocol} for metric, value in values.items()]
  return records

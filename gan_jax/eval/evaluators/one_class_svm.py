"""metric='ocsvm': the non-GAN baseline of one-class anomaly detection, on the anomaly
evaluator's protocol in the same run: a one-class SVM (Schölkopf et al. 2001; RBF kernel,
scikit-learn's gamma='scale') fitted to the raw pixels of the normal training images
(config.data.classes of the train split), scoring each image of `split` by minus its
decision function (higher: more anomalous). It reads no prediction of the task, so the
baseline's number does not depend on the model or its weights."""
import numpy as np

from gan_jax.config.errors import ConfigError
from gan_jax.eval.evaluators import anomaly_detection

NEEDS = None  # The data only.
FIELDS = {'split': 'test',  # The split scored (every class): its first num_samples examples.
          'nu': 0.1,  # Upper bound on the fraction of training images outside the boundary.
          'fit_examples': 0}  # The first this many normal training images are fitted (0: all).
TINY = {'fit_examples': 256}


def check(name: str, ev, config) -> None:
  anomaly_detection.check(name, ev, config)
  if not 0.0 < ev.nu <= 1.0:
    raise ConfigError(f'config.evals.{name}.nu={ev.nu!r} must be in (0, 1].')
  if ev.fit_examples < 0:
    raise ConfigError(f'config.evals.{name}.fit_examples={ev.fit_examples!r} must be '
                      '>= 0 (0: every normal training image).')


check_data = anomaly_detection.check_data


def fit(ev, train_source):
  """The one-class SVM of the normal training images' pixels."""
  from sklearn.svm import OneClassSVM  # Only this baseline needs scikit-learn.
  num = train_source.num_examples
  num = min(ev.fit_examples, num) if ev.fit_examples else num
  images = train_source.read(np.arange(num))[0]
  return OneClassSVM(kernel='rbf', gamma='scale', nu=ev.nu).fit(images.reshape(num, -1)), num


def evaluate(ev, samples, which: str, ctx) -> tuple[dict, dict]:
  del samples, which
  svm, fitted = fit(ev, ctx.reference_source('train'))
  score = lambda batches: (-svm.decision_function(b.reshape(len(b), -1)) for b in batches)
  return anomaly_detection.rank(ev, score, ctx, {
      'method': 'ocsvm', 'kernel': 'rbf', 'gamma': 'scale', 'nu': ev.nu,
      'fitted_examples': fitted, 'features': 'raw pixels in [-1, 1]'})

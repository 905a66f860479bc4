"""Stacked MNIST's floor: the modes captured and the KL to uniform of N real stacked images
(three training digits as R, G and B, as configs/dcgan_stacked_mnist.py trains on), read by
the same classifier and metric as the `stacked_mnist` evaluator. With N = 26,000 the KL is
not 0: the draw of N from 1,000 modes and MNIST's unequal digit counts put a floor under it.

python scripts/stacked_mnist_real.py --manual_dir=../shared/data/mnist
"""
import functools
import json

from absl import app, flags
import numpy as np

from gan_jax.data import pipeline
from gan_jax.eval import classifier
from gan_jax.eval.metrics import stacked_mnist
from gan_jax.tools import sweep

FLAGS = flags.FLAGS
BATCH = 1_000


def score_real(source, predict_digits, num: int) -> dict:
  """The evaluator's statistics of the first `num` images of a stacked source, read by
  `predict_digits` and by their true labels."""
  codes, labels = [], []
  for start in range(0, num, BATCH):
    images, batch_labels = source.read(np.arange(start, min(start + BATCH, num)))
    codes.append(stacked_mnist.mode_codes(np.asarray(images, np.float32), predict_digits))
    labels.append(batch_labels)
  codes, labels = np.concatenate(codes), np.concatenate(labels)
  return {'num_real': num, 'read_by_the_classifier': stacked_mnist.mode_statistics(codes),
          'true_labels': stacked_mnist.mode_statistics(labels),
          'all_three_digits_read_right': float(np.mean(codes == labels))}


def main(argv):
  del argv
  config = sweep.load_config('configs/dcgan_stacked_mnist.py')
  config.data.manual_dir = FLAGS.manual_dir
  source = pipeline.create_source(config.data, FLAGS.seed)
  predict = functools.partial(classifier.predict, classifier.for_run(config, 'mnist')['params'])
  print(json.dumps(score_real(source, predict, FLAGS.num)))


if __name__ == '__main__':  # Flags only when run: tests import score_real beside other scripts.
  flags.DEFINE_string('manual_dir', None, 'Official MNIST files (offline).')
  flags.DEFINE_integer('num', 26_000, 'Real stacked images scored (PacGAN: 26,000 samples).')
  flags.DEFINE_integer('seed', 0, "The stacking's seed (config.seed).")
  app.run(main)

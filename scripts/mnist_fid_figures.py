"""FID/KID/precision-recall between real MNIST sets: the floor any MNIST GAN is judged against.

PYTHONPATH=. python scripts/mnist_fid_figures.py --manual_dir=../shared/data/mnist \
  --inception_weights=../shared/data/inception/fid_inception_v3_tf2015_pool3.npz

Pairs: train (first 10,000, and the first N of them for each N of --train_sizes) vs test
(10,000), and test[:5,000] vs test[5,000:] (only the latter with --splits=test). Fewer
samples bias FID upwards: --train_sizes=2000 is the floor of a 2,000-sample FID.
Features are cached per split in --cache_dir, so a rerun (or an interrupted
run) only computes what is missing. Prints and writes one JSON object.
"""
import json
import logging
from pathlib import Path

from absl import app, flags

from gan_jax.data import sources
from gan_jax.eval import feature_extraction
from gan_jax.eval.metrics import suite

FLAGS = flags.FLAGS
flags.DEFINE_string('manual_dir', None, 'Official MNIST files (offline).')
flags.DEFINE_string('data_dir', None, 'tfds data_dir.')
flags.DEFINE_string('inception_weights', None, '.npz or pytorch-fid .pth.')
flags.DEFINE_string('cache_dir', '~/.cache/gan_jax', 'Feature cache.')
flags.DEFINE_string('out', 'mnist_fid_figures.json', 'Where the JSON goes.')
flags.DEFINE_list('splits', ['test', 'train'], 'Splits to embed: test (needed), train.')
flags.DEFINE_list('train_sizes', [], 'Also train[:N] vs test for these N < 10,000.')


def main(argv):
  del argv
  cache = Path(FLAGS.cache_dir).expanduser()
  extractor = feature_extraction.InceptionFeatures(
      feature_extraction.resolve_weights(FLAGS.inception_weights, cache))
  features = {}
  for split in FLAGS.splits:
    source = sources.TfdsSource('mnist', split, FLAGS.data_dir, FLAGS.manual_dir, None, False)
    features[split] = feature_extraction.reference_features(
        source, 10_000, extractor,
        cache / 'reference_features' / f'mnist_{split}_10000_None_{extractor.sha256[:16]}.npy')
  test = features['test']
  pairs = {'test[:5000] vs test[5000:]': (test[:5000], test[5000:])}
  if 'train' in features:
    pairs['train[:10000] vs test'] = (features['train'], test)
    for size in map(int, FLAGS.train_sizes):
      pairs[f'train[:{size}] vs test'] = (features['train'][:size], test)
  result = {name: suite.feature_metrics(a, b, kid_subsets=100, kid_subset_size=1000,
                                        prdc_samples=10_000)
            for name, (a, b) in pairs.items()}
  result['protocol'] = {**extractor.protocol(), 'kid': '100 subsets of 1000', 'prdc': 'k=3',
                        'examples': 'tfds mnist 3.0.1 order, the first N of each split'}
  text = json.dumps(result, indent=2)
  Path(FLAGS.out).write_text(text)
  logging.info('Wrote %s', FLAGS.out)
  print(text)


if __name__ == '__main__':
  app.run(main)

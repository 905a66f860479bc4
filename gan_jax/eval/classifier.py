"""gan_jax's image classifiers: the MNIST digit classifier that Stacked MNIST's mode count
and label preservation rely on, the Fashion-MNIST one of label preservation, and `fit`, which
trains one on any labelled images (the Classification Accuracy Score trains it on generated
ones).

python -m gan_jax.classifier --manual_dir=../shared/data/mnist
trains the MNIST one (3 epochs: 99.29% test accuracy, 12 min on 2 shared CPU cores);
python -m gan_jax.classifier --dataset=fashion_mnist --manual_dir=../shared/data/fashion_mnist
the Fashion-MNIST one. Each is cached under ~/.cache/gan_jax/<dataset>_classifier/<fingerprint>
(or --cache_dir / $GAN_JAX_CACHE), keyed by the fingerprint of the training split it learnt:
a run on other data never loads it. A run (for_run) trains the one it needs at its first use
and caches it (load_or_train), unless config.stand_in_classifier (set by :tiny) gives it the
stand-in: the same network fitted in seconds and never cached (stand_in).
"""
import functools
import hashlib
import json
import logging
import os
from pathlib import Path

import flax.linen as nn
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
import orbax.checkpoint as ocp

from gan_jax.common import xla_options
from gan_jax.data import sources

DEFAULT_CACHE = Path(os.environ.get('GAN_JAX_CACHE', Path.home() / '.cache' / 'gan_jax'))
# The datasets a classifier is trained for, and the test accuracy it must reach to be cached
# (this network's after 3 epochs: MNIST 99.29%, Fashion-MNIST 91.79%).
REQUIRED_ACCURACY = {'mnist': 0.99, 'fashion_mnist': 0.90}
DATASETS = tuple(REQUIRED_ACCURACY)


class DigitClassifier(nn.Module):
  """Two 3x3 conv stages and a dense head: images in [-1, 1] (MNIST: 28x28x1) -> logits."""
  num_classes: int = 10

  @nn.compact
  def __call__(self, x):
    for features in (32, 64):
      x = nn.relu(nn.Conv(features, (3, 3))(x))
      x = nn.relu(nn.Conv(features, (3, 3))(x))
      x = nn.max_pool(x, (2, 2), (2, 2))
    x = nn.relu(nn.Dense(256)(x.reshape((x.shape[0], -1))))
    return nn.Dense(self.num_classes)(x)


def load_split(dataset: str, split: str, data_dir: str | None, manual_dir: str | None):
  source = sources.TfdsSource(dataset, split, data_dir, manual_dir, None, False)
  return source.read(np.arange(source.num_examples))


_ADAM = optax.scale_by_adam()  # Adam without its learning rate, which _train_step takes.


@functools.partial(jax.jit, static_argnums=0)
def _train_step(num_classes: int, params, opt_state, x, y, learning_rate):
  """One Adam update; compiled once per shape, so every fit of a process shares it."""
  loss_fn = lambda p: optax.softmax_cross_entropy_with_integer_labels(
      DigitClassifier(num_classes).apply({'params': p}, x), y).mean()
  updates, opt_state = _ADAM.update(jax.grad(loss_fn)(params), opt_state, params)
  return optax.apply_updates(params, jax.tree.map(lambda u: -learning_rate * u, updates)), (
      opt_state)


def fit(images: np.ndarray, labels: np.ndarray, num_classes: int, epochs: int,
        batch_size: int = 128, seed: int = 0, log_every_epoch=None):
  """A DigitClassifier trained with Adam (1e-3, cosine decay) on `images` in [-1, 1] for
  `epochs` epochs of batches in an order seeded by `seed`; returns its params.
  log_every_epoch(epoch, params): called after each epoch."""
  params = DigitClassifier(num_classes).init(jax.random.PRNGKey(seed), images[:1])['params']
  batch_size = min(batch_size, len(images))
  learning_rate = optax.cosine_decay_schedule(1e-3, max(epochs * (len(images) // batch_size), 1))
  opt_state, step = _ADAM.init(params), 0
  rng = np.random.default_rng(seed)
  for epoch in range(epochs):
    order = rng.permutation(len(images))
    for start in range(0, len(order) - batch_size + 1, batch_size):
      batch = order[start:start + batch_size]
      params, opt_state = _train_step(num_classes, params, opt_state, images[batch],
                                      labels[batch], learning_rate(step))
      step += 1
    if log_every_epoch is not None:
      log_every_epoch(epoch + 1, params)
  return params


def train_classifier(dataset: str, data_dir: str | None, manual_dir: str | None,
                     epochs: int = 3, batch_size: int = 128, seed: int = 0):
  """The classifier on `dataset`'s training split; returns (params, test accuracy)."""
  train_x, train_y = load_split(dataset, 'train', data_dir, manual_dir)
  test_x, test_y = load_split(dataset, 'test', data_dir, manual_dir)
  log = lambda epoch, params: logging.info('Epoch %d: test accuracy %.4f', epoch,
                                           accuracy(params, test_x, test_y))
  params = fit(train_x, train_y, 10, epochs, batch_size, seed, log)
  return params, accuracy(params, test_x, test_y)


@jax.jit
def predict(params, images):
  """Class of each image in [-1, 1] (the number of classes is read from the params)."""
  num_classes = params['Dense_1']['bias'].shape[0]
  return jnp.argmax(DigitClassifier(num_classes).apply({'params': params}, images), axis=-1)


def activations(params, images, layer: str):
  """The ReLU activations of the classifier's layer `layer` (a module name: 'Conv_0' ..
  'Conv_3', 'Dense_0') for images in [-1, 1]: the features of a content loss."""
  num_classes = params['Dense_1']['bias'].shape[0]
  _, state = DigitClassifier(num_classes).apply(
      {'params': params}, images, capture_intermediates=lambda module, _: module.name == layer,
      mutable=['intermediates'])
  return jax.nn.relu(state['intermediates'][layer]['__call__'][0])


def params_hash(params) -> str:
  """sha256 of a network's weights (their bytes in tree order): which frozen network a run
  used."""
  digest = hashlib.sha256()
  for leaf in jax.tree.leaves(params):
    digest.update(np.ascontiguousarray(np.asarray(leaf)).tobytes())
  return digest.hexdigest()


def accuracy(params, images, labels, batch_size: int = 1000) -> float:
  hits = sum(int(np.sum(np.asarray(predict(params, images[i:i + batch_size]))
                        == labels[i:i + batch_size]))
             for i in range(0, len(images), batch_size))
  return hits / len(images)


def fingerprint(dataset: str, data_dir: str | None, manual_dir: str | None) -> str:
  """Fingerprint of `dataset`'s training split in these folders: the classifier's cache key."""
  return sources.TfdsSource(dataset, 'train', data_dir, manual_dir, None, False).fingerprint


def _cache_path(cache_dir: Path, dataset: str, data_fingerprint: str) -> Path:
  """One classifier per training split it learnt: a foreign or stale one is never loaded."""
  return (Path(cache_dir) / f'{dataset}_classifier' / data_fingerprint[:16]).absolute()


def save(params, accuracy_value: float, cache_dir: Path, dataset: str,
         data_fingerprint: str) -> Path:
  path = _cache_path(cache_dir, dataset, data_fingerprint)
  with ocp.StandardCheckpointer() as checkpointer:  # Leaving waits for the async write.
    checkpointer.save(path / 'params', params, force=True)
  (path / 'record.json').write_text(json.dumps(
      {'test_accuracy': accuracy_value, 'data_fingerprint': data_fingerprint}))
  return path


def load(cache_dir: Path, dataset: str, data_fingerprint: str) -> dict:
  """{'params', 'test_accuracy', 'data_fingerprint'} of the classifier trained on the
  `dataset` split of `data_fingerprint`; a clear error says how to make it."""
  path = _cache_path(cache_dir, dataset, data_fingerprint)
  if not (path / 'record.json').exists():
    raise FileNotFoundError(
        f'No {dataset} classifier trained on this {dataset} (fingerprint '
        f'{data_fingerprint[:16]}) in {path.parent}. Train it once with: python -m '
        f'gan_jax.classifier --dataset={dataset} --manual_dir=../shared/data/{dataset} (omit '
        '--manual_dir with internet; pass the --data_dir and --cache_dir of the run).')
  like = DigitClassifier().init(jax.random.PRNGKey(0), jnp.zeros((1, 28, 28, 1)))['params']
  record = json.loads((path / 'record.json').read_text())
  return {**record, 'params': ocp.StandardCheckpointer().restore(path / 'params', like)}


def train_and_save(dataset: str, data_dir: str | None, manual_dir: str | None,
                   cache_dir: Path, epochs: int = 3) -> Path:
  """Trains `dataset`'s classifier and caches it if it reaches REQUIRED_ACCURACY."""
  params, test_accuracy = train_classifier(dataset, data_dir, manual_dir, epochs)
  required = REQUIRED_ACCURACY[dataset]
  if test_accuracy < required:
    raise RuntimeError(f'The {dataset} classifier reached test accuracy {test_accuracy:.4f} '
                       f'< {required}: not cached.')
  path = save(params, test_accuracy, cache_dir, dataset,
              fingerprint(dataset, data_dir, manual_dir))
  logging.info('%s classifier: test accuracy %.4f, cached in %s', dataset, test_accuracy, path)
  return path


def load_or_train(cache_dir: Path, dataset: str, data_dir: str | None,
                  manual_dir: str | None) -> dict:
  """load's record of the classifier of `dataset` in these folders, trained and cached first
  if there is none (once per dataset and cache: 3 epochs, ~12 min on 2 CPU cores)."""
  data_fingerprint = fingerprint(dataset, data_dir, manual_dir)
  try:
    return load(cache_dir, dataset, data_fingerprint)
  except FileNotFoundError:
    logging.warning('No cached %s classifier for this data: training it once now (3 epochs of '
                    'its training split, about 2 minutes each on a free CPU core, a line per '
                    'epoch), then caching it in %s for later runs.', dataset,
                    _cache_path(cache_dir, dataset, data_fingerprint))
  train_and_save(dataset, data_dir, manual_dir, cache_dir)
  return load(cache_dir, dataset, data_fingerprint)


STAND_IN_TRAIN = 2048  # The stand-in learns the first this many training images, one epoch,
STAND_IN_TEST = 1000  # and is tested on the first this many test images.
_stand_ins = {}  # (dataset, training split's fingerprint) -> record: fitted once per process.


def stand_in(dataset: str, data_dir: str | None, manual_dir: str | None) -> dict:
  """load's record of a DigitClassifier fitted in seconds (one epoch of the first
  STAND_IN_TRAIN training images of `dataset`), never written to nor read from the cache, so no
  later run can take it for the real one; record['stand_in'] names it, for protocols."""
  train = sources.TfdsSource(dataset, 'train', data_dir, manual_dir, None, False)
  key = dataset, train.fingerprint
  if key not in _stand_ins:
    test = sources.TfdsSource(dataset, 'test', data_dir, manual_dir, None, False)
    train_x, train_y = train.read(np.arange(min(STAND_IN_TRAIN, train.num_examples)))
    test_x, test_y = test.read(np.arange(min(STAND_IN_TEST, test.num_examples)))
    params = fit(train_x, train_y, 10, epochs=1)
    test_accuracy = accuracy(params, test_x, test_y)
    name = (f'stand-in: DigitClassifier fitted on {len(train_x)} {dataset} training images for '
            f'1 epoch ({test_accuracy:.1%} on the first {len(test_x)} test images), not the '
            f'cached {dataset} classifier (>= {REQUIRED_ACCURACY[dataset]:.0%}); never cached')
    logging.warning('config.stand_in_classifier (:tiny): the %s classifier is a %s. The '
                    'numbers it judges mean nothing.', dataset, name)
    _stand_ins[key] = {'params': params, 'test_accuracy': test_accuracy,
                       'data_fingerprint': key[1], 'stand_in': name}
  return _stand_ins[key]


def describe(record: dict, dataset: str) -> str:
  """The name of a classifier record for protocols: the stand-in's own, or the cached one's."""
  return record.get('stand_in', f'gan_jax.eval.classifier ({dataset})')


def for_run(config: ml_collections.ConfigDict, dataset: str) -> dict:
  """The classifier of `dataset` a run uses (evaluators, SRGAN's content loss), in its data
  folders: the stand-in when config.stand_in_classifier (:tiny), else the cached one of
  config.cache_dir, trained there first if missing (load_or_train)."""
  data = config.data
  if config.stand_in_classifier:
    return stand_in(dataset, data.data_dir, data.manual_dir)
  return load_or_train(Path(config.cache_dir).expanduser(), dataset, data.data_dir,
                       data.manual_dir)


def main(argv):
  del argv
  xla_options.set_cpu_flags()  # Before the first computation, as gan_jax.main does.
  sources.keep_tensorflow_off_accelerators()  # It prepares the data with TensorFlow.
  path = train_and_save(FLAGS.dataset, FLAGS.data_dir, FLAGS.manual_dir,
                        Path(FLAGS.cache_dir).expanduser(), FLAGS.epochs)
  print(f'{FLAGS.dataset} classifier cached in {path}')


if __name__ == '__main__':
  from absl import app, flags
  FLAGS = flags.FLAGS
  flags.DEFINE_enum('dataset', 'mnist', DATASETS, 'The tfds dataset it learns.')
  flags.DEFINE_string('manual_dir', None, "Folder with the dataset's official files (offline).")
  flags.DEFINE_string('data_dir', None, 'tfds data_dir.')
  flags.DEFINE_string('cache_dir', str(DEFAULT_CACHE), 'Where the classifier is cached.')
  flags.DEFINE_integer('epochs', 3, 'Training epochs.')
  app.run(main)

"""How varied and how sharp a GAN run's samples are, beside real training images: the mean
L2 distance from each image to its nearest neighbour among N (pixels in [0, 1]; lower = less
varied), the mean absolute difference of vertically adjacent pixels (lower = blurrier), and,
for MNIST and Fashion-MNIST, the class histogram gan_jax's classifier gives the samples
(resized to 28x28). Reads each run's config.json and restores G alone, so older checkpoints
work too. A low recall with a spread histogram means little variety within classes.

python scripts/sample_variety.py --num 500 WORKDIR [WORKDIR ...]
"""
import json
from pathlib import Path

from absl import app, flags
import jax
import numpy as np

from gan_jax.eval import classifier, context
from gan_jax.run import standalone
from gan_jax.training import checkpointing

FLAGS = flags.FLAGS
CLASSIFIED = ('mnist', 'fashion_mnist')


def nearest_neighbour_distance(images: np.ndarray) -> float:
  x = (images.reshape(len(images), -1).astype(np.float64) + 1) / 2
  squared = (x * x).sum(1)
  d = squared[:, None] + squared[None] - 2 * x @ x.T
  np.fill_diagonal(d, np.inf)
  return float(np.sqrt(np.maximum(d.min(1), 0)).mean())


def sharpness(images: np.ndarray) -> float:
  return float(np.abs(np.diff(images, axis=1)).mean() / 2)


def describe(images: np.ndarray) -> dict:
  return {'nearest_neighbour_l2': round(nearest_neighbour_distance(images), 3),
          'vertical_gradient': round(sharpness(images), 4)}


def variety(workdir: Path, num: int) -> dict:
  config = standalone.saved_config(workdir)
  built = standalone.build(config)
  step = checkpointing.latest_saved_step(workdir)
  state = built.state.replace(**checkpointing.restore_parts(
      workdir, step, ('g_params', 'ema_g_params', 'g_batch_stats'), built.state))
  samples = np.concatenate(list(built.predict['images'](state, 'ema', num)))[:num]
  real = context.reference_source(config, 'train').read(np.arange(num))[0]
  out = {'workdir': str(workdir), 'step': step, 'samples': describe(samples),
         'real': describe(real)}
  if config.data.name in CLASSIFIED:
    params = classifier.for_run(config, config.data.name)['params']
    small = jax.image.resize(samples, (num, 28, 28, samples.shape[-1]), 'bilinear')
    classes = np.asarray(classifier.predict(params, small))
    out['class_histogram'] = np.bincount(classes, minlength=10).tolist()
  return out


def main(argv):
  for workdir in argv[1:]:
    print(json.dumps(variety(Path(workdir), FLAGS.num)), flush=True)


if __name__ == '__main__':  # Flags only when run: tests import its functions beside other scripts.
  flags.DEFINE_integer('num', 500, 'Samples and real images compared.')
  app.run(main)

"""FID, KID, precision/recall and density/coverage between two sets of images.

python -m gan_jax.compare A B [--inception_weights=W] [--kid_subset_size=1000] [--num_images=N]

A and B are folders of PNG/JPEG files or .npz files with uint8 images (N, H, W, C)
under the key `images` (what `--mode sample` writes), or FILE.npz:KEY for another key
(`--mode translate`'s translations.npz:inputs, :outputs, :targets). Prints one JSON object.
"""
import json
from pathlib import Path

import numpy as np
from absl import app, flags
from PIL import Image

from gan_jax.data import sources
from gan_jax.eval import feature_extraction
from gan_jax.eval.metrics import suite

FLAGS = flags.FLAGS
flags.DEFINE_string('inception_weights', None, '.npz or pytorch-fid .pth (default: env/download).')
flags.DEFINE_string('cache_dir', '~/.cache/gan_jax', 'Where downloaded weights are cached.')
flags.DEFINE_integer('kid_subsets', 100, 'KID subsets.')
flags.DEFINE_integer('kid_subset_size', 1000, 'KID subset size (<= both set sizes).')
flags.DEFINE_integer('batch_size', 200, 'Images per Inception call.')
flags.DEFINE_integer('num_images', 0, 'Compare the first this many of each set (0: all).')


def load_images(path: str, num: int = 0) -> np.ndarray:
  """The first `num` (0: all) uint8 (N, H, W, C) images of a folder (all the same size), of
  an npz's `images`, or of the array KEY of FILE.npz:KEY."""
  file, _, key = path.rpartition(':') if '.npz:' in path else (path, '', 'images')
  p = Path(file)
  if p.suffix == '.npz':
    with np.load(p) as f:
      if key not in f:
        raise ValueError(f"{p} has no {key!r} array; arrays: {list(f.keys())}.")
      images = f[key]
  elif p.is_dir():
    files, _ = sources.list_images(p)
    sources.check_readable(files)
    images = np.stack([np.asarray(Image.open(f)) for f in files])
  else:
    raise ValueError(f'{path} is neither a folder of images nor an .npz file.')
  if images.dtype != np.uint8:
    raise ValueError(f'{path}: expected uint8 pixels, got {images.dtype}.')
  return (images[..., None] if images.ndim == 3 else images)[:num or None]


def compare(a: np.ndarray, b: np.ndarray, extractor, kid_subsets: int, kid_subset_size: int,
            batch_size: int) -> dict:
  """All metrics between image sets `a` (reference) and `b`."""
  features = [extractor((x[i:i + batch_size] for i in range(0, len(x), batch_size)), len(x), name)
              for x, name in ((a, 'A'), (b, 'B'))]
  return {**suite.feature_metrics(*features, kid_subsets, kid_subset_size, len(a) + len(b)),
          'protocol': {'num_a': len(a), 'num_b': len(b), **extractor.protocol(),
                       'kid': f'{kid_subsets} subsets of {kid_subset_size}', 'prdc': 'k=3'}}


def main(argv):
  if len(argv) != 3:
    raise app.UsageError('Usage: python -m gan_jax.compare A B')
  weights = feature_extraction.resolve_weights(FLAGS.inception_weights,
                                               Path(FLAGS.cache_dir).expanduser())
  extractor = feature_extraction.InceptionFeatures(weights)
  a, b = (load_images(path, FLAGS.num_images) for path in argv[1:])
  result = compare(a, b, extractor, FLAGS.kid_subsets, FLAGS.kid_subset_size, FLAGS.batch_size)
  print(json.dumps(result, indent=2))


if __name__ == '__main__':
  app.run(main)

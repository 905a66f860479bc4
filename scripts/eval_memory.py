"""Peak memory (RSS) of a large-N FID evaluation, phase by phase, each in its own process.

A FID evaluation has two phases: (1) Inception features of a stream of sample
batches, whose memory does not grow with N beyond 8 KB of features per sample;
(2) FID/KID/precision-recall on the features. Phase 1 at N = 50,000 takes about
an hour on a 2-core CPU, so it is measured at two smaller N (the difference
shows the growth per sample); phase 2 runs at the full N.

  PYTHONPATH=. python scripts/eval_memory.py extract --num=1000 \
    --inception_weights=../shared/data/inception/fid_inception_v3_tf2015_pool3.npz
  PYTHONPATH=. python scripts/eval_memory.py metrics --num=50000
  PYTHONPATH=. python scripts/eval_memory.py fid --num=10000 --workdir=/tmp/mnist \
    --manual_dir=../shared/data/mnist --inception_weights=...   # both phases, whole

Prints the phase, N and the peak RSS of the process in MiB.
"""
import resource

import numpy as np
from absl import app, flags

FLAGS = flags.FLAGS
flags.DEFINE_integer('num', 50_000, 'Generated samples.')
flags.DEFINE_integer('num_real', 10_000, 'Reference samples (metrics phase).')
flags.DEFINE_string('inception_weights', None, '.npz or .pth (extract and fid phases).')
flags.DEFINE_string('workdir', None, 'fid phase: a dcgan_mnist workdir with a checkpoint.')
flags.DEFINE_string('manual_dir', None, 'fid phase: the MNIST files.')


def peak_rss_mib() -> float:
  return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB.


def extract(num: int) -> None:
  from pathlib import Path
  from gan_jax.eval import feature_extraction
  extractor = feature_extraction.InceptionFeatures(Path(FLAGS.inception_weights))
  rng = np.random.default_rng(0)
  batches = (rng.integers(0, 256, (min(500, num - s), 28, 28, 1), np.uint8)
             for s in range(0, num, 500))  # MNIST-sized uint8 samples, as evaluation streams them.
  features = extractor(batches, num, 'random images')
  assert features.shape == (num, 2048)


def metrics(num: int) -> None:
  from gan_jax.eval.metrics import suite
  rng = np.random.default_rng(0)
  real = rng.normal(size=(FLAGS.num_real, 2048)).astype(np.float32)
  fake = rng.normal(size=(num, 2048)).astype(np.float32)
  suite.feature_metrics(real, fake, kid_subsets=100, kid_subset_size=1000, prdc_samples=10_000)


def fid(num: int) -> None:
  """The real evaluator on a DCGAN-MNIST checkpoint: N samples against the 10,000 test digits."""
  import importlib.util
  from pathlib import Path
  from gan_jax.eval import context, registry
  from gan_jax.run import standalone
  spec = importlib.util.spec_from_file_location('config', 'configs/dcgan_mnist.py')
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  config = module.get_config('tiny')
  config.data.manual_dir, config.inception_weights = FLAGS.manual_dir, FLAGS.inception_weights
  built, state = standalone.load_checkpoint(config, Path(FLAGS.workdir), None)
  ev = registry.eval_config('inception', every_steps=1, num_samples=num)
  records = registry.evaluate('fid', ev, built.predict, state, int(state.step),
                              context.EvalContext(config))
  print({r['metric']: round(r['value'], 4) for r in records})


def main(argv):
  phase = argv[1]
  {'extract': extract, 'metrics': metrics, 'fid': fid}[phase](FLAGS.num)
  print(f'{phase} N={FLAGS.num}: peak RSS {peak_rss_mib():.0f} MiB')


if __name__ == '__main__':
  app.run(main)

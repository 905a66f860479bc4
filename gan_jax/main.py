"""Command line: python -m gan_jax.main --config configs/X.py --workdir DIR [--config.a.b=v].

Intentionally short: flags only; gan_jax.train does the work.
"""
import logging
import sys

import jax
from absl import app, flags
from ml_collections import config_flags

FLAGS = flags.FLAGS
config_flags.DEFINE_config_file('config', None, 'A configs/*.py file (":tiny" for a smoke run).',
                                lock_config=True)
flags.DEFINE_string('workdir', None, 'Checkpoints, samples, TensorBoard events, config.json.')
flags.mark_flags_as_required(['config', 'workdir'])


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f'Unexpected arguments: {argv[1:]}')
  # TensorFlow is only the data loader: keep it off the accelerators JAX uses.
  import tensorflow as tf
  tf.config.set_visible_devices([], 'GPU')
  from gan_jax import data_sources, train, validation  # After TF is told: clu imports it.
  logging.info('JAX process %d/%d, local devices: %s', jax.process_index(), jax.process_count(),
               jax.local_devices())
  try:
    train.train_and_evaluate(FLAGS.config, FLAGS.workdir)
  except (validation.ConfigError, data_sources.DataError) as e:
    sys.exit(f'gan_jax: {e}')  # A user error: the message, not a traceback.


if __name__ == '__main__':
  app.run(main)

"""Command line: python -m gan_jax.main --config configs/X.py --workdir DIR [--config.a.b=v].

Intentionally short: flags only; gan_jax.run.loop does the work.
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
flags.DEFINE_string('mode', 'train', "train (or resume); eval: config.evals on a checkpoint; or "
                    "a mode of the task (gan: 'sample', grids and an npz of samples).")
flags.DEFINE_integer('step', None, 'eval/sample: the checkpoint step (default: the latest).')
flags.DEFINE_integer('num_samples', 10_000, 'sample: samples written to samples.npz.')
flags.DEFINE_enum('generator', 'ema', ['ema', 'raw'], 'sample: which generator.')
flags.DEFINE_float('truncation_psi', 1.0, 'sample: StyleGAN2 truncation trick, w pulled toward '
                   'its average by psi (1: off).')
flags.mark_flags_as_required(['config', 'workdir'])


class _HideOrbaxInfo(logging.Filter):
  """Orbax logs ~30 INFO lines per checkpoint; keep its warnings and errors only."""

  def filter(self, record):
    return record.levelno > logging.INFO or '/orbax/' not in record.pathname


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f'Unexpected arguments: {argv[1:]}')
  for handler in logging.getLogger().handlers:
    handler.addFilter(_HideOrbaxInfo())
  from gan_jax.config.errors import ConfigError
  from gan_jax.common import xla_options
  from gan_jax.run import standalone
  from gan_jax.training import distributed
  xla_options.set_cpu_flags()
  try:
    standalone.check_mode(FLAGS.config, FLAGS.mode)
    distributed.initialize(FLAGS.config.distributed)  # Before anything starts a JAX backend.
  except ConfigError as e:
    sys.exit(f'gan_jax: {e}')
  from gan_jax.data import sources
  sources.keep_tensorflow_off_accelerators()  # Before clu imports TensorFlow.
  from gan_jax.run import loop
  from gan_jax.training import checkpointing
  logging.info('JAX process %d/%d, local devices: %s', jax.process_index(), jax.process_count(),
               jax.local_devices())
  try:
    if FLAGS.mode == 'train':
      loop.train_and_evaluate(FLAGS.config, FLAGS.workdir)
    elif FLAGS.mode == 'eval':
      print(standalone.evaluate_checkpoint(FLAGS.config, FLAGS.workdir, FLAGS.step))
    else:
      print(standalone.run_mode(FLAGS.config, FLAGS.workdir, FLAGS.mode, FLAGS.step,
                                {'num_samples': FLAGS.num_samples,
                                 'generator': FLAGS.generator,
                                 'truncation_psi': FLAGS.truncation_psi}))
  except (ConfigError, sources.DataError, FileNotFoundError, checkpointing.CheckpointError,
          loop.DivergenceError) as e:
    sys.exit(f'gan_jax: {e}')  # The message, not a traceback; exit status 1.


def run():
  """The console script gan-jax-train (pyproject.toml): the same as python -m gan_jax.main."""
  app.run(main)


if __name__ == '__main__':
  run()

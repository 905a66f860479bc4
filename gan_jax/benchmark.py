"""How fast the train step of a config runs on this machine, in one command:

  python -m gan_jax.benchmark --config configs/dcgan_mnist.py --config.data.manual_dir=...
  python -m gan_jax.benchmark --config configs/dcgan_cifar10.py --data=synthetic --image_shape=32,32,3

Measures on the current backend: the train step's compile time; its steady
time and images/s on a synthetic batch already on the devices; model FLOPs per
step (gan_jax.flops: matmuls and convolutions, no products with inserted zeros)
and the GFLOP/s achieved; this machine's float32 matmul GFLOP/s; the input
pipeline alone (host batches/s) and the step fed by it, against synthetic.
The last line sums it up. Images/s counts generated images: batch size per step.
"""
import itertools
import logging
import time

import jax
import numpy as np
from absl import app, flags
from flax import jax_utils
from ml_collections import config_flags

from gan_jax import xla_options

FLAGS = flags.FLAGS
config_flags.DEFINE_config_file('config', None, 'A configs/*.py file.', lock_config=True)
flags.DEFINE_integer('steps', 50, 'Timed train steps (each measurement).')
flags.DEFINE_integer('warmup', 5, 'Untimed steps after the first (compiling) one.')
flags.DEFINE_enum('data', 'both', ['both', 'synthetic'],
                  'both: also time the real input pipeline; synthetic: only a fixed batch.')
flags.DEFINE_list('image_shape', None, 'Synthetic example shape, e.g. 32,32,3 (default: the '
                  "dataset's; needed when the data is not available here).")
flags.DEFINE_integer('matmul_size', 2048, 'Side of the square float32 matmul timed for the '
                     "machine's GFLOP/s.")
flags.mark_flags_as_required(['config'])


def matmul_gflops(size: int, repeats: int = 10) -> float:
  """Float32 GFLOP/s of one jitted size x size matmul on the default device (median)."""
  x = jax.random.normal(jax.random.PRNGKey(0), (size, size), jax.numpy.float32)
  matmul = jax.jit(lambda a, b: a @ b)
  matmul(x, x).block_until_ready()
  times = []
  for _ in range(repeats):
    start = time.perf_counter()
    matmul(x, x).block_until_ready()
    times.append(time.perf_counter() - start)
  return 2 * size**3 / np.median(times) / 1e9


def seconds_per_step(train_step, state, batches, steps: int):
  """(state, mean seconds of `steps` steps); dispatch is asynchronous, so block at the end."""
  start = time.perf_counter()
  for _ in range(steps):
    state, _, _ = train_step(state, next(batches))
  jax.block_until_ready(state)
  return state, (time.perf_counter() - start) / steps


def host_batches_per_second(source, config, steps: int) -> float:
  from gan_jax import input_pipeline
  start = time.perf_counter()
  for step in range(steps):
    input_pipeline.host_batch(source, step, config)
  return steps / (time.perf_counter() - start)


def main(argv):
  del argv
  xla_options.set_cpu_flags()  # Before anything starts a backend, as gan_jax.main does.
  # TensorFlow only reads data: keep it off the accelerators (as gan_jax.main does).
  import tensorflow as tf
  tf.config.set_visible_devices([], 'GPU')
  from gan_jax import data_sources, flops, input_pipeline, models, train, validation
  from gan_jax import train_step as train_step_lib

  config = FLAGS.config
  validation.check_config(config)
  source, unavailable = None, ''
  if FLAGS.data == 'both' or not FLAGS.image_shape:  # Synthetic with a shape needs no data.
    try:
      source = input_pipeline.create_source(config.data, config.seed)
    except data_sources.DataError as e:
      unavailable = str(e).splitlines()[0]
  if FLAGS.image_shape:
    data_shape = tuple(int(d) for d in FLAGS.image_shape)
  elif source is not None:
    data_shape = source.spec.shape
  else:
    raise app.UsageError(f'The data is not available here ({unavailable}); give --image_shape '
                         'for a synthetic-only benchmark.')
  devices = jax.local_device_count()
  num_classes = source.spec.num_classes if source is not None else None
  validation.check_data_fit(config, data_shape, num_classes, jax.process_count(), devices)
  device = jax.local_devices()[0]
  machine = f'{jax.default_backend()} x{devices} ({device.device_kind})'
  print(f'backend: {machine}; config batch {config.train.batch_size}, n_critic '
        f'{config.train.n_critic}, example shape {data_shape}')

  matmul = matmul_gflops(FLAGS.matmul_size)
  print(f'float32 matmul {FLAGS.matmul_size}^3: {matmul:.1f} GFLOP/s (one device)')

  _, _, g_tx, d_tx, state = train.create_gan(config, data_shape, num_classes)
  generator_pmap, discriminator_pmap = models.create_models(
      config.model, data_shape, num_classes or 0, axis_name=train_step_lib.AXIS,
      dtype=models.DTYPES[config.train.precision])
  step_fn = train_step_lib.make_step_fn(config, generator_pmap, discriminator_pmap, g_tx, d_tx)
  per_device = config.train.batch_size // jax.device_count()
  local_batch = {'image': np.random.default_rng(0).uniform(
      -1, 1, (devices, config.train.n_critic, per_device) + data_shape).astype(np.float32),
                 'label': np.zeros((devices, config.train.n_critic, per_device), np.int32)}
  step_flops = jax.device_count() * flops.flops(
      step_fn, jax.tree.map(lambda x: jax.ShapeDtypeStruct(np.shape(x), x.dtype), state),
      {k: jax.ShapeDtypeStruct(v.shape[1:], v.dtype) for k, v in local_batch.items()},
      axis_env=[(train_step_lib.AXIS, devices)])

  train_step = train_step_lib.pmap_step(step_fn)
  replicated = train_step_lib.replicate(state)
  synthetic = itertools.repeat(next(jax_utils.prefetch_to_device(
      iter([local_batch]), 1, axis_name=train_step_lib.AXIS)))
  start = time.perf_counter()
  replicated, _ = seconds_per_step(train_step, replicated, synthetic, 1)
  first_step = time.perf_counter() - start
  replicated, _ = seconds_per_step(train_step, replicated, synthetic, FLAGS.warmup)
  replicated, step_time = seconds_per_step(train_step, replicated, synthetic, FLAGS.steps)
  images_per_second = config.train.batch_size / step_time
  achieved = step_flops / step_time / 1e9
  # CPU "devices" forced by XLA_FLAGS share the same cores; accelerators each have their own.
  peak = matmul * (devices if jax.default_backend() != 'cpu' else 1)
  compile_time = first_step - step_time
  print(f'train step: compile {compile_time:.2f} s (first call {first_step:.2f} s); '
        f'{step_time * 1e3:.1f} ms/step, {images_per_second:.1f} images/s (synthetic batch)')
  print(f'model FLOPs: {step_flops / 1e9:.2f} GFLOP/step, {achieved:.1f} GFLOP/s achieved = '
        f'{achieved / peak:.0%} of matmul')

  real = ''
  if FLAGS.data == 'both':
    if source is None:
      real = f'; real data unavailable ({unavailable})'
      print(f'input pipeline: skipped, {unavailable}')
    else:
      # Untimed: a split held in memory is decoded at its first read, once per run.
      start = time.perf_counter()
      input_pipeline.host_batch(source, 0, config)
      first_batch = time.perf_counter() - start
      host_rate = host_batches_per_second(source, config, FLAGS.steps)
      batches = input_pipeline.batch_iterator(source, config, 0)
      replicated, _ = seconds_per_step(train_step, replicated, batches, FLAGS.warmup)
      replicated, real_time = seconds_per_step(train_step, replicated, batches, FLAGS.steps)
      overhead = real_time / step_time - 1
      print(f'input pipeline alone: first batch {first_batch:.2f} s, then {host_rate:.1f} '
            f'batches/s ({host_rate * config.train.batch_size:.0f} images/s on this host); '
            f'step on real data {real_time * 1e3:.1f} ms ({overhead:+.1%} vs synthetic)')
      real = f'; real data {real_time * 1e3:.1f} ms/step ({overhead:+.1%})'
  print(f'SUMMARY {machine}: compile {compile_time:.1f} s; {step_time * 1e3:.1f} ms/step, '
        f'{images_per_second:.0f} images/s; {step_flops / 1e9:.2f} GFLOP/step at '
        f'{achieved:.1f} GFLOP/s = {achieved / peak:.0%} of matmul '
        f'({matmul:.1f} GFLOP/s per device){real}')


if __name__ == '__main__':
  logging.getLogger('absl').setLevel(logging.WARNING)
  app.run(main)

"""How fast the train step of a config runs on this machine, in one command:

  python -m gan_jax.benchmark --config configs/dcgan_mnist.py --config.data.manual_dir=...
  python -m gan_jax.benchmark --config configs/dcgan_cifar10.py --data=synthetic --image_shape=32,32,3

Measures on the current backend: the train step's compile time; its steady
time and images/s on a synthetic batch already on the devices; model FLOPs per
step (gan_jax.flops: matmuls and convolutions, no products with inserted zeros)
and the GFLOP/s achieved; this machine's float32 matmul GFLOP/s; the input
pipeline alone (host batches/s) and the step fed by it, against synthetic.
The last line sums it up. Images/s: config.train.batch_size per step.
"""
import functools
import itertools
import logging
import time

import jax
import numpy as np
from absl import app, flags
from flax import jax_utils
from ml_collections import config_flags

from gan_jax.common import xla_options

FLAGS = flags.FLAGS
config_flags.DEFINE_config_file('config', None, 'A configs/*.py file.', lock_config=True)
flags.DEFINE_integer('steps', 50, 'Timed train steps (each measurement).')
flags.DEFINE_integer('warmup', 5, 'Untimed steps after the first (compiling) one.')
flags.DEFINE_enum('data', 'both', ['both', 'synthetic'],
                  'both: also time the real input pipeline; synthetic: only a fixed batch.')
flags.DEFINE_list('image_shape', None, 'Synthetic example shape, e.g. 32,32,3 (default: the '
                  "dataset's; needed when the data is not available here).")
flags.DEFINE_integer('num_classes', 10, 'Classes of the synthetic data (its labels are 0).')
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


def host_batches_per_second(streams: dict, config, steps: int) -> float:
  from gan_jax.data import pipeline
  start = time.perf_counter()
  for step in range(steps):
    pipeline.host_batches(streams, config.train.batch_size, step)
  return steps / (time.perf_counter() - start)


def synthetic_batch(draws: dict, specs: dict, devices: int, per_device: int,
                    image_fields: tuple[str, ...], field_shape) -> dict:
  """A local batch of every stream: uniform [-1, 1] images in each of image_fields (shaped
  field_shape(field, the stream's image shape)), label 0."""
  rng = np.random.default_rng(0)
  leading = lambda name: (devices, draws[name], per_device)
  shape = lambda name, field: leading(name) + field_shape(field, specs[name].shape)
  return {name: {**{field: rng.uniform(-1, 1, shape(name, field)).astype(np.float32)
                    for field in image_fields},
                 'label': np.zeros(leading(name), np.int32)}
          for name in draws}


def main(argv):
  del argv
  xla_options.set_cpu_flags()  # Before anything starts a backend, as gan_jax.main does.
  from gan_jax.data import sources
  sources.keep_tensorflow_off_accelerators()
  from gan_jax import tasks
  from gan_jax.run import checks
  from gan_jax.data import pipeline
  from gan_jax.tools import flops
  from gan_jax.training import parallel

  config = FLAGS.config
  checks.check_config(config)
  devices = jax.local_device_count()
  checks.check_devices(config, jax.process_count(), devices)
  task = tasks.get(config.task)
  draws = task.draws(config)
  streams, unavailable = None, ''
  if FLAGS.data == 'both' or not FLAGS.image_shape:  # Synthetic with a shape needs no data.
    try:
      streams = task.streams(config)
    except sources.DataError as e:
      unavailable = str(e).splitlines()[0]
  if FLAGS.image_shape:
    shape = tuple(int(d) for d in FLAGS.image_shape)
    specs = {name: sources.DataSpec(shape, FLAGS.num_classes) for name in draws}
  elif streams is not None:
    specs = {name: stream.source.spec for name, stream in streams.items()}
  else:
    raise app.UsageError(f'The data is not available here ({unavailable}); give --image_shape '
                         'for a synthetic-only benchmark.')
  task.check_data(config, specs, jax.device_count())
  device = jax.local_devices()[0]
  machine = f'{jax.default_backend()} x{devices} ({device.device_kind})'
  print(f'backend: {machine}; task {config.task}, config batch {config.train.batch_size}, '
        f'draws per step {draws}, example shapes '
        f'{ {name: spec.shape for name, spec in specs.items()} }')

  matmul = matmul_gflops(FLAGS.matmul_size)
  print(f'float32 matmul {FLAGS.matmul_size}^3: {matmul:.1f} GFLOP/s (one device)')

  built = task.build(config, specs, None if FLAGS.image_shape else streams)
  state = built.state
  per_device = config.train.batch_size // jax.device_count()
  local_batch = synthetic_batch(draws, specs, devices, per_device, task.image_fields,
                                functools.partial(task.field_shape, config))
  step_flops = jax.device_count() * flops.flops(
      built.step_fn, jax.tree.map(lambda x: jax.ShapeDtypeStruct(np.shape(x), x.dtype), state),
      jax.tree.map(lambda v: jax.ShapeDtypeStruct(v.shape[1:], v.dtype), local_batch),
      axis_env=[(parallel.AXIS, devices)])

  train_step = parallel.pmap_step(built.step_fn)
  replicated = parallel.replicate(state)
  synthetic = itertools.repeat(next(jax_utils.prefetch_to_device(
      iter([local_batch]), 1, axis_name=parallel.AXIS)))
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
    if streams is None:
      real = f'; real data unavailable ({unavailable})'
      print(f'input pipeline: skipped, {unavailable}')
    else:
      # Untimed: a split held in memory is decoded at its first read, once per run.
      start = time.perf_counter()
      pipeline.host_batches(streams, config.train.batch_size, 0)
      first_batch = time.perf_counter() - start
      host_rate = host_batches_per_second(streams, config, FLAGS.steps)
      batches = pipeline.batch_iterator(streams, config, 0)
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

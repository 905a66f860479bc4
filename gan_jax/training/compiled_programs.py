"""Releasing compiled programs, and the process figures that show whether they were released.

JAX's staging caches keep every compiled executable after the function that made it is
gone (a pmapped train step is a closure over its run's models and optimizers). On
XLA:CPU each executable holds its own memory mappings: ~340 for a small pmapped GAN
step, ~27 for a toy one. A process that compiles many runs (the test suite, a notebook,
a hyperparameter loop) reached Linux's default limit of 65,530 mappings and aborted.
"""
import gc

import jax


def release() -> None:
  """Drops every executable JAX caches and collects what held them. Programs still in use
  are compiled again at their next call (module-level jits, Inception)."""
  jax.clear_caches()
  gc.collect()


def process_memory() -> dict[str, int]:
  """This process's memory mappings (/proc/self/maps), resident MiB and threads (Linux)."""
  with open('/proc/self/maps') as f:
    mappings = sum(1 for _ in f)
  status = {}
  with open('/proc/self/status') as f:
    for line in f:
      key, _, value = line.partition(':')
      status[key] = value.split()
  return {'mappings': mappings, 'rss_mib': int(status['VmRSS'][0]) // 1024,
          'threads': int(status['Threads'][0])}

"""JAX's multi-host runtime: joining it, and agreeing on host-side decisions.

Every process runs the same program on its own local devices; pmap's
collectives span all of them. Process 0 (the chief) writes logs, pictures and
metrics; checkpoints are saved by all processes together (Orbax).
"""
import logging

import jax
import ml_collections
import numpy as np
from jax.experimental import multihost_utils

from gan_jax.config import fields
from gan_jax.config.errors import ConfigError

MODES = ('auto', 'on', 'off')  # config.distributed.mode


def initialize(distributed: ml_collections.ConfigDict) -> None:
  """Joins the multi-host runtime per config.distributed; call before any JAX computation.

  'auto' joins when a coordinator is named (config or $JAX_COORDINATOR_ADDRESS)
  or JAX detects a cluster (Cloud TPU pod, SLURM, Open MPI, Kubernetes), and
  otherwise runs as one process. 'on' requires it, 'off' never joins. Fields
  left None are filled in by JAX from the environment.
  """
  check(distributed)
  if distributed.mode == 'off':
    return
  # CPU devices of different processes talk through Gloo (TCP); GPUs and TPUs use their own.
  jax.config.update('jax_cpu_collectives_implementation', 'gloo')
  try:
    jax.distributed.initialize(coordinator_address=distributed.coordinator_address,
                               num_processes=distributed.num_processes,
                               process_id=distributed.process_id)
  except ValueError as e:  # Nothing named and no cluster detected.
    if distributed.mode == 'on' or 'coordinator_address' not in str(e):
      raise
    return
  logging.info('Joined the multi-host runtime: process %d of %d.', jax.process_index(),
               jax.process_count())


def is_chief() -> bool:
  return jax.process_index() == 0


def any_process(flag: bool) -> bool:
  """True on every process when `flag` is True on any (one cheap collective; free alone)."""
  if jax.process_count() == 1:
    return flag
  return bool(np.any(multihost_utils.process_allgather(np.asarray(flag))))


def barrier(name: str) -> None:
  """Waits until every process gets here (a no-op for one process)."""
  if jax.process_count() > 1:
    multihost_utils.sync_global_devices(name)


def check(distributed: ml_collections.ConfigDict) -> None:
  fields.one_of('distributed.mode', distributed.mode, MODES)
  n, i = distributed.num_processes, distributed.process_id
  if n is not None and n < 1:
    raise ConfigError(f'config.distributed.num_processes={n!r} must be >= 1.')
  if i is not None and not 0 <= i < (n if n is not None else float('inf')):
    raise ConfigError(f'config.distributed.process_id={i!r} must be in [0, num_processes={n}).')

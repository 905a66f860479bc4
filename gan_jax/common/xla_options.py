"""XLA:CPU options: which kernels run the networks' convolutions, and Inception's dots.

The pinned jaxlib's XLA:CPU hands dots, reductions and convolutions to YNNPACK
by default. Its own (Eigen) convolutions are faster for every network measured
on 2 cores: the DCGAN-32 train step 181-184 -> 163-166 ms, SNGAN-CIFAR's
21.1 -> 12.8 s (benchmarks/RESULTS.md). Both options are experimental ones of
that jaxlib; a name it does not know fails loudly at the first compile.
"""
import os

import jax

YNN_FUSIONS = 'xla_cpu_experimental_ynn_fusion_type'


def _fusions(*kinds: str) -> str:
  return ','.join(f'LIBRARY_FUSION_TYPE_{kind}' for kind in kinds)


# XLA:CPU's defaults (dots, single dots, convolutions, reductions) less the convolutions.
CPU_FLAGS = {YNN_FUSIONS: _fusions('DOT', 'INDIVIDUAL_DOT', 'REDUCE')}


def with_cpu_flags(xla_flags: str) -> str:
  """An XLA_FLAGS value plus those of CPU_FLAGS it does not set itself (the user's win)."""
  added = [f'--{name}={value}' for name, value in CPU_FLAGS.items()
           if f'--{name}=' not in xla_flags]
  return ' '.join([xla_flags.strip(), *added]).strip()


def set_cpu_flags() -> None:
  """CPU_FLAGS for this process's computations. XLA reads XLA_FLAGS once, when the first
  backend starts, so entry points call this before anything starts one. Other backends
  ignore these CPU flags."""
  os.environ['XLA_FLAGS'] = with_cpu_flags(os.environ.get('XLA_FLAGS', ''))


def inception() -> dict | None:
  """Compiler options for Inception alone: dots through YNNPACK (its many 1x1 convolutions
  become dots) and nothing else, 2.1-2.6x the images/s of the defaults, equal to 1e-6."""
  if jax.default_backend() != 'cpu':
    return None
  return {YNN_FUSIONS: _fusions('DOT')}

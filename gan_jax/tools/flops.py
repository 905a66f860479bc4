"""Model FLOPs of a JAX function: its matmuls and convolutions, without multiplications by zero.

XLA's cost analysis counts a convolution with `lhs_dilation` (the input gradient
of a strided convolution, or a transposed convolution written that way) over
the zeros it inserts: 4x too many for stride 2. Here each convolution counts
2 * output elements * kernel taps * input channels per group, divided by the
dilation factor, i.e. only the products with real inputs. Elementwise work
(activations, normalisation, the optimizer) is not counted, as is usual for
model FLOPs.
"""
import math
from typing import Callable

import jax
from jax.extend import core


def _conv_flops(eqn) -> float:
  lhs, rhs = (v.aval for v in eqn.invars)
  out = eqn.outvars[0].aval
  dims = eqn.params['dimension_numbers']
  kernel_spatial = math.prod(rhs.shape[d] for d in dims.rhs_spec[2:])
  in_per_group = rhs.shape[dims.rhs_spec[1]]  # The kernel's input-feature dimension.
  dilation = math.prod(eqn.params['lhs_dilation'])
  return 2.0 * math.prod(out.shape) * kernel_spatial * in_per_group / dilation


def _dot_flops(eqn) -> float:
  lhs, _ = (v.aval for v in eqn.invars)
  (contracting, _), _ = eqn.params['dimension_numbers']
  out = eqn.outvars[0].aval
  return 2.0 * math.prod(out.shape) * math.prod(lhs.shape[d] for d in contracting)


_COUNTERS = {'conv_general_dilated': _conv_flops, 'dot_general': _dot_flops}


def _sub_jaxprs(eqn):
  for value in eqn.params.values():
    for item in value if isinstance(value, (tuple, list)) else (value,):
      if isinstance(item, core.ClosedJaxpr):
        yield item.jaxpr
      elif isinstance(item, core.Jaxpr):
        yield item


def jaxpr_flops(jaxpr) -> float:
  """FLOPs of one execution of `jaxpr`: a scan's body counts `length` times, a conditional its
  most expensive branch (a step on which the lazy regularisers run; while loops, whose trip
  counts are unknown here, are not expected)."""
  total = 0.0
  for eqn in jaxpr.eqns:
    if eqn.primitive.name == 'while':
      raise NotImplementedError('while: trip counts are unknown here.')
    if eqn.primitive.name == 'cond':
      total += max(jaxpr_flops(branch.jaxpr) for branch in eqn.params['branches'])
      continue
    counter = _COUNTERS.get(eqn.primitive.name)
    if counter is not None:
      total += counter(eqn)
    repeats = eqn.params['length'] if eqn.primitive.name == 'scan' else 1
    for sub in _sub_jaxprs(eqn):
      total += repeats * jaxpr_flops(sub)
  return total


def flops(fn: Callable, *args, axis_env=None) -> float:
  """Model FLOPs of `fn(*args)` (args may be jax.ShapeDtypeStruct).

  `axis_env` [(name, size)] binds the axis names of collectives, for a function
  written to run inside pmap.
  """
  return jaxpr_flops(jax.make_jaxpr(fn, axis_env=axis_env)(*args).jaxpr)

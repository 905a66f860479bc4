"""Lazy regularisation (Karras et al. 2020, appendix B): a term computed on every k-th
update only, and weighted by k there, so its average pull is unchanged."""
from typing import Any, Callable

import jax
import jax.numpy as jnp


def zeros_like_result(fn: Callable[[], Any]) -> Any:
  """Zeros shaped as fn()'s result, without running it."""
  return jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), jax.eval_shape(fn))


def every_kth(index: jax.Array, interval: int, compute: Callable[[], Any],
              otherwise: Callable[[], Any] | None = None) -> Any:
  """compute() when index % interval == 0, else otherwise() (default: zeros shaped as
  compute's result). lax.cond runs only the branch taken, so the other updates do not pay for
  compute; interval 1 calls compute() directly."""
  if interval == 1:
    return compute()
  otherwise = otherwise or (lambda: zeros_like_result(compute))
  return jax.lax.cond(index % interval == 0, compute, otherwise)


def latest(index: jax.Array, interval: int, values: Any, last: Any) -> Any:
  """`values` where every_kth computed them at `index`, else `last`: what a log shows of a
  lazy term between two computations (its latest value, not zeros)."""
  if interval == 1:
    return values
  computed = index % interval == 0
  return jax.tree.map(lambda v, l: jnp.where(computed, v, l), values, last)

"""gan_jax.training.lazy: a term computed on every k-th update only."""
import jax
import jax.numpy as jnp
import numpy as np

from gan_jax.training import lazy


def test_every_kth_computes_on_multiples_of_the_interval_and_zeros_elsewhere():
  compute = lambda: {'a': jnp.float32(2.0), 'b': jnp.ones((2, 3), jnp.int32)}
  run = jax.jit(lambda i: lazy.every_kth(i, 3, compute))
  for index in range(7):
    out = run(index)
    due = index % 3 == 0
    assert float(out['a']) == (2.0 if due else 0.0)
    np.testing.assert_array_equal(out['b'], np.full((2, 3), int(due)))
    assert out['b'].dtype == jnp.int32


def test_every_kth_runs_compute_only_when_due():
  calls = []
  def compute():
    jax.debug.callback(lambda: calls.append(1))
    return jnp.float32(1.0)
  run = jax.jit(lambda i: lazy.every_kth(i, 4, compute))
  for index in range(8):
    jax.block_until_ready(run(index))
  jax.effects_barrier()
  assert len(calls) == 2  # Indices 0 and 4.


def test_every_kth_otherwise_and_interval_one():
  out = jax.jit(lambda i: lazy.every_kth(i, 2, lambda: jnp.float32(5.0),
                                         lambda: jnp.float32(-1.0)))
  assert float(out(1)) == -1.0 and float(out(2)) == 5.0
  # Interval 1: compute itself, no cond (so no branch to trace).
  assert float(lazy.every_kth(jnp.int32(7), 1, lambda: jnp.float32(3.0))) == 3.0


def test_latest_is_the_new_value_when_computed_else_the_last():
  values, last = {'r1': jnp.float32(2.0)}, {'r1': jnp.float32(7.0)}
  run = jax.jit(lambda i: lazy.latest(i, 4, values, last))
  assert [float(run(i)['r1']) for i in range(5)] == [2.0, 7.0, 7.0, 7.0, 2.0]
  assert lazy.latest(jnp.int32(3), 1, values, last) is values  # Interval 1: always computed.

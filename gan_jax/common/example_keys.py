"""Per-example randomness keyed by each example's index in the global batch.

Device d holds global examples d*batch ... d*batch + batch - 1, so noise drawn this way (and
hence a whole update) is the same on 1 device or N with the same global batch.
"""
import jax
import jax.numpy as jnp

from gan_jax.common.device_axis import AXIS


def per_example_keys(key: jax.Array, batch: int, axis_name: str | None = AXIS) -> jax.Array:
  """One key per example of this device's batch; axis_name None: outside pmap (one device)."""
  first = 0 if axis_name is None else jax.lax.axis_index(axis_name) * batch
  return jax.vmap(jax.random.fold_in, (None, 0))(key, first + jnp.arange(batch))


def per_example_normal(key: jax.Array, batch: int, shape: tuple[int, ...],
                       axis_name: str | None = AXIS) -> jax.Array:
  return jax.vmap(lambda k: jax.random.normal(k, shape))(per_example_keys(key, batch, axis_name))


def per_example_uniform(key: jax.Array, batch: int, shape: tuple[int, ...]) -> jax.Array:
  """U(0, 1) noise, per example as per_example_normal."""
  return jax.vmap(lambda k: jax.random.uniform(k, shape))(per_example_keys(key, batch))

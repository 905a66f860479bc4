"""Drawing samples from a trained G: jitted forward passes, fixed noise, streams."""
import functools
from typing import Iterator

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

# Noise streams: folded into the base key so they never overlap training noise.
SNAPSHOT_STREAM, EVAL_STREAM, INTERPOLATION_STREAM = 2, 3, 4


def fixed_noise(seed: int, num: int, z_dim: int, stream: int = SNAPSHOT_STREAM) -> jax.Array:
  """The same z every time it is asked for, so pictures and metrics compare across steps."""
  return jax.random.normal(jax.random.fold_in(jax.random.PRNGKey(seed), stream), (num, z_dim))


def balanced_labels(start: int, num: int, classes: int) -> np.ndarray:
  """Labels of samples start .. start + num - 1: classes in turn (zeros when unconditional)."""
  return (np.arange(start, start + num) % max(classes, 1)).astype(np.int32)


def make_generate_fn(generator: nn.Module):
  """generate(params, batch_stats, z, labels, use_batch_statistics) -> samples.

  Batch norm's running averages were collected with the raw G's weights; with
  the EMA weights they mismatch the activations and the samples degrade to
  noise. So EMA samples normalise with their own batch's statistics
  (use_batch_statistics=True); raw samples use the running averages.
  """
  @functools.partial(jax.jit, static_argnums=4)
  def generate(params, batch_stats, z, labels, use_batch_statistics):
    variables = {'params': params, 'batch_stats': batch_stats}
    if use_batch_statistics:
      return generator.apply(variables, z, labels, train=True, mutable=['batch_stats'])[0]
    return generator.apply(variables, z, labels, train=False)
  return generate


def make_discriminate_fn(discriminator: nn.Module):
  """discriminate(params, batch_stats, x, labels) -> D's logits (eval mode)."""
  @jax.jit
  def discriminate(params, batch_stats, x, labels):
    return discriminator.apply({'params': params, 'batch_stats': batch_stats}, x, labels,
                               train=False)[0]
  return discriminate


MAX_GRID_CLASSES = 20  # A conditional sample grid shows at most this many classes (rows).


def grid_inputs(seed: int, num: int, z_dim: int, classes: int):
  """(z, labels, rows) of the sample grid; rows None: a square grid of `num` samples.

  A conditional G gets one row per class, and column j uses the same noise in
  every row, so a row shows its class and a column one noise across classes.
  """
  if classes == 0:
    return fixed_noise(seed, num, z_dim), np.zeros((num,), np.int32), None
  rows = min(classes, MAX_GRID_CLASSES)
  cols = max(num // rows, 1)
  z = jnp.tile(fixed_noise(seed, cols, z_dim), (rows, 1))
  return z, np.repeat(np.arange(rows, dtype=np.int32), cols), rows


def generator_variables(state, which: str):
  """(params, batch_stats, use_batch_statistics) of the 'ema' or 'raw' generator."""
  if which == 'ema':
    return state.ema_g_params, state.g_batch_stats, True
  if which == 'raw':
    return state.g_params, state.g_batch_stats, False
  raise ValueError(f"Unknown generator {which!r}; accepted: ('ema', 'raw').")


def generate_from(generate, state, which: str, z: jax.Array, labels: np.ndarray) -> np.ndarray:
  """Samples of the 'ema' or 'raw' generator of `state` for noise `z` and class `labels`."""
  params, batch_stats, use_batch_statistics = generator_variables(state, which)
  return np.asarray(generate(params, batch_stats, z, labels, use_batch_statistics))


def sample_stream(generate, state, which: str, num: int, z_dim: int, seed: int,
                  classes: int = 0, batch_size: int = 500) -> Iterator[np.ndarray]:
  """`num` samples in batches of `batch_size`, from the fixed evaluation noise.

  The noise of batch b is drawn from fold_in(key, b), so no more than one
  batch is ever held, whatever `num` is. A conditional G (`classes` > 0)
  makes every class in turn, so metrics see the classes equally often.
  """
  key = jax.random.fold_in(jax.random.PRNGKey(seed), EVAL_STREAM)
  for b, start in enumerate(range(0, num, batch_size)):
    size = min(batch_size, num - start)
    z = jax.random.normal(jax.random.fold_in(key, b), (size, z_dim))
    yield generate_from(generate, state, which, z, balanced_labels(start, size, classes))


def labelled_sample_stream(generate, state, which: str, num: int, z_dim: int, seed: int,
                           classes: int, batch_size: int = 500):
  """sample_stream's batches with the class labels they were generated for: (images, labels)."""
  stream = sample_stream(generate, state, which, num, z_dim, seed, classes, batch_size)
  for start, images in zip(range(0, num, batch_size), stream):
    yield images, balanced_labels(start, len(images), classes)


def slerp(z0: jax.Array, z1: jax.Array, t: jax.Array) -> jax.Array:
  """Spherical interpolation, which keeps Gaussian noise at a typical norm (White 2016)."""
  cos = jnp.sum(z0 * z1, -1, keepdims=True) / (
      jnp.linalg.norm(z0, axis=-1, keepdims=True) * jnp.linalg.norm(z1, axis=-1, keepdims=True))
  omega = jnp.arccos(jnp.clip(cos, -1.0, 1.0))
  return (jnp.sin((1 - t) * omega) * z0 + jnp.sin(t * omega) * z1) / jnp.sin(omega)


def interpolation_noise(seed: int, rows: int, steps: int, z_dim: int) -> jax.Array:
  """rows x steps noise vectors: each row walks (slerp) from one random z to another."""
  key = jax.random.fold_in(jax.random.PRNGKey(seed), INTERPOLATION_STREAM)
  ends = jax.random.normal(key, (2, rows, 1, z_dim))
  t = jnp.linspace(0.0, 1.0, steps)[None, :, None]
  return slerp(ends[0], ends[1], t).reshape(rows * steps, z_dim)

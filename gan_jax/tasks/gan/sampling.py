"""Drawing samples from a trained G: jitted forward passes, fixed noise, streams."""
from typing import Iterator

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
from flax import traverse_util

from gan_jax.models.layers import BATCH_NORM_MOMENTUM

# Noise streams: folded into the base key so they never overlap training noise.
SNAPSHOT_STREAM, EVAL_STREAM, INTERPOLATION_STREAM = 2, 3, 4
STANDING_STREAM = 6  # 5 is latent_search's.


def fixed_noise(seed: int, num: int, z_dim: int, stream: int = SNAPSHOT_STREAM) -> jax.Array:
  """The same z every time it is asked for, so pictures and metrics compare across steps."""
  return jax.random.normal(jax.random.fold_in(jax.random.PRNGKey(seed), stream), (num, z_dim))


def balanced_labels(start: int, num: int, classes: int) -> np.ndarray:
  """Labels of samples start .. start + num - 1: classes in turn (zeros when unconditional)."""
  return (np.arange(start, start + num) % max(classes, 1)).astype(np.int32)


def make_generate_fn(generator: nn.Module):
  """generate(params, batch_stats, z, labels) -> samples of G in eval mode: batch norm uses
  the given statistics, so each sample depends on its own (z, label) alone, never on the
  rest of its batch (a grid, a stream and FID's batches render it identically)."""
  @jax.jit
  def generate(params, batch_stats, z, labels):
    return generator.apply({'params': params, 'batch_stats': batch_stats}, z, labels,
                           train=False)
  return generate


def is_batch_norm_statistic(path: tuple[str, ...]) -> bool:
  """A batch norm's running 'mean' or 'var' (batch_stats also holds spectral norm's u, sigma)."""
  return path[-1] in ('mean', 'var')


def has_batch_norm(batch_stats) -> bool:
  """Whether a network's batch_stats hold any batch norm's statistics."""
  return any(is_batch_norm_statistic(p) for p in traverse_util.flatten_dict(batch_stats))


def make_batch_moments_fn(generator: nn.Module):
  """moments(params, batch_stats, z, labels) -> {batch norm statistic's path: (mean, mean of
  squares)} of every batch norm of G in train mode on this batch.

  Flax's BatchNorm stores momentum * old + (1 - momentum) * batch value; from old = 0 the
  batch's own mean and (biased) variance are read back exactly, up to one rounding.
  """
  keep = 1.0 - BATCH_NORM_MOMENTUM

  @jax.jit
  def moments(params, batch_stats, z, labels):
    flat = traverse_util.flatten_dict(batch_stats)
    zeroed = {p: jnp.zeros_like(v) if is_batch_norm_statistic(p) else v for p, v in flat.items()}
    _, mutated = generator.apply({'params': params,
                                  'batch_stats': traverse_util.unflatten_dict(zeroed)},
                                 z, labels, train=True, mutable=['batch_stats'])
    new = traverse_util.flatten_dict(mutated['batch_stats'])
    out = {}
    for path in flat:
      if path[-1] == 'mean':
        mean = new[path] / keep
        variance = new[path[:-1] + ('var',)] / keep
        out[path[:-1]] = (mean, variance + jnp.square(mean))
    return out
  return moments


def standing_statistics(moments, params, batch_stats, z_dim: int, classes: int, seed: int,
                        num_batches: int, batch_size: int):
  """BigGAN's standing statistics (Brock et al. 2019): every batch norm's mean and variance
  over num_batches x batch_size samples of G in train mode (fixed noise, classes in turn),
  pooled over all of them; batch_stats with those in place of the running averages.
  Other batch_stats (spectral norm's) are kept as they are."""
  if not has_batch_norm(batch_stats):
    return batch_stats
  flat = traverse_util.flatten_dict(batch_stats)
  key = jax.random.fold_in(jax.random.PRNGKey(seed), STANDING_STREAM)
  totals = None
  for b in range(num_batches):
    z = jax.random.normal(jax.random.fold_in(key, b), (batch_size, z_dim))
    batch = moments(params, batch_stats, z, balanced_labels(b * batch_size, batch_size, classes))
    totals = batch if totals is None else jax.tree.map(jnp.add, totals, batch)
  for layer, (mean_sum, square_sum) in totals.items():
    mean = mean_sum / num_batches
    flat[layer + ('mean',)] = mean
    flat[layer + ('var',)] = jnp.maximum(square_sum / num_batches - jnp.square(mean), 0.0)
  return traverse_util.unflatten_dict(flat)


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


def generator_variables(state, which: str, standing) -> tuple:
  """(params, batch_stats) that G runs in eval mode with, of the 'ema' or 'raw' generator.

  The raw G uses batch norm's running averages from training. They were gathered with the
  raw weights, so they mismatch the EMA weights' activations (EMA samples degrade to noise
  with them): the EMA G uses standing(ema params, batch_stats), its own statistics
  (standing_statistics).
  """
  if which == 'ema':
    return state.ema_g_params, standing(state.ema_g_params, state.g_batch_stats)
  if which == 'raw':
    return state.g_params, state.g_batch_stats
  raise ValueError(f"Unknown generator {which!r}; accepted: ('ema', 'raw').")


def generate_from(generate, variables: tuple, z: jax.Array, labels: np.ndarray) -> np.ndarray:
  """Samples of G with `variables` (generator_variables) for noise `z` and class `labels`."""
  return np.asarray(generate(*variables, z, labels))


def sample_stream(generate, variables: tuple, num: int, z_dim: int, seed: int,
                  classes: int = 0, batch_size: int = 500) -> Iterator[np.ndarray]:
  """`num` samples of G with `variables` in batches of `batch_size`, from the fixed
  evaluation noise.

  The noise of batch b is drawn from fold_in(key, b), so no more than one
  batch is ever held, whatever `num` is. A conditional G (`classes` > 0)
  makes every class in turn, so metrics see the classes equally often.
  """
  key = jax.random.fold_in(jax.random.PRNGKey(seed), EVAL_STREAM)
  for b, start in enumerate(range(0, num, batch_size)):
    size = min(batch_size, num - start)
    z = jax.random.normal(jax.random.fold_in(key, b), (size, z_dim))
    yield generate_from(generate, variables, z, balanced_labels(start, size, classes))


def labelled_sample_stream(generate, variables: tuple, num: int, z_dim: int, seed: int,
                           classes: int, batch_size: int = 500):
  """sample_stream's batches with the class labels they were generated for: (images, labels)."""
  stream = sample_stream(generate, variables, num, z_dim, seed, classes, batch_size)
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

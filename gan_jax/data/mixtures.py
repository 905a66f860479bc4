"""The 2D Gaussian-mixture benchmarks of PacGAN (Lin et al. 2018), sampled in JAX.

ring: 8 modes at angle 2*pi*i/8 on the unit circle, sigma 0.01.
grid: 25 modes on {-4, -2, 0, 2, 4}^2, sigma 0.05.
"""
import functools

import jax
import jax.numpy as jnp
import numpy as np

MIXTURES = ('ring', 'grid')


def mixture_means(name: str) -> np.ndarray:
  if name == 'ring':
    angles = 2 * np.pi * np.arange(8) / 8
    return np.stack([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32)
  if name == 'grid':
    axis = np.array([-4.0, -2.0, 0.0, 2.0, 4.0], np.float32)
    return np.stack(np.meshgrid(axis, axis, indexing='ij'), axis=-1).reshape(-1, 2)
  raise ValueError(f'Unknown mixture {name!r}; accepted: {MIXTURES}.')


def mixture_std(name: str) -> float:
  return {'ring': 0.01, 'grid': 0.05}[name]


@functools.partial(jax.jit, static_argnums=(2,))
def sample_mixture(key: jax.Array, positions: jax.Array, name: str):
  """Sample number p is drawn from fold_in(key, p): any slice of the stream is reproducible.

  Returns (points (n, 2), mode index (n,)).
  """
  means = jnp.asarray(mixture_means(name))

  def one(p):
    mode_key, noise_key = jax.random.split(jax.random.fold_in(key, p))
    mode = jax.random.randint(mode_key, (), 0, means.shape[0])
    return means[mode] + mixture_std(name) * jax.random.normal(noise_key, (2,)), mode

  return jax.vmap(one)(positions)


def mode_coverage(samples: np.ndarray, name: str) -> dict[str, float]:
  """PacGAN's statistics of 2D samples.

  A sample is high quality when within 3 sigma of its nearest mean; a mode is
  captured when some high-quality sample is nearest to it; reverse KL is
  KL(nearest-mode histogram of all samples || uniform).
  """
  means, std = mixture_means(name), mixture_std(name)
  dists = np.linalg.norm(samples[:, None, :] - means[None, :, :], axis=-1)
  nearest = dists.argmin(axis=1)
  high_quality = dists.min(axis=1) <= 3 * std
  counts = np.bincount(nearest, minlength=len(means))
  p = counts / counts.sum()
  nonzero = p > 0
  return {
      'modes_captured': float(len(np.unique(nearest[high_quality]))),
      'high_quality_fraction': float(high_quality.mean()),
      'reverse_kl': float(np.sum(p[nonzero] * np.log(p[nonzero] * len(means)))),
  }

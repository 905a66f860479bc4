"""Kernel Inception Distance (Bińkowski et al. 2018): unbiased MMD^2, cubic kernel."""
import numpy as np


def polynomial_kernel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
  """k(x, y) = (x.y / d + 1)^3."""
  return (x @ y.T / x.shape[1] + 1.0)**3


def mmd2_unbiased(x: np.ndarray, y: np.ndarray) -> float:
  """Unbiased MMD^2: the diagonals k(x_i, x_i) are left out of the within-set means."""
  m, n = len(x), len(y)
  k_xx, k_yy, k_xy = polynomial_kernel(x, x), polynomial_kernel(y, y), polynomial_kernel(x, y)
  return float((k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
               + (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1)) - 2.0 * k_xy.mean())


def kernel_inception_distance(real: np.ndarray, fake: np.ndarray, num_subsets: int = 100,
                              subset_size: int = 1000, seed: int = 0) -> tuple[float, float]:
  """Mean and standard deviation of MMD^2 over random subsets of both sets."""
  real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
  if subset_size > min(len(real), len(fake)):
    raise ValueError(f'KID subset_size={subset_size} exceeds the smaller set '
                     f'({len(real)} real, {len(fake)} generated); lower subset_size or add samples.')
  if subset_size < 2:
    raise ValueError(f'KID subset_size={subset_size} must be >= 2.')
  rng = np.random.default_rng(seed)
  values = [mmd2_unbiased(real[rng.choice(len(real), subset_size, replace=False)],
                          fake[rng.choice(len(fake), subset_size, replace=False)])
            for _ in range(num_subsets)]
  return float(np.mean(values)), float(np.std(values))

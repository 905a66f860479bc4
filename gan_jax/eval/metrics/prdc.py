"""Improved precision/recall (Kynkäänniemi et al. 2019) and density/coverage (Naeem et al. 2020).

Each real (generated) sample gets a ball reaching its k-th nearest real
(generated) neighbour; the manifolds are the unions of those balls.
"""
import numpy as np

_CHUNK = 1024  # Rows of the distance matrix computed at once (bounded memory).


def _pairwise_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
  squared = (np.sum(a**2, axis=1)[:, None] - 2.0 * a @ b.T + np.sum(b**2, axis=1)[None, :])
  return np.sqrt(np.clip(squared, 0, None))


def kth_neighbour_radii(features: np.ndarray, k: int) -> np.ndarray:
  """Distance of each row to its k-th nearest other row."""
  if k >= len(features):
    raise ValueError(f'k={k} nearest neighbours need more than {len(features)} samples.')
  radii = np.empty(len(features))
  for start in range(0, len(features), _CHUNK):
    d = _pairwise_distances(features[start:start + _CHUNK], features)
    radii[start:start + _CHUNK] = np.partition(d, k, axis=1)[:, k]  # Column 0 is the row itself.
  return radii


def _ball_counts(points: np.ndarray, centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
  """For each point, how many balls (centre, radius) contain it."""
  counts = np.empty(len(points), np.int64)
  for start in range(0, len(points), _CHUNK):
    d = _pairwise_distances(points[start:start + _CHUNK], centres)
    counts[start:start + _CHUNK] = np.sum(d <= radii[None, :], axis=1)
  return counts


def precision_recall_density_coverage(real: np.ndarray, fake: np.ndarray,
                                      k: int = 3) -> dict[str, float]:
  """precision: fraction of fakes inside the real manifold; recall: reals inside the fake one;
  density: mean number of real balls holding a fake, over k; coverage: fraction of real balls
  holding at least one fake."""
  real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
  real_radii, fake_radii = kth_neighbour_radii(real, k), kth_neighbour_radii(fake, k)
  fakes_in_real = _ball_counts(fake, real, real_radii)
  covered = np.zeros(len(real), bool)
  for start in range(0, len(real), _CHUNK):
    d = _pairwise_distances(real[start:start + _CHUNK], fake)
    covered[start:start + _CHUNK] = d.min(axis=1) <= real_radii[start:start + _CHUNK]
  return {
      'precision': float(np.mean(fakes_in_real > 0)),
      'recall': float(np.mean(_ball_counts(real, fake, fake_radii) > 0)),
      'density': float(np.mean(fakes_in_real) / k),
      'coverage': float(np.mean(covered)),
  }

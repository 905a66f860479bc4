"""Fréchet Inception Distance (Heusel et al. 2017) between two Gaussians."""
import numpy as np


def trace_sqrt_product(cov1: np.ndarray, cov2: np.ndarray) -> float:
  """Tr(sqrt(cov1 cov2)) for symmetric PSD matrices, in float64.

  cov1 cov2 is similar to the symmetric PSD matrix S1^1/2 cov2 S1^1/2, whose
  eigenvalues are real and >= 0, so the trace is a sum of their square roots.
  This avoids scipy.linalg.sqrtm's complex round-off and its failures on
  singular matrices (fewer samples than dimensions).
  """
  values, vectors = np.linalg.eigh(np.asarray(cov1, np.float64))
  sqrt_cov1 = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
  middle = sqrt_cov1 @ np.asarray(cov2, np.float64) @ sqrt_cov1
  return float(np.sum(np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None))))


def frechet_distance(mean1: np.ndarray, cov1: np.ndarray, mean2: np.ndarray,
                     cov2: np.ndarray) -> float:
  """|m1 - m2|^2 + Tr(C1) + Tr(C2) - 2 Tr(sqrt(C1 C2))."""
  diff = np.asarray(mean1, np.float64) - np.asarray(mean2, np.float64)
  value = (diff @ diff + np.trace(cov1) + np.trace(cov2)
           - 2.0 * trace_sqrt_product(cov1, cov2))
  return float(max(value, 0.0))  # Round-off can leave -1e-10 for identical inputs.

"""Mean and covariance of features, accumulated batch by batch in float64.

FID needs only these two moments, so 50,000 samples never have to be held at once.
"""
import dataclasses

import numpy as np


@dataclasses.dataclass
class RunningMoments:
  """Sums of x and x x^T over the rows seen so far."""
  dim: int
  count: int = 0
  total: np.ndarray | None = None
  outer: np.ndarray | None = None

  def __post_init__(self):
    self.total = np.zeros(self.dim) if self.total is None else self.total
    self.outer = np.zeros((self.dim, self.dim)) if self.outer is None else self.outer

  def update(self, features: np.ndarray) -> None:
    features = np.asarray(features, np.float64)
    self.count += features.shape[0]
    self.total += features.sum(axis=0)
    self.outer += features.T @ features

  def mean_and_cov(self) -> tuple[np.ndarray, np.ndarray]:
    """The mean and the unbiased (n - 1) covariance, as numpy.cov gives them."""
    if self.count < 2:
      raise ValueError(f'Covariance needs at least 2 samples; got {self.count}.')
    mean = self.total / self.count
    cov = (self.outer - self.count * np.outer(mean, mean)) / (self.count - 1)
    return mean, cov

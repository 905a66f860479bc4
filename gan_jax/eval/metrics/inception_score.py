"""Inception Score (Salimans et al. 2016) from classifier logits."""
import numpy as np
from scipy.special import log_softmax


def inception_score(logits: np.ndarray, num_splits: int = 10) -> tuple[float, float]:
  """exp(E_x KL(p(y|x) || p(y))), mean and std over `num_splits` equal splits."""
  log_p = log_softmax(np.asarray(logits, np.float64), axis=1)
  scores = []
  for part in np.array_split(log_p, num_splits):
    log_marginal = np.log(np.mean(np.exp(part), axis=0))
    kl = np.sum(np.exp(part) * (part - log_marginal[None, :]), axis=1)
    scores.append(np.exp(np.mean(kl)))
  return float(np.mean(scores)), float(np.std(scores))

"""Ranking metrics for anomaly detection: AUROC and average precision of a score.

A higher score means "more likely positive" (anomalous). Both metrics only use the order of
the scores, and both follow scikit-learn's definitions exactly (ties included) so that
numbers are comparable with published ones, without making scikit-learn a dependency.
"""
import numpy as np
import scipy.stats


def _checked(scores: np.ndarray, is_positive: np.ndarray,
             metric: str) -> tuple[np.ndarray, np.ndarray]:
  """Scores as float64 and labels as bool, or a ValueError naming what is wrong."""
  scores, labels = np.asarray(scores), np.asarray(is_positive)
  if scores.ndim != 1 or labels.ndim != 1 or len(scores) != len(labels):
    raise ValueError(f'{metric} needs 1-D scores and is_positive of equal length; got shapes '
                     f'{scores.shape} and {labels.shape}.')
  if labels.dtype != bool:
    # Other label values (e.g. {1, 2} or {-1, 1}) would silently mean something else.
    if not np.all((labels == 0) | (labels == 1)):
      raise ValueError(f'{metric} needs is_positive as booleans or 0/1; got values '
                       f'{np.unique(labels)[:10]}.')
    labels = labels == 1
  if labels.all() or not labels.any():
    raise ValueError(f'{metric} needs both classes: is_positive has {int(labels.sum())} '
                     f'positives and {int((~labels).sum())} negatives.')
  scores = scores.astype(np.float64)
  if not np.all(np.isfinite(scores)):
    raise ValueError(f'{metric} needs finite scores; got {int((~np.isfinite(scores)).sum())} '
                     'NaN or infinite values.')
  return scores, labels


def auroc(scores: np.ndarray, is_positive: np.ndarray) -> float:
  """Area under the ROC curve: P(score of a positive > score of a negative), ties one half.

  That probability is the Mann-Whitney U statistic of the positives over n_pos * n_neg;
  average ranks give a tied positive/negative pair exactly one half, as the trapezoids of
  scikit-learn's roc_auc_score do.
  """
  scores, labels = _checked(scores, is_positive, 'AUROC')
  n_pos, n_neg = int(labels.sum()), int((~labels).sum())
  ranks = scipy.stats.rankdata(scores)  # Average ranks for ties, 1-based.
  u = ranks[labels].sum() - n_pos * (n_pos + 1) / 2.0
  return float(u / (n_pos * n_neg))


def average_precision(scores: np.ndarray, is_positive: np.ndarray) -> float:
  """AP = sum_n (R_n - R_{n-1}) P_n over distinct thresholds, highest first (R_0 = 0).

  scikit-learn's average_precision_score: tied scores form a single threshold, and the
  precision is not interpolated (a step function, not the trapezoidal area, which is
  optimistic).
  """
  scores, labels = _checked(scores, is_positive, 'Average precision')
  order = np.argsort(-scores, kind='stable')
  scores, labels = scores[order], labels[order]
  # The last index of each run of equal scores: one threshold per distinct score.
  last = np.r_[np.flatnonzero(np.diff(scores)), len(scores) - 1]
  true_pos = np.cumsum(labels)[last]
  precision = true_pos / (last + 1.0)
  recall = true_pos / true_pos[-1]
  return float(np.sum(np.diff(recall, prepend=0.0) * precision))

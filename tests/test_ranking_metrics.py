"""AUROC and average precision against hand counts, the Mann-Whitney U statistic, and
scikit-learn on random scores with many ties; their invariance and their errors."""
import numpy as np
import pytest
import scipy.stats
import sklearn.metrics

from gan_jax.eval.metrics import ranking


def random_case(seed: int) -> tuple[np.ndarray, np.ndarray]:
  """Scores rounded to a grid of 1, 1/2 or 1/3 (many ties, within and across the classes),
  positives scoring higher on average, a prevalence between 10% and 60%."""
  rng = np.random.default_rng(seed)
  n, steps_per_unit = int(rng.integers(60, 300)), int(rng.integers(1, 4))
  labels = rng.uniform(size=n) < rng.uniform(0.1, 0.6)
  labels[:2] = [True, False]  # Both classes, whatever the draw.
  raw = rng.normal(size=n) + labels * rng.uniform(0, 2)
  scores = np.round(raw * steps_per_unit) / steps_per_unit
  assert len(np.unique(scores)) < n / 2  # Many ties,
  assert np.intersect1d(scores[labels], scores[~labels]).size > 0  # some across the classes.
  return scores, labels


def test_hand_computed_values():
  # Positive pairs (pos, neg): 0.35 > 0.1, 0.35 < 0.4, 0.8 > both: 3 of 4.
  # Highest first: 0.8 P (R 1/2, P 1), 0.4 N, 0.35 P (R 1, P 2/3): AP = 1/2 + 1/2 * 2/3.
  scores, labels = [0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]
  assert ranking.auroc(scores, labels) == pytest.approx(0.75, rel=1e-12)
  assert ranking.average_precision(scores, labels) == pytest.approx(5 / 6, rel=1e-12)


def test_ties_count_one_half_and_form_one_threshold():
  # Positives 0.5 (index 2, inside the tied run) and 0.1; negatives 0.9, 0.5, 0.5, 0.5.
  # AUROC: 0.5 beats none, ties two (1/2 each); 0.1 beats none: (0 + 1/2 + 1/2 + 0) / 6 = 1/6.
  # AP thresholds: 0.9 (TP 0 of 1), 0.5 (TP 1 of 4: R 1/2, P 1/4), 0.1 (TP 2 of 5: R 1, P 2/5):
  # AP = 1/2 * 1/4 + 1/2 * 2/5 = 0.325. Ranking the tied samples one by one, in input order,
  # would give 1/2 * 1/3 + 1/2 * 2/5 instead.
  scores, labels = [0.9, 0.5, 0.5, 0.5, 0.1], [0, 0, 1, 0, 1]
  assert ranking.auroc(scores, labels) == pytest.approx(1 / 6, rel=1e-12)
  assert ranking.average_precision(scores, labels) == pytest.approx(0.325, rel=1e-12)


def test_all_scores_equal():
  # Every pair ties: AUROC 1/2. One threshold taking everything: R 1, P = positive fraction.
  labels = np.array([1, 0, 0, 1, 0])
  assert ranking.auroc(np.full(5, 0.3), labels) == 0.5
  assert ranking.average_precision(np.full(5, 0.3), labels) == pytest.approx(2 / 5, rel=1e-12)


def test_perfect_and_reversed_rankings():
  labels = np.array([False, False, True, True])
  perfect, reversed_ = np.array([1.0, 2.0, 3.0, 4.0]), np.array([4.0, 3.0, 2.0, 1.0])
  assert ranking.auroc(perfect, labels) == 1.0
  assert ranking.average_precision(perfect, labels) == 1.0
  assert ranking.auroc(reversed_, labels) == 0.0
  # Positives third and fourth: 1/2 * 1/3 + 1/2 * 2/4.
  assert ranking.average_precision(reversed_, labels) == pytest.approx(5 / 12, rel=1e-12)


@pytest.mark.parametrize('seed', range(5))
def test_auroc_is_mann_whitney_u_over_the_pair_count(seed):
  scores, labels = random_case(seed)
  u = scipy.stats.mannwhitneyu(scores[labels], scores[~labels]).statistic
  expected = u / (labels.sum() * (~labels).sum())
  assert ranking.auroc(scores, labels) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize('seed', range(10))
def test_matches_scikit_learn_with_many_ties(seed):
  scores, labels = random_case(100 + seed)
  assert ranking.auroc(scores, labels) == pytest.approx(
      sklearn.metrics.roc_auc_score(labels, scores), rel=1e-12, abs=1e-15)
  assert ranking.average_precision(scores, labels) == pytest.approx(
      sklearn.metrics.average_precision_score(labels, scores), rel=1e-12, abs=1e-15)
  # 0/1 integer labels and integer scores mean the same.
  int_labels = labels.astype(np.int64)
  assert ranking.auroc(scores, int_labels) == ranking.auroc(scores, labels)
  grid = np.round(scores * 10).astype(np.int64)
  assert ranking.average_precision(grid, int_labels) == pytest.approx(
      sklearn.metrics.average_precision_score(int_labels, grid), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize('seed', range(3))
def test_invariant_to_strictly_increasing_transforms(seed):
  scores, labels = random_case(200 + seed)
  # Each is strictly increasing on these scores (|s| < 10) with no float collapse of ties.
  transforms = [lambda s: np.exp(2 * s), lambda s: s**3 + s, lambda s: 5 * s - 7, np.arctan]
  for transform in transforms:
    assert ranking.auroc(transform(scores), labels) == pytest.approx(
        ranking.auroc(scores, labels), rel=1e-12)
    assert ranking.average_precision(transform(scores), labels) == pytest.approx(
        ranking.average_precision(scores, labels), rel=1e-12)
  # Reversing the order swaps wins and losses; ties stay one half.
  assert ranking.auroc(-scores, labels) == pytest.approx(1 - ranking.auroc(scores, labels),
                                                         rel=1e-12)


@pytest.mark.parametrize('metric', [ranking.auroc, ranking.average_precision])
def test_errors(metric):
  with pytest.raises(ValueError, match='1-D'):
    metric(np.zeros((2, 2)), np.array([[0, 1], [1, 0]]))
  with pytest.raises(ValueError, match='equal length'):
    metric([0.1, 0.2, 0.3], [0, 1])
  with pytest.raises(ValueError, match='both classes'):
    metric([0.1, 0.2, 0.3], [1, 1, 1])
  with pytest.raises(ValueError, match='both classes'):
    metric([0.1, 0.2, 0.3], [False, False, False])
  with pytest.raises(ValueError, match='both classes'):
    metric([], [])
  with pytest.raises(ValueError, match='finite'):
    metric([0.1, np.nan, 0.3], [0, 1, 0])
  with pytest.raises(ValueError, match='finite'):
    metric([0.1, np.inf, 0.3], [0, 1, 0])
  with pytest.raises(ValueError, match='0/1'):
    metric([0.1, 0.2, 0.3], [1, 2, 1])

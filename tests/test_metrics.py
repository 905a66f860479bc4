"""FID, KID, precision/recall/density/coverage and IS against closed forms and hand counts."""
import numpy as np
import pytest
import scipy.linalg

from gan_jax.eval.metrics import feature_stats, fid, inception_score, kid, prdc, stacked_mnist


def random_spd(rng, dim):
  a = rng.normal(size=(dim, dim))
  return a @ a.T + 0.1 * np.eye(dim)


def test_fid_of_diagonal_gaussians_closed_form():
  # Commuting covariances: Tr(sqrt(C1 C2)) = sum sqrt(a_i b_i).
  m1, m2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
  a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 1.0])
  expected = 1 + 0 + 4 + np.sum((np.sqrt(a) - np.sqrt(b))**2)  # = 5 + 1 + 1 + 4
  assert fid.frechet_distance(m1, np.diag(a), m2, np.diag(b)) == pytest.approx(expected, rel=1e-12)
  assert expected == 11.0


def test_fid_of_general_gaussians_matches_scipy_sqrtm():
  rng = np.random.default_rng(0)
  c1, c2 = random_spd(rng, 6), random_spd(rng, 6)
  m1, m2 = rng.normal(size=6), rng.normal(size=6)
  reference = np.sum((m1 - m2)**2) + np.trace(c1 + c2 - 2 * scipy.linalg.sqrtm(c1 @ c2).real)
  assert fid.frechet_distance(m1, c1, m2, c2) == pytest.approx(reference, rel=1e-9)


def test_fid_of_identical_and_singular_inputs():
  rng = np.random.default_rng(1)
  x = rng.normal(size=(5, 20))  # Fewer samples than dimensions: singular covariance.
  mean, cov = x.mean(0), np.cov(x, rowvar=False)
  assert fid.frechet_distance(mean, cov, mean, cov) == pytest.approx(0.0, abs=1e-9)


def test_fid_from_samples_approaches_closed_form():
  rng = np.random.default_rng(2)
  a = rng.normal(0.0, 1.0, size=(200_000, 2))
  b = rng.normal(3.0, 2.0, size=(200_000, 2))
  moments = [feature_stats.RunningMoments(2) for _ in range(2)]
  for m, x in zip(moments, (a, b)):
    for chunk in np.array_split(x, 7):
      m.update(chunk)
  value = fid.frechet_distance(*moments[0].mean_and_cov(), *moments[1].mean_and_cov())
  assert value == pytest.approx(2 * 3.0**2 + 2 * (1.0 - 2.0)**2, rel=0.01)  # 18 + 2 = 20.


def test_running_moments_equal_numpy():
  x = np.random.default_rng(3).normal(size=(101, 4))
  moments = feature_stats.RunningMoments(4)
  for chunk in np.array_split(x, 5):
    moments.update(chunk)
  mean, cov = moments.mean_and_cov()
  np.testing.assert_allclose(mean, x.mean(0), rtol=1e-12)
  np.testing.assert_allclose(cov, np.cov(x, rowvar=False), rtol=1e-10)


def test_mmd2_unbiased_by_hand():
  # 1-D, so k(x, y) = (x y + 1)^3; x = {0, 1}, y = {1, 2}.
  x, y = np.array([[0.0], [1.0]]), np.array([[1.0], [2.0]])
  k = lambda a, b: (a * b + 1.0)**3
  within_x = 2 * k(0, 1) / 2            # off-diagonal pairs (0,1), (1,0) over m(m-1) = 2
  within_y = 2 * k(1, 2) / 2
  between = (k(0, 1) + k(0, 2) + k(1, 1) + k(1, 2)) / 4
  assert kid.mmd2_unbiased(x, y) == pytest.approx(within_x + within_y - 2 * between)


def test_kid_is_unbiased_for_same_distribution():
  rng = np.random.default_rng(4)
  values = [kid.mmd2_unbiased(rng.normal(size=(20, 3)), rng.normal(size=(20, 3)))
            for _ in range(400)]
  standard_error = np.std(values) / np.sqrt(len(values))
  assert abs(np.mean(values)) < 3 * standard_error
  # The biased estimator (diagonals included) is clearly positive on the same draws.
  x, y = rng.normal(size=(20, 3)), rng.normal(size=(20, 3))
  biased = (kid.polynomial_kernel(x, x).mean() + kid.polynomial_kernel(y, y).mean()
            - 2 * kid.polynomial_kernel(x, y).mean())
  assert biased > kid.mmd2_unbiased(x, y)


def test_kid_identical_sets_near_zero_and_shift_positive():
  x = np.random.default_rng(5).normal(size=(300, 8))
  same, _ = kid.kernel_inception_distance(x, x, num_subsets=10, subset_size=100)
  shifted, _ = kid.kernel_inception_distance(x, x + 1.0, num_subsets=10, subset_size=100)
  assert abs(same) < 0.02 * shifted and shifted > 0.1


def test_kid_subset_larger_than_data_is_an_error():
  x = np.zeros((50, 4))
  with pytest.raises(ValueError, match='subset_size=100 exceeds the smaller set'):
    kid.kernel_inception_distance(x, x, subset_size=100)


def line(values):
  """Points on the x axis of the plane."""
  return np.stack([np.asarray(values, float), np.zeros(len(values))], axis=1)


def test_prdc_on_a_lattice_by_hand():
  # Real: 0..9 (k=3 radii 3,2,...,2,3); fake: 0..4 (radii 3,2,2,2,3).
  stats = prdc.precision_recall_density_coverage(line(range(10)), line(range(5)), k=3)
  assert stats['precision'] == 1.0          # Every fake sits on a real point.
  assert stats['recall'] == 0.8             # Reals 0..7 lie in fake balls (4 + radius 3 = 7).
  assert stats['coverage'] == 0.7           # Real balls 0..6 hold a fake (6: radius 2, fake 4).
  assert stats['density'] == pytest.approx((3 + 4 + 5 + 6 + 5) / 15)  # Real balls per fake / k.


def test_prdc_disjoint_and_identical_sets():
  real = np.random.default_rng(6).normal(size=(200, 5))
  far = prdc.precision_recall_density_coverage(real, real + 100.0)
  assert far == {'precision': 0.0, 'recall': 0.0, 'density': 0.0, 'coverage': 0.0}
  same = prdc.precision_recall_density_coverage(real, real)
  assert same['precision'] == same['recall'] == same['coverage'] == 1.0


def test_inception_score_closed_forms():
  confident = np.full((10, 5), -50.0)
  confident[np.arange(10), np.arange(10) % 5] = 50.0  # Sure, and spread evenly over 5 classes.
  assert inception_score.inception_score(confident, num_splits=1)[0] == pytest.approx(5.0, rel=1e-6)
  one_class = np.zeros((10, 5))
  one_class[:, 2] = 50.0
  assert inception_score.inception_score(one_class, num_splits=1)[0] == pytest.approx(1.0)


def test_stacked_mnist_mode_statistics_by_hand():
  codes = np.array([0, 0, 999, 123])  # 3 modes; p = (1/2, 1/4, 1/4).
  stats = stacked_mnist.mode_statistics(codes)
  assert stats['modes_captured'] == 3
  expected = 0.5 * np.log(0.5 * 1000) + 2 * 0.25 * np.log(0.25 * 1000)
  assert stats['kl_to_uniform'] == pytest.approx(expected)
  assert stacked_mnist.mode_statistics(np.arange(1000))['kl_to_uniform'] == pytest.approx(0.0)


def test_stacked_mnist_codes_read_each_channel():
  # A stand-in classifier: the digit is the image's mean brightness bucket.
  predict = lambda x: np.clip(((x.mean(axis=(1, 2, 3)) + 1) * 5).astype(int), 0, 9)
  digits = np.array([[1, 2, 3], [9, 0, 5]])
  images = np.stack([np.stack([np.full((32, 32), (d + 0.5) / 5 - 1) for d in row], -1)
                     for row in digits])  # 32x32: resized to 28x28 first.
  np.testing.assert_array_equal(stacked_mnist.mode_codes(images, predict), [123, 905])

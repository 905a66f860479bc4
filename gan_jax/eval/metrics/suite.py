"""All feature-based metrics of two feature sets at once."""
import numpy as np

from gan_jax.eval.metrics import feature_stats, fid, kid, prdc


def feature_metrics(real: np.ndarray, fake: np.ndarray, kid_subsets: int, kid_subset_size: int,
                    prdc_samples: int) -> dict[str, float]:
  """FID, KID (mean, std) and precision/recall/density/coverage (k=3, first prdc_samples)."""
  moments = []
  for features in (real, fake):
    m = feature_stats.RunningMoments(features.shape[1])
    m.update(features)
    moments.append(m.mean_and_cov())
  kid_mean, kid_std = kid.kernel_inception_distance(real, fake, kid_subsets, kid_subset_size)
  n = min(prdc_samples, len(real), len(fake))
  return {'fid': fid.frechet_distance(*moments[0], *moments[1]), 'kid': kid_mean,
          'kid_std': kid_std, **prdc.precision_recall_density_coverage(real[:n], fake[:n], k=3)}

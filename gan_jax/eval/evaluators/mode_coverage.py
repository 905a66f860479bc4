"""metric='mode_coverage': PacGAN's statistics of generated 2D points of a mixture: modes
captured, fraction of high-quality samples, reverse KL of the mode histogram."""
import numpy as np

from gan_jax.data import mixtures

NEEDS = 'points'
FIELDS = {}
TINY = {}


def evaluate(ev, samples, which: str, ctx) -> tuple[dict, dict]:
  del which
  points = np.concatenate(list(samples(ev.num_samples)))
  return (mixtures.mode_coverage(points, ctx.config.data.name),
          {'mixture': ctx.config.data.name, 'num_generated': ev.num_samples,
           'fingerprint': ctx.reference_source(ctx.config.data.split).fingerprint,
           'high_quality': 'within 3 sigma of the nearest mean (PacGAN)'})

"""What the GAN task shows every eval_every_steps: a sample grid, or the 2D plot."""
import jax
import numpy as np

from gan_jax.common import plots
from gan_jax.data import mixtures


def sample_grid(samples: np.ndarray, rows: int | None = None) -> np.ndarray:
  """A square grid, or `rows` rows (one per class of a conditional G)."""
  return plots.image_grid(samples) if rows is None else plots.image_rows(samples, rows)


def decision_surface(step: int, d_params, d_batch_stats, generated: np.ndarray,
                     real: np.ndarray, mixture: str, discriminate, pack: int = 1) -> np.ndarray:
  """Real vs generated points over D's decision surface, titled with mode coverage.

  The surface is D(x) at each point x; a packed D (PacGAN) sees [x, x, ..., x],
  a conditional D the label 0.
  """
  limit = 1.5 * np.abs(mixtures.mixture_means(mixture)).max()
  xs, ys = np.meshgrid(np.linspace(-limit, limit, 150), np.linspace(-limit, limit, 150))
  grid_points = np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float32)
  d_input = np.tile(grid_points, (1, pack))
  labels = np.zeros((len(grid_points),), np.int32)
  d_prob = jax.nn.sigmoid(discriminate(d_params, d_batch_stats, d_input, labels))
  coverage = mixtures.mode_coverage(generated, mixture)
  title = (f'step {step}: {coverage["modes_captured"]:.0f}/{len(mixtures.mixture_means(mixture))} '
           f'modes, {100 * coverage["high_quality_fraction"]:.1f}% high quality')
  return plots.decision_surface_plot(real, generated, xs, ys,
                                     np.asarray(d_prob).reshape(xs.shape), title)

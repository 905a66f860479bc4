"""What the trainer shows every eval_every_steps: a sample grid or the 2D plot."""
from pathlib import Path

import jax
import numpy as np
from clu import metric_writers

from gan_jax import mixtures, plots
from gan_jax.state import GANState


def write_sample_grid(writer: metric_writers.MetricWriter, workdir: Path, step: int,
                      samples: np.ndarray, rows: int | None = None) -> None:
  """A square grid, or `rows` rows (one per class of a conditional G)."""
  grid = plots.image_grid(samples) if rows is None else plots.image_rows(samples, rows)
  plots.save_png(grid, workdir / 'samples' / f'step_{step:07d}.png')
  writer.write_images(step, {'samples': grid[None]})


def write_2d_snapshot(writer: metric_writers.MetricWriter, workdir: Path, step: int,
                      state: GANState, generated: np.ndarray, real: np.ndarray, mixture: str,
                      discriminate, pack: int = 1) -> None:
  """Plots real vs generated points over D's decision surface, titled with mode coverage.

  The surface is D(x) at each point x; a packed D (PacGAN) sees [x, x, ..., x],
  a conditional D the label 0.
  """
  limit = 1.5 * np.abs(mixtures.mixture_means(mixture)).max()
  xs, ys = np.meshgrid(np.linspace(-limit, limit, 150), np.linspace(-limit, limit, 150))
  grid_points = np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float32)
  d_input = np.tile(grid_points, (1, pack))
  labels = np.zeros((len(grid_points),), np.int32)
  d_prob = jax.nn.sigmoid(discriminate(state.d_params, state.d_batch_stats, d_input, labels))
  coverage = mixtures.mode_coverage(generated, mixture)
  title = (f'step {step}: {coverage["modes_captured"]:.0f}/{len(mixtures.mixture_means(mixture))} '
           f'modes, {100 * coverage["high_quality_fraction"]:.1f}% high quality')
  picture = plots.decision_surface_plot(real, generated, xs, ys,
                                        np.asarray(d_prob).reshape(xs.shape), title)
  plots.save_png(picture, workdir / 'samples' / f'step_{step:07d}.png')
  writer.write_images(step, {'decision_surface': picture[None]})

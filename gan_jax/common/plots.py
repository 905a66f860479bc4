"""Pictures of training: sample grids, the 2D decision-surface plot, loss curves."""
import math
from pathlib import Path

import matplotlib

matplotlib.use('Agg')  # Headless: figures are only ever written to files.
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from gan_jax.common.pixels import to_uint8  # noqa: E402


def image_grid(images: np.ndarray) -> np.ndarray:
  """(N, H, W, C) floats in [-1, 1] -> one uint8 square-ish picture, 1px gaps."""
  cols = math.ceil(math.sqrt(len(images)))
  return image_rows(images, math.ceil(len(images) / cols))


def image_rows(images: np.ndarray, rows: int) -> np.ndarray:
  """(N, H, W, C) floats in [-1, 1] -> `rows` rows of N / rows images, 1px gaps."""
  n, h, w, c = images.shape
  cols = math.ceil(n / rows)
  grid = np.zeros((rows * (h + 1) + 1, cols * (w + 1) + 1, c), np.uint8)
  for i, image in enumerate(to_uint8(images)):
    r, q = divmod(i, cols)
    grid[1 + r * (h + 1):1 + r * (h + 1) + h, 1 + q * (w + 1):1 + q * (w + 1) + w] = image
  return grid


def column_rows(*columns: np.ndarray) -> np.ndarray:
  """One row per example, one column per array (N, H, W, C): floats in [-1, 1] or uint8
  (a translation's input | output | target); smaller images (super-resolution's inputs)
  repeated up to the largest, nearest-neighbour."""
  as_float = lambda x: x.astype(np.float32) / 127.5 - 1.0 if x.dtype == np.uint8 else x
  height = max(column.shape[1] for column in columns)
  upscaled = lambda x: x.repeat(height // x.shape[1], 1).repeat(height // x.shape[1], 2)
  stacked = np.stack([upscaled(as_float(column)) for column in columns], axis=1)
  return image_rows(stacked.reshape((-1,) + stacked.shape[2:]), len(columns[0]))


def save_png(picture: np.ndarray, path: Path) -> None:
  path.parent.mkdir(parents=True, exist_ok=True)
  Image.fromarray(picture[..., 0] if picture.shape[-1] == 1 else picture).save(path)


def _figure_to_array(fig) -> np.ndarray:
  fig.canvas.draw()
  picture = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
  plt.close(fig)
  return picture


def decision_surface_plot(real: np.ndarray, fake: np.ndarray, xs: np.ndarray, ys: np.ndarray,
                          d_prob: np.ndarray, title: str) -> np.ndarray:
  """Real and generated 2D points over D's output sigmoid(D(x)) on a grid, as in GAN Lab."""
  fig, ax = plt.subplots(figsize=(6, 6), dpi=100)
  surface = ax.contourf(xs, ys, d_prob, levels=np.linspace(0, 1, 21), cmap='RdBu_r', alpha=0.6)
  fig.colorbar(surface, ax=ax, fraction=0.046, pad=0.04, label='D(x) = sigmoid(logit)')
  ax.scatter(real[:, 0], real[:, 1], s=4, c='black', label='real')
  ax.scatter(fake[:, 0], fake[:, 1], s=4, c='orange', alpha=0.6, label='generated')
  ax.set_xlim(xs.min(), xs.max())
  ax.set_ylim(ys.min(), ys.max())
  ax.set_aspect('equal')
  ax.legend(loc='upper right')
  ax.set_title(title)
  return _figure_to_array(fig)


def loss_curve_names(history: dict[int, dict[str, float]]) -> list[str]:
  """Every train metric the task logged (losses, penalties, D outputs), except those that
  stayed 0 (a penalty that is off)."""
  names = sorted({name for record in history.values() for name in record})
  return [name for name in names
          if np.any(np.nan_to_num([record.get(name, np.nan) for record in history.values()]))]


def loss_curve_plot(history: dict[int, dict[str, float]]) -> np.ndarray:
  """loss_curve_names' metrics against the step."""
  steps = np.array(list(history))
  fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
  for name in loss_curve_names(history):
    ax.plot(steps, [record.get(name, np.nan) for record in history.values()], label=name)
  ax.set_xlabel('step')
  ax.set_ylabel('value')
  ax.legend()
  ax.grid(alpha=0.3)
  return _figure_to_array(fig)

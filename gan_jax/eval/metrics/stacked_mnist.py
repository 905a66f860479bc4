"""Stacked MNIST mode counting (Srivastava et al. 2017; PacGAN's protocol).

A sample's mode is the triple of digits a pretrained MNIST classifier reads in
its R, G and B channels: 1,000 modes in all.
"""
from typing import Callable

import jax
import numpy as np

NUM_MODES = 1000


def mode_statistics(codes: np.ndarray) -> dict[str, float]:
  """Modes captured (>= 1 sample) and KL(mode histogram || uniform over 1,000)."""
  counts = np.bincount(codes, minlength=NUM_MODES)
  p = counts / counts.sum()
  nonzero = p > 0
  return {'modes_captured': float(np.count_nonzero(counts)),
          'kl_to_uniform': float(np.sum(p[nonzero] * np.log(p[nonzero] * NUM_MODES)))}


def mode_codes(images: np.ndarray, predict_digits: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
  """100 * digit(R) + 10 * digit(G) + digit(B) for (N, H, W, 3) images in [-1, 1].

  `predict_digits` maps (M, 28, 28, 1) images to M digits; other sizes are
  resized (bilinear) to 28x28 first.
  """
  n, height, width, _ = images.shape
  channels = np.moveaxis(images, -1, 1).reshape(n * 3, height, width, 1)
  if (height, width) != (28, 28):
    channels = np.asarray(jax.image.resize(channels, (n * 3, 28, 28, 1), 'bilinear'))
  digits = np.asarray(predict_digits(channels)).reshape(n, 3)
  return digits @ np.array([100, 10, 1])

"""Model outputs in [-1, 1] as the uint8 pixels image files and Inception take."""
import numpy as np


def to_uint8(images: np.ndarray) -> np.ndarray:
  """[-1, 1] floats -> uint8 pixels, rounded as image files store them."""
  return np.clip(np.round((np.asarray(images) + 1.0) * 127.5), 0, 255).astype(np.uint8)

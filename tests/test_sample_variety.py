"""scripts/sample_variety.py's measures, by hand."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

spec = importlib.util.spec_from_file_location(
    'sample_variety', Path(__file__).parents[1] / 'scripts' / 'sample_variety.py')
sample_variety = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sample_variety)


def test_nearest_neighbour_distance_in_unit_pixels():
  # Pixels in [-1, 1] -> [0, 1]: images of 0, 0.3 and 1 everywhere (4 pixels). Neighbours:
  # 0 <-> 0.3 at sqrt(4 x 0.09) = 0.6 (twice), 1 -> 0.3 at sqrt(4 x 0.49) = 1.4.
  images = np.stack([np.full((2, 2, 1), v) for v in (0.0, 0.3, 1.0)]) * 2 - 1
  assert sample_variety.nearest_neighbour_distance(images) == pytest.approx((0.6 + 0.6 + 1.4) / 3)


def test_sharpness_is_the_mean_vertical_step_in_unit_pixels():
  stripes = np.zeros((1, 4, 3, 1))
  stripes[0, 1::2] = 2.0  # Rows -1, 1, -1, 1: every vertical step is 1 in [0, 1] pixels.
  assert sample_variety.sharpness(stripes - 1) == pytest.approx(1.0)
  assert sample_variety.sharpness(np.zeros((2, 4, 4, 1))) == 0.0

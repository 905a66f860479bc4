"""scripts/stacked_mnist_real.py: real stacked images scored as the evaluator scores samples."""
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

spec = importlib.util.spec_from_file_location(
    'stacked_mnist_real', Path(__file__).parents[1] / 'scripts' / 'stacked_mnist_real.py')
stacked_mnist_real = importlib.util.module_from_spec(spec)
spec.loader.exec_module(stacked_mnist_real)


class CodedSource:
  """Example i is mode i % 1,000: each channel is a flat image whose level is its digit."""

  def read(self, indices):
    labels = indices % 1000
    digits = np.stack([labels // 100, labels // 10 % 10, labels % 10], -1)
    images = np.broadcast_to((digits / 9.0 * 2 - 1)[:, None, None, :],
                             (len(indices), 28, 28, 3))
    return images, labels


def read_level(images):
  return np.rint((images[:, 0, 0, 0] + 1) / 2 * 9).astype(int)


def test_real_images_are_scored_by_the_evaluators_statistics():
  """1,500 images over more than one batch: modes 0-499 twice, 500-999 once."""
  scores = stacked_mnist_real.score_real(CodedSource(), read_level, 1_500)
  kl = 2 / 3 * math.log(4 / 3) + 1 / 3 * math.log(2 / 3)  # Sum of p log(1,000 p), by hand.
  for stats in (scores['read_by_the_classifier'], scores['true_labels']):
    assert stats['modes_captured'] == 1_000
    assert stats['kl_to_uniform'] == pytest.approx(kl)
  assert scores['all_three_digits_read_right'] == 1.0


def test_a_misread_channel_counts_against_the_classifier():
  """A reader that sees every 9 as 0 merges modes: fewer captured, misread images counted."""
  scores = stacked_mnist_real.score_real(CodedSource(), lambda x: read_level(x) % 9, 1_000)
  assert scores['read_by_the_classifier']['modes_captured'] == 9 ** 3
  assert scores['true_labels']['modes_captured'] == 1_000
  assert scores['all_three_digits_read_right'] == pytest.approx(9 ** 3 / 1_000)

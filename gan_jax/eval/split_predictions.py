"""A task's predictions over the first examples of a labelled split, with the split's labels
(the evaluators that compare a task's output with the truth: classification, anomaly)."""
import numpy as np


def predict_split(predict, source, num: int, batch: int) -> tuple[np.ndarray, np.ndarray]:
  """(outputs, labels) of the first `num` examples of `source`, where predict(image batches)
  yields one output array per batch of at most `batch` images."""
  labels = []

  def image_batches():
    for start in range(0, num, batch):
      images, batch_labels = source.read(np.arange(start, min(start + batch, num)))
      labels.append(batch_labels)
      yield images

  outputs = np.concatenate([np.asarray(out) for out in predict(image_batches())])
  return outputs, np.concatenate(labels)

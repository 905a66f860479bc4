"""What evaluators share in a run: the config, the cache and lazily built heavy pieces."""
import functools
from pathlib import Path

import ml_collections

from gan_jax.data import pipeline


def reference_source(config: ml_collections.ConfigDict, split: str, all_classes: bool = False):
  """The training dataset's `split`, as the reference of image metrics: of the classes
  trained on (config.data.classes), or of every class."""
  data = ml_collections.ConfigDict(config.data.to_dict())
  data.split = split
  if all_classes:
    data.classes = ()
  return pipeline.create_source(data, config.seed)


class EvalContext:
  """Built once per run; the Inception network and the classifiers load at first use."""

  def __init__(self, config: ml_collections.ConfigDict):
    self.config = config
    self.cache_dir = Path(config.cache_dir).expanduser()
    self._sources, self._classifiers = {}, {}
    self.seconds_per_unit = {}  # Metric -> the rate of its last evaluation (registry.cost).

  @functools.cached_property
  def extractor(self):
    from gan_jax.eval import feature_extraction  # The Inception port: only image metrics.
    weights = feature_extraction.resolve_weights(self.config.inception_weights, self.cache_dir)
    return feature_extraction.InceptionFeatures(weights)

  def classifier(self, dataset: str) -> dict:
    """The classifier (gan_jax.eval.classifier.load's record) trained on `dataset` in this
    run's folders (config.data's): MNIST for Stacked MNIST, the run's dataset for label
    preservation and agreement. The cached one, trained and cached at its first use; at
    config.stand_in_classifier (:tiny) a stand-in fitted in seconds, never cached
    (classifier.for_run decides)."""
    if dataset not in self._classifiers:
      from gan_jax.eval import classifier  # Its network: only evaluators that classify.
      self._classifiers[dataset] = classifier.for_run(self.config, dataset)
    return self._classifiers[dataset]

  def reference_source(self, split: str, all_classes: bool = False):
    """One source per split for the run: every evaluator and weight reads it decoded once."""
    key = split, all_classes or not self.config.data.classes
    if key not in self._sources:
      self._sources[key] = reference_source(self.config, split, all_classes)
    return self._sources[key]

"""Anomaly detection with GANs (config.task='anomaly'): models trained on normal images only
(config.data.classes) score how anomalous each test image is (config.anomaly.method).
f-AnoGAN (Schlegl et al. 2019): a WGAN-GP trained by the 'gan' task, then here an encoder for
its frozen G and critic. GANomaly (Akcay et al. 2018): its G and D trained here from scratch.
AnoGAN's latent search needs no training of its own: the 'gan' task scores with it."""
import ml_collections

from gan_jax import models
from gan_jax.data import pipeline
from gan_jax.tasks.anomaly import config as task_config
from gan_jax.training.task import Stream, Task


def draws(config: ml_collections.ConfigDict) -> dict[str, int]:
  """One stream, 'data': a batch of normal training images a step."""
  del config
  return {'data': 1}


def streams(config: ml_collections.ConfigDict) -> dict[str, Stream]:
  return {'data': Stream(pipeline.create_source(config.data, config.seed), 1, config.seed)}


def check_data(config: ml_collections.ConfigDict, specs: dict, devices: int) -> None:
  del devices
  models.check_image_size(config.model, *specs['data'].shape[:2])


def build(config: ml_collections.ConfigDict, specs: dict, streams: dict | None = None):
  from gan_jax.tasks.anomaly import builder  # Networks and step: not to load a config.
  return builder.build(config, specs, streams)


TASK = Task(name='anomaly', add_fields=task_config.add_fields, tiny=task_config.tiny,
            check=task_config.check, architecture_fields=task_config.ARCHITECTURE_FIELDS,
            predictions=task_config.predictions, draws=draws, streams=streams,
            check_data=check_data, build=build, modes=('score',))

"""The noise -> image GAN (config.task='gan'): DCGAN, SNGAN/ResNet, BigGAN-style networks with
the losses, penalties, conditioning, EMA, DiffAugment and packing of gan_jax.objectives."""
import ml_collections

from gan_jax.data import pipeline
from gan_jax.tasks.gan import config as gan_config
from gan_jax.training.task import Stream, Task


def draws(config: ml_collections.ConfigDict) -> dict[str, int]:
  """One stream, 'data': n_critic batches a step (one per D update)."""
  return {'data': config.train.n_critic}


def streams(config: ml_collections.ConfigDict) -> dict[str, Stream]:
  return {'data': Stream(pipeline.create_source(config.data, config.seed),
                         draws(config)['data'], config.seed)}


def build(config: ml_collections.ConfigDict, specs: dict, streams: dict | None = None):
  del streams  # The GAN initialises from noise.
  from gan_jax.tasks.gan import builder  # Networks and step: not to load a config.
  return builder.build(config, specs)


TASK = Task(name='gan', add_fields=gan_config.add_fields, tiny=gan_config.tiny,
            check=gan_config.check, architecture_fields=gan_config.ARCHITECTURE_FIELDS,
            predictions=gan_config.predictions, draws=draws, streams=streams,
            check_data=gan_config.check_data, build=build, modes=('sample', 'score'))

"""Paired image-to-image translation (config.task='pix2pix', Isola et al. 2017): a U-Net G
maps each input to its target, judged by a PatchGAN D on (input, output) pairs, plus an L1
term. The pairs come from any image dataset through a derivation (config.pairs: edges,
negative, thickened strokes, a hole to inpaint, noise to remove), or from a folder of
side-by-side pairs (config.data.name='side_by_side')."""
import ml_collections

from gan_jax.data import paired, pipeline
from gan_jax.tasks.pix2pix import config as task_config
from gan_jax.training.task import Stream, Task


def draws(config: ml_collections.ConfigDict) -> dict[str, int]:
  """One stream, 'data': a batch of pairs a step."""
  del config
  return {'data': 1}


def streams(config: ml_collections.ConfigDict) -> dict[str, Stream]:
  pairs = paired.pairs_of(pipeline.create_source(config.data, config.seed), config.pairs,
                              config.seed)
  return {'data': Stream(pairs, 1, config.seed)}


def check_data(config: ml_collections.ConfigDict, specs: dict, devices: int) -> None:
  del devices
  task_config.check_data(config, specs['data'].shape)


def build(config: ml_collections.ConfigDict, specs: dict, streams: dict | None = None):
  from gan_jax.tasks.pix2pix import builder  # Networks and step: not to load a config.
  return builder.build(config, specs, streams)


TASK = Task(name='pix2pix', add_fields=task_config.add_fields, tiny=task_config.tiny,
            check=task_config.check, architecture_fields=task_config.ARCHITECTURE_FIELDS,
            predictions=task_config.predictions, draws=draws, streams=streams,
            check_data=check_data, build=build, modes=('translate',),
            image_fields=('input', 'image'))

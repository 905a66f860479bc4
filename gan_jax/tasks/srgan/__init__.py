"""Super-resolution (config.task='srgan', Ledig et al. 2017): SRResNet G maps a bicubically
downsampled image back up, trained on pixel MSE alone (SRResNet: loss.adversarial_weight 0)
or, starting from it (config.init_from), on a frozen network's content loss plus a VGG-style
D's adversarial one (SRGAN). The LR/HR pairs are derived from any image dataset
(config.pairs.derivation='downsample', as pix2pix's pairs)."""
import ml_collections

from gan_jax.tasks import pix2pix
from gan_jax.tasks.srgan import config as task_config
from gan_jax.training.task import Task


def check_data(config: ml_collections.ConfigDict, specs: dict, devices: int) -> None:
  del devices
  task_config.check_data(config, specs['data'].shape)


def build(config: ml_collections.ConfigDict, specs: dict, streams: dict | None = None):
  from gan_jax.tasks.srgan import builder  # Networks and step: not to load a config.
  return builder.build(config, specs, streams)


def field_shape(config: ml_collections.ConfigDict, field: str, shape: tuple) -> tuple:
  """The LR input is the image divided by the scale."""
  scale = config.pairs.downsample_scale if field == 'input' else 1
  return (shape[0] // scale, shape[1] // scale) + tuple(shape[2:])


# The data is pix2pix's: one stream of derived pairs.
TASK = Task(name='srgan', add_fields=task_config.add_fields, tiny=task_config.tiny,
            check=task_config.check, architecture_fields=task_config.ARCHITECTURE_FIELDS,
            predictions=task_config.predictions, draws=pix2pix.draws, streams=pix2pix.streams,
            check_data=check_data, build=build, modes=('translate',),
            image_fields=('input', 'image'), field_shape=field_shape)

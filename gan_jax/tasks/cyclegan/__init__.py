"""Unpaired image-to-image translation (config.task='cyclegan', Zhu et al. 2017): two ResNet
Gs, A -> B and B -> A, each judged by its own domain's PatchGAN D through a history pool of
fakes, held together by cycle consistency. The domains: two disjoint halves of one image
dataset, the second half's images through a derivation (config.pairs), so CycleGAN never
sees a pair and the test split still has the ground truth of both directions."""
import ml_collections

from gan_jax.data import domains
from gan_jax.tasks.cyclegan import config as task_config
from gan_jax.training.task import Stream, Task


def draws(config: ml_collections.ConfigDict) -> dict[str, int]:
  """Two streams: a batch of each domain a step."""
  del config
  return {'a': 1, 'b': 1}


def streams(config: ml_collections.ConfigDict) -> dict[str, Stream]:
  domain_a, domain_b = domains.domains(config)
  # Independent example orders: no step pairs an image with its half's same position.
  return {'a': Stream(domain_a, 1, config.seed), 'b': Stream(domain_b, 1, config.seed + 1)}


def check_data(config: ml_collections.ConfigDict, specs: dict, devices: int) -> None:
  del devices
  task_config.check_data(config, specs)


def build(config: ml_collections.ConfigDict, specs: dict, streams: dict | None = None):
  from gan_jax.tasks.cyclegan import builder  # Networks and step: not to load a config.
  return builder.build(config, specs, streams)


TASK = Task(name='cyclegan', add_fields=task_config.add_fields, tiny=task_config.tiny,
            check=task_config.check, architecture_fields=task_config.ARCHITECTURE_FIELDS,
            predictions=task_config.predictions, draws=draws, streams=streams,
            check_data=check_data, build=build, modes=('translate',))

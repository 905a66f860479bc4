"""Semi-supervised classification with a GAN (config.task='semi_supervised'): Improved GAN
(Salimans et al. 2016), a K-class discriminator that learns from a few labelled examples,
all the unlabelled ones and G's fakes; G trained by feature matching."""
import ml_collections

from gan_jax.config.errors import ConfigError
from gan_jax.data import pipeline, subsets
from gan_jax.tasks.semi_supervised import config as task_config
from gan_jax.training.task import Stream, Task


def draws(config: ml_collections.ConfigDict) -> dict[str, int]:
  """'labelled': one batch a step; 'unlabelled' (with a G): D's batch and G's real batch."""
  return {'labelled': 1, **({'unlabelled': 2} if task_config.has_generator(config) else {})}


def require_labels(config: ml_collections.ConfigDict, spec) -> None:
  if not spec.num_classes:
    raise ConfigError(f"config.task='semi_supervised' needs class labels, but config.data.name="
                      f'{config.data.name!r} has none.')


def streams(config: ml_collections.ConfigDict) -> dict[str, Stream]:
  """The labelled subset (gan_jax.data.subsets) and, with a G, every training image."""
  train = pipeline.create_source(config.data, config.seed)
  require_labels(config, train.spec)
  chosen = subsets.labelled_indices(subsets.all_labels(train), config.labels.per_class,
                                    train.spec.num_classes, task_config.labels_seed(config))
  opened = {'labelled': Stream(subsets.SubsetSource(train, chosen), 1, config.seed)}
  if task_config.has_generator(config):
    opened['unlabelled'] = Stream(train, 2, config.seed)
  return opened


def check_data(config: ml_collections.ConfigDict, specs: dict, devices: int) -> None:
  del devices
  require_labels(config, specs['labelled'])


def build(config: ml_collections.ConfigDict, specs: dict, streams: dict | None = None):
  from gan_jax.tasks.semi_supervised import builder  # Networks and step: not to load a config.
  return builder.build(config, specs, streams)


TASK = Task(name='semi_supervised', add_fields=task_config.add_fields, tiny=task_config.tiny,
            check=task_config.check, architecture_fields=task_config.ARCHITECTURE_FIELDS,
            predictions=task_config.predictions, draws=draws, streams=streams,
            check_data=check_data, build=build)

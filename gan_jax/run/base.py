"""The base config every file in configs/ starts from, and the `:tiny` shrink.

Config files call `base_config()` (or `base_config('<task>')`), override a few fields and
end with `return maybe_tiny(config, arg)`, so every config accepts `configs/X.py:tiny`.
Here are the fields of the shared loop, data and evaluation; the task adds its own
groups (gan_jax/tasks/<name>/config.py) and each evaluator its own fields
(gan_jax/eval/registry.py).
"""
import ml_collections
from ml_collections.config_dict import placeholder

from gan_jax import tasks
from gan_jax.config import fields
from gan_jax.config.errors import ConfigError
from gan_jax.data import mixtures, side_by_side
from gan_jax.eval import registry

DIVERGENCE_ACTIONS = ('stop', 'restore')


def base_config(task: str = 'gan') -> ml_collections.ConfigDict:
  """All fields gan_jax reads, with defaults; see configs/default.py."""
  config = ml_collections.ConfigDict()
  config.task = task  # What is trained: one of gan_jax.tasks.TASKS ('gan': noise -> image GAN).
  config.seed = 0  # Seeds parameters, noise and the data order.

  config.data = ml_collections.ConfigDict()
  # 'ring', 'grid', 'stacked_mnist', 'folder', 'side_by_side' (pix2pix's paired folders),
  # 'unpaired_folder' (CycleGAN's trainA/, trainB/, ...), 'photo_folder' (super-resolution's
  # train/ photographs of any size and test/), or any tfds image dataset.
  config.data.name = 'ring'
  config.data.split = 'train'  # tfds split (or the split's folder) to train on.
  config.data.data_dir = placeholder(str)  # tfds data_dir (None: tfds default or $TFDS_DATA_DIR).
  config.data.manual_dir = placeholder(str)  # Local raw files for tfds (None: $GAN_JAX_MANUAL_DIR, else download).
  config.data.path = placeholder(str)  # Image folder for the data.name folders.
  config.data.input_side = 'left'  # data.name='side_by_side': each file's input half.
  config.data.image_size = placeholder(int)  # Square side to resize to (None: the dataset's own).
  config.data.channels = placeholder(int)  # Folder images: 1 (grey) or 3 (RGB); None: 3.
  config.data.center_crop = False  # Crop to a centred square before resizing (CelebA).
  # data.name='photo_folder': train/ read as random crop_size x crop_size crops, each
  # photograph as crops_per_image examples (0: whole images, which must then share a size);
  # the other splits whole, cropped at the bottom and right to a multiple of crop_multiple
  # (super-resolution: its scale).
  config.data.crop_size = 0
  config.data.crops_per_image = 100
  config.data.crop_multiple = 1
  # Train on the examples of these class labels only, e.g. (0,): the normal class of one-class
  # anomaly detection; (): every class. Evaluators that need every class (anomaly) read all.
  config.data.classes = ()
  config.data.prefetch = 2  # Batches prepared ahead on a host thread and placed on device.
  config.data.in_memory_mb = 1024  # Hold a tfds split decoded in memory if it fits (0: never).
  # A prepared tfds dataset that does not hold the examples of manual_dir's files (checked for
  # MNIST, Fashion-MNIST, KMNIST) stops the run; True: delete that preparation and make it again.
  config.data.rebuild_invalid = False

  config.train = ml_collections.ConfigDict()
  config.train.batch_size = 256  # Global batch (all devices, all hosts) per draw of a stream.
  config.train.num_steps = 10_000  # Training steps.
  config.train.log_every_steps = 100  # Train metrics to TensorBoard, the log, train_metrics.jsonl.
  config.train.eval_every_steps = 1000  # The task's pictures (sample grid, 2D plot).
  config.train.checkpoint_every_steps = 1000  # Orbax checkpoint interval (and one at the end).
  config.train.max_to_keep = 3  # Checkpoints kept.
  config.train.on_divergence = 'stop'  # NaN/Inf in a metric or the state: 'stop', or 'restore'
                                       # the last checkpoint and go on with lower learning rates.
  config.train.divergence_lr_factor = 0.5  # 'restore': every learning rate is multiplied by this.
  config.train.max_divergence_restores = 3  # 'restore': at most this many per launch, then stop.

  # Start a new run from parts of another run's checkpoint (two-stage recipes: SRResNet ->
  # SRGAN, a GAN -> its encoder). Only when this workdir has no checkpoint of its own.
  config.init_from = ml_collections.ConfigDict()
  config.init_from.workdir = placeholder(str)  # The other run's workdir (None: off).
  config.init_from.step = placeholder(int)  # Its checkpoint (None: the latest).
  # Comma list of top-level state fields taken from it, e.g. 'g_params,g_batch_stats';
  # each must have the same structure and shapes as this run's.
  config.init_from.parts = ''

  # JAX's multi-host runtime (gan_jax.training.distributed). 'auto': join when a coordinator
  # is named here or in $JAX_COORDINATOR_ADDRESS, or JAX detects a cluster (TPU pod, SLURM,
  # Open MPI); 'on': must join; 'off': one process. None fields come from the environment.
  config.distributed = ml_collections.ConfigDict()
  config.distributed.mode = 'auto'
  config.distributed.coordinator_address = placeholder(str)  # 'host:port' of process 0.
  config.distributed.num_processes = placeholder(int)
  config.distributed.process_id = placeholder(int)  # 0 .. num_processes - 1.

  # Evaluators by name, each made by gan_jax.eval.registry.eval_config(metric, every_steps,
  # num_samples, ...); values go to TensorBoard and workdir/metrics.jsonl with their protocol.
  config.evals = ml_collections.ConfigDict()
  config.best = ml_collections.ConfigDict()
  # '<eval name>/<metric>' (EMA weights) or '<eval name>/<metric>/raw' whose best value keeps
  # workdir/best ('' = off).
  config.best.metric = ''
  config.best.mode = 'min'  # 'min' (FID, KID) or 'max' (precision, modes).
  config.inception_weights = placeholder(str)  # .npz or pytorch-fid .pth (None: env, else download).
  config.cache_dir = '~/.cache/gan_jax'  # Reference features, weights, the MNIST classifier.
  # True (:tiny sets it): what needs gan_jax's trained classifier (label preservation and
  # agreement, Stacked MNIST's modes, SRGAN's content loss) gets a stand-in fitted in seconds
  # (gan_jax.eval.classifier.stand_in), never cached, named so in every protocol: its numbers
  # mean nothing. False: the cached one, trained there at its first use (~5-12 min on CPU).
  config.stand_in_classifier = False
  tasks.get(task).add_fields(config)
  return config


def maybe_tiny(config: ml_collections.ConfigDict, arg: str | None):
  """`configs/X.py:tiny` shrinks any config to a seconds-long smoke run; a classifier it
  needs is a stand-in (config.stand_in_classifier), not the one trained for minutes."""
  if not arg:
    return config
  if arg != 'tiny':
    raise ValueError(f"Unknown config argument {arg!r}; accepted: 'tiny' (configs/X.py:tiny).")
  config.train.batch_size = 16
  config.train.num_steps = 4
  config.train.log_every_steps = 2
  config.train.eval_every_steps = 4
  config.train.checkpoint_every_steps = 2
  config.stand_in_classifier = True
  tasks.get(config.task).tiny(config)
  for ev in config.evals.values():
    registry.tiny(ev, config.train.num_steps)
  return config


def check(config: ml_collections.ConfigDict) -> None:
  """The fields defined here: names, ranges and combinations."""
  tasks.get(config.task)  # ConfigError naming the accepted tasks.
  if not 0 <= config.seed < 2**31:  # JAX keeps 32 bits: larger seeds would collide.
    raise ConfigError(f'config.seed={config.seed!r} must be in [0, 2**31).')
  fields.positive(config, 'train.batch_size', 'train.num_steps', 'train.log_every_steps',
                  'train.eval_every_steps', 'train.checkpoint_every_steps', 'train.max_to_keep',
                  'data.prefetch')
  fields.non_negative(config, 'data.in_memory_mb')
  if config.data.channels not in (None, 1, 3):
    raise ConfigError(f'config.data.channels={config.data.channels!r}; accepted: (None, 1, 3).')
  if config.data.image_size is not None:
    fields.positive(config, 'data.image_size')
  fields.one_of('data.input_side', config.data.input_side, side_by_side.SIDES)
  fields.non_negative(config, 'data.crop_size')
  fields.positive(config, 'data.crops_per_image', 'data.crop_multiple')
  classes = config.data.classes
  if (not isinstance(classes, tuple) or len(set(classes)) != len(classes)
      or any(type(c) is not int or c < 0 for c in classes)):
    raise ConfigError(f'config.data.classes={classes!r} must be a tuple of distinct class labels '
                      '>= 0, e.g. (0,), or () for every class.')
  if classes and config.data.name in mixtures.MIXTURES:
    raise ConfigError(f'config.data.classes={classes!r} needs a dataset of files; '
                      f'config.data.name={config.data.name!r} is an endless 2D mixture.')
  fields.one_of('train.on_divergence', config.train.on_divergence, DIVERGENCE_ACTIONS)
  if not 0.0 < config.train.divergence_lr_factor < 1.0:
    raise ConfigError(f'config.train.divergence_lr_factor={config.train.divergence_lr_factor!r} '
                      'must be in (0, 1).')
  if config.train.max_divergence_restores < 0:
    raise ConfigError(f'config.train.max_divergence_restores='
                      f'{config.train.max_divergence_restores!r} must be >= 0.')
  fields.one_of('best.mode', config.best.mode, ('min', 'max'))
  init = config.init_from
  if init.workdir is None and (init.parts or init.step is not None):
    raise ConfigError('config.init_from.parts and config.init_from.step need '
                      'config.init_from.workdir=DIR (the run to start from).')
  if init.workdir is not None and not init.parts:
    raise ConfigError('config.init_from.workdir is set but config.init_from.parts is empty: '
                      "name the state fields to take, e.g. 'g_params,g_batch_stats'.")

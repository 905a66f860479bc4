"""The semi-supervised task's config groups (model, labels, loss, optim and its train
fields), its `:tiny` shrink and its checks. Defaults: the protocol of Improved GAN's MNIST
script (openai/improved-gan, train_mnist_feature_matching.py)."""
import ml_collections
from ml_collections.config_dict import placeholder

from gan_jax.config import fields
from gan_jax.config.errors import ConfigError
from gan_jax.data import mixtures
from gan_jax.models import improved_gan
from gan_jax.objectives import losses
from gan_jax.training import optimizers, updates

FEATURE_MATCHING, NO_GENERATOR = 'feature_matching', 'none'
# config.loss.generator: feature matching (the paper), G's side of any GAN loss on D's
# real-vs-fake logit lse(logits), or no G at all (the supervised-only control).
GENERATOR_OBJECTIVES = (FEATURE_MATCHING,) + tuple(losses.LOSSES) + (NO_GENERATOR,)
ARCHITECTURE_FIELDS = ('model', 'data.name', 'data.image_size', 'data.channels')


def add_fields(config: ml_collections.ConfigDict) -> None:
  config.model = ml_collections.ConfigDict()
  # D: weight-normalised ReLU layers of these widths (data-dependent init), then K logits.
  config.model.d_hidden = (1000, 500, 250, 250, 250)
  config.model.d_input_noise = 0.3  # Std of the Gaussian noise added to D's input in [0, 1].
  config.model.d_hidden_noise = 0.5  # Std of the noise after each hidden layer.
  config.model.g_hidden = (500, 500)  # G: dense + batch norm + softplus layers, then sigmoid.
  config.model.z_dim = 100  # G's noise: uniform in [0, 1]^z_dim.
  # The D layer whose batch-mean output G matches (feature matching): 'hidden_<i>'.
  config.model.feature_layer = 'hidden_4'

  # The labelled set: the first per_class examples of each class of the training split in
  # an order permuted by `seed`; every training image is also in the unlabelled stream.
  config.labels = ml_collections.ConfigDict()
  config.labels.per_class = 10  # The paper: 10 (100 labels).
  config.labels.seed = placeholder(int)  # None: config.seed (a sweep's seeds vary both).
  config.labels.init_examples = 500  # Unlabelled images D's data-dependent init sees.

  config.loss = ml_collections.ConfigDict()
  config.loss.generator = FEATURE_MATCHING  # One of GENERATOR_OBJECTIVES.
  config.loss.unlabelled_weight = 1.0  # Weight of D's unlabelled (real/fake) term.

  config.optim = ml_collections.ConfigDict()
  config.optim.d_lr = 3e-3  # Discriminator-classifier learning rate (Adam).
  config.optim.g_lr = 3e-3  # Generator learning rate (Adam).
  optimizers.add_adam_fields(config.optim, b1=0.5)

  # Evaluation classifies with an EMA of D's weights (raw ones: generator='raw').
  updates.add_ema_fields(config.train, decay=0.9999)
  config.train.num_grid_samples = 100  # G's samples in the picture.


def tiny(config: ml_collections.ConfigDict) -> None:
  config.model.d_hidden = (32, 16)
  config.model.g_hidden = (16,)
  config.model.z_dim = 8
  config.model.feature_layer = 'hidden_1'
  config.labels.per_class = 2
  config.labels.init_examples = 64
  config.train.num_grid_samples = 16


def has_generator(config: ml_collections.ConfigDict) -> bool:
  return config.loss.generator != NO_GENERATOR


def labels_seed(config: ml_collections.ConfigDict) -> int:
  return config.seed if config.labels.seed is None else config.labels.seed


def predictions(config: ml_collections.ConfigDict) -> tuple[str, ...]:
  """D classifies images (the 'classification' evaluator)."""
  del config
  return ('classify',)


def check(config: ml_collections.ConfigDict) -> None:
  m = config.model
  if config.data.name in mixtures.MIXTURES:
    raise ConfigError(f"config.task='semi_supervised' classifies images, but config.data.name="
                      f'{config.data.name!r} is 2D points; use a labelled image dataset.')
  for field in ('d_hidden', 'g_hidden'):
    if not m[field] or any(not isinstance(w, int) or w <= 0 for w in m[field]):
      raise ConfigError(f'config.model.{field}={m[field]!r} must be a non-empty tuple of '
                        'positive widths.')
  fields.positive(config, 'model.z_dim', 'labels.per_class', 'labels.init_examples',
                  'optim.d_lr', 'optim.g_lr', 'train.num_grid_samples')
  fields.non_negative(config, 'model.d_input_noise', 'model.d_hidden_noise',
                      'loss.unlabelled_weight')
  fields.one_of('model.feature_layer', m.feature_layer, improved_gan.hidden_names(len(m.d_hidden)))
  fields.one_of('loss.generator', config.loss.generator, GENERATOR_OBJECTIVES)
  optimizers.check(config.optim, config.train.num_steps)
  updates.check_ema_fields(config)
  if config.labels.seed is not None and not 0 <= config.labels.seed < 2**31:
    raise ConfigError(f'config.labels.seed={config.labels.seed!r} must be in [0, 2**31).')

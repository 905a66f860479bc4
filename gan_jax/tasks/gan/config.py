"""The GAN task's config groups (model, loss, penalty, augment, optim and its train fields),
its `:tiny` shrink, and the checks that span its components."""
import ml_collections

from gan_jax import models
from gan_jax.config import fields
from gan_jax.config.errors import ConfigError
from gan_jax.data import mixtures
from gan_jax.objectives import ada, augment, losses, penalties
from gan_jax.models.layers import split_norm
from gan_jax.training import optimizers, updates

PRECISIONS = ('float32', 'bfloat16')  # config.train.precision
# Fields that fix the shapes and meaning of the saved weights: a workdir's checkpoints
# only resume under the same values.
ARCHITECTURE_FIELDS = ('model', 'data.name', 'data.image_size', 'data.channels')
ANOGAN_MODELS = ('dcgan', 'infogan')  # Critics that sow the features AnoGAN compares.
IMAGE_QUALITY_EVALS = ('fid', 'monitor')  # config.evals of recipes.measure_image_quality.


def add_fields(config: ml_collections.ConfigDict) -> None:
  add_model_fields(config)
  add_objective_fields(config)


def add_model_fields(config: ml_collections.ConfigDict) -> None:
  """config.model: G's and D's architecture (also what tasks that reuse a trained GAN read)."""
  config.model = ml_collections.ConfigDict()
  # 'mlp', 'dcgan', 'infogan' (Lucic et al.), 'resnet' (SNGAN), 'biggan' or 'stylegan2'.
  config.model.name = 'mlp'
  config.model.z_dim = 64  # Length of the generator's noise vector.
  config.model.g_features = 256  # MLP: hidden width of G; DCGAN: channels of G's last hidden
                                 # layer; ResNet: see gan_jax/models/resnet.py.
  config.model.d_features = 256  # MLP: hidden width of D; DCGAN, ResNet: D's first width.
  config.model.g_layers = 3  # MLP only: hidden layers of G.
  config.model.d_layers = 3  # MLP only: hidden layers of D.
  config.model.d_maxout_pieces = 1  # MLP only: >1 makes D's units maxout of this many pieces.
  # Normalization of each network: 'none', 'batch_norm', 'layer_norm', 'spectral_norm', or
  # 'spectral_norm+batch_norm' / 'spectral_norm+layer_norm' (both).
  config.model.g_norm = 'none'
  config.model.d_norm = 'none'
  # Class-conditional G: 'none', 'concat' (a learned class embedding of embedding_dim joined
  # to z: it shapes G's first layer, so space; the DCGAN recipes' choice) or
  # 'cond_batch_norm' (every batch norm of G takes a scale and shift per class: SNGAN's and
  # BigGAN's ResNet G, where they act at every resolution).
  config.model.g_conditioning = 'none'
  config.model.d_conditioning = 'none'  # 'none', 'projection' (Miyato & Koyama) or 'acgan'.
  config.model.pack = 1  # PacGAN: D judges this many samples at once (1: off).
  config.model.attention_resolution = 0  # resnet/biggan: self-attention at this size (0: off).
  config.model.embedding_dim = 128  # Class embedding width: biggan's shared one, 'concat''s.
  add_stylegan2_fields(config.model)


def add_stylegan2_fields(model: ml_collections.ConfigDict) -> None:
  """config.model.stylegan2: model.name='stylegan2' only (gan_jax/models/stylegan2.py);
  defaults are NVlabs/stylegan2-ada-pytorch's. Its class embedding is w_dim wide (the
  reference's), whatever model.embedding_dim; z_dim is model.z_dim."""
  sg2 = model.stylegan2 = ml_collections.ConfigDict()
  sg2.w_dim = 512  # Width of w and of the mapping network.
  sg2.mapping_layers = 8  # G's mapping network's FC layers (sg2-ada's 'cifar': 2).
  sg2.d_mapping_layers = 8  # Conditional D's label-mapping FC layers.
  sg2.channel_base = 32768  # Layers at resolution r are min(channel_base / r, channel_max) wide.
  sg2.channel_max = 512
  sg2.style_mixing_prob = 0.9  # Training: a batch's styles from a random layer on from a
                               # second z with this probability ('cifar': 0).
  sg2.d_architecture = 'resnet'  # 'resnet' (residual D blocks) or 'orig' ('cifar').
  sg2.mbstd_group_size = 4  # Minibatch std over groups of this many examples ('cifar': 32).
  sg2.mbstd_channels = 1  # Feature maps the minibatch std appends (0: off).
  sg2.conv_clamp = 0.0  # Clip conv outputs to +-this (sg2-ada: 256, for float16); 0: off.


def add_objective_fields(config: ml_collections.ConfigDict) -> None:
  """How the GAN trains: loss, penalties, augmentation, optimizers, its train fields."""

  config.loss = ml_collections.ConfigDict()
  config.loss.name = 'non_saturating'  # non_saturating, minimax, least_squares, hinge, wasserstein.
  config.loss.acgan_weight = 1.0  # d_conditioning='acgan': weight of the class cross-entropy.

  # Weights of D's regularisers (0: off), one per gan_jax.objectives.penalties.PENALTIES entry.
  config.penalty = ml_collections.ConfigDict()
  for name in penalties.PENALTIES:  # Each is defined in gan_jax/objectives/penalties.py.
    config.penalty[name] = 0.0
  config.penalty.interval = 1  # Lazy regularisation: every k-th D update, weighted k times.

  config.augment = ml_collections.ConfigDict()
  # DiffAugment ops applied to every input of D, real and fake: '' (off) or a comma list of
  # 'color', 'translation', 'cutout' (the paper's policy: 'color,translation,cutout').
  config.augment.policy = ''
  # Adaptive discriminator augmentation (Karras et al. 2020; gan_jax/objectives/ada.py):
  # stylegan2-ada's pipeline on every image D sees, each transformation per example with
  # probability p: '' (off), 'bgc' (the paper's: geometric and colour), 'bg', 'blit',
  # 'geom' or 'color'. Before DiffAugment when both are on.
  config.augment.ada_pipeline = ''
  config.augment.ada_p = 0.0  # p at the start, and throughout with ada_target 0.
  config.augment.ada_target = 0.6  # p moves so r_t = E[sign(D(real))] nears this; 0: fixed p.
  config.augment.ada_interval = 4  # Steps between p's adjustments (r_t: their mean).
  config.augment.ada_speed_images = 500_000  # Images over which p can move by 1 (sg2-ada's
                                             # ada_kimg 500).

  # StyleGAN2's path-length regulariser of G (gan_jax/objectives/path_length.py).
  config.path_length = ml_collections.ConfigDict()
  config.path_length.weight = 0.0  # 0: off; StyleGAN2's 2 (model.name='stylegan2' only).
  config.path_length.interval = 4  # Lazy: every k-th G update, weighted k times.
  config.path_length.decay = 0.01  # Of the running mean length it pulls every length toward.
  config.path_length.batch_shrink = 2  # On every k-th example of the batch.

  config.optim = ml_collections.ConfigDict()
  config.optim.g_lr = 2e-4  # Generator peak learning rate (Adam).
  config.optim.d_lr = 2e-4  # Discriminator peak learning rate (Adam).
  optimizers.add_adam_fields(config.optim, b1=0.5)
  config.optim.d_weight_clip = 0.0  # WGAN: D's weights clipped to [-c, c] after updates (0: off).

  train = config.train
  train.n_critic = 1  # D updates per step, then one G update (two time-scales: set the lrs).
  updates.add_ema_fields(train, decay=0.999)  # The EMA of G's weights, which samples.
  train.precision = 'float32'  # 'bfloat16': bfloat16 compute, float32 weights and Adam.
  train.num_grid_samples = 64  # Images in the sample grid (points in the 2D plot: 2,500).
  # G samples in eval mode. The EMA G's batch norms use standing statistics (BigGAN): pooled
  # over this many batches of train.batch_size of its own samples in train mode.
  train.standing_stats_batches = 64

  # AnoGAN (Schlegl et al. 2017): how a GAN trained on normal images (config.data.classes)
  # scores test images for the 'anomaly' evaluator: Adam on z from z ~ N(0, I) for `steps`
  # steps, minimising (1 - weight) |x - G(z)| + weight |f(x) - f(G(z))| (f: the critic's
  # features, per-element means); that sum at the last z is the score.
  config.anogan = ml_collections.ConfigDict()
  config.anogan.steps = 500  # The paper's Gamma.
  config.anogan.lr = 1e-2  # Adam's step size on z.
  config.anogan.weight = 0.1  # The paper's lambda.


def tiny(config: ml_collections.ConfigDict) -> None:
  tiny_model(config.model)
  config.anogan.steps = 5
  config.train.n_critic = 1  # Compiles several times faster; n_critic > 1 has its own tests.
  config.train.num_grid_samples = 16
  config.train.standing_stats_batches = 2
  # No image-quality evals (recipes.measure_image_quality's): Inception would cost a CPU
  # ~30 s of a seconds-long run. tests/test_evaluation.py runs the evaluator in the loop.
  for name in IMAGE_QUALITY_EVALS:
    if name in config.evals:
      del config.evals[name]
    if config.best.metric.startswith(f'{name}/'):
      config.best.metric = ''


def tiny_model(model: ml_collections.ConfigDict) -> None:
  """:tiny's G and D (also of the tasks that encode a :tiny GAN's run)."""
  model.z_dim = min(model.z_dim, 16)
  model.g_features = 16
  model.d_features = 16
  sg2 = model.stylegan2
  sg2.w_dim, sg2.mapping_layers, sg2.d_mapping_layers = 16, 2, 2
  sg2.channel_base, sg2.channel_max = 128, 16  # 16 wide to 8x8, then 8, 4, ...
  sg2.mbstd_group_size = min(sg2.mbstd_group_size, 4)


def is_2d(config: ml_collections.ConfigDict) -> bool:
  return config.data.name in mixtures.MIXTURES


def scores_anomalies(config: ml_collections.ConfigDict) -> bool:
  """AnoGAN needs an unconditional, unpacked image GAN whose critic sows its features."""
  m = config.model
  return (m.name in ANOGAN_MODELS and m.g_conditioning == 'none' and m.d_conditioning == 'none'
          and m.pack == 1)


def predictions(config: ml_collections.ConfigDict) -> tuple[str, ...]:
  """G makes 2D points of a mixture, or images; D scores real images ('discriminate': its
  logits); a class-conditional G also images with the labels it was asked for
  ('labelled_images': the Classification Accuracy Score); an unconditional DCGAN also scores
  test images by AnoGAN's latent search ('anomaly_scores')."""
  if is_2d(config):
    return ('points',)
  if config.model.g_conditioning != 'none':
    return ('images', 'discriminate', 'labelled_images')
  return ('images', 'discriminate') + (('anomaly_scores',) if scores_anomalies(config) else ())


def check(config: ml_collections.ConfigDict) -> None:
  """The components' own checks, then the rules that span them."""
  models.check(config)
  fields.one_of('loss.name', config.loss.name, losses.LOSSES)
  fields.one_of('train.precision', config.train.precision, PRECISIONS)
  optimizers.check(config.optim, config.train.num_steps)
  fields.positive(config, 'optim.g_lr', 'optim.d_lr', 'train.n_critic', 'train.num_grid_samples',
                  'train.standing_stats_batches')
  updates.check_ema_fields(config)
  fields.non_negative(config, 'loss.acgan_weight', 'optim.d_weight_clip')
  check_anogan(config)
  augment.check_policy('augment.policy', config.augment.policy)
  check_ada(config)
  check_path_length(config)
  m, penalty = config.model, config.penalty
  d_spectral, d_activation = split_norm(m.d_norm)
  penalties.check(config, d_has_batch_norm=d_activation == 'batch_norm')
  if is_2d(config) and m.name in models.IMAGE_MODELS:
    raise ConfigError(f'config.model.name={m.name!r} needs images, but config.data.name='
                      f"{config.data.name!r} is 2D points; accepted: ('mlp',).")
  if m.pack > 1 and m.d_conditioning != 'none':
    raise ConfigError(f'config.model.pack={m.pack} shows D several samples of different classes '
                      f'at once, so config.model.d_conditioning={m.d_conditioning!r} cannot '
                      "apply; use pack=1 or d_conditioning='none'.")
  lipschitz = (any(penalty[n] > 0 for n in penalties.LIPSCHITZ_PENALTIES) or d_spectral
               or config.optim.d_weight_clip > 0)
  if config.loss.name == 'wasserstein' and not lipschitz:
    raise ConfigError("config.loss.name='wasserstein' needs a Lipschitz constraint on D: set "
                      'config.penalty.gp > 0 (WGAN-GP uses 10), config.penalty.dragan > 0, '
                      "config.optim.d_weight_clip > 0 (WGAN: 0.01), or a 'spectral_norm' d_norm.")
  if is_2d(config) and (config.augment.policy or config.augment.ada_pipeline or penalty.bcr > 0):
    field = ('augment.policy' if config.augment.policy else
             'augment.ada_pipeline' if config.augment.ada_pipeline else 'penalty.bcr')
    raise ConfigError(f'config.{field} transforms images, but config.data.name='
                      f'{config.data.name!r} is 2D points; turn it off.')


def check_ada(config: ml_collections.ConfigDict) -> None:
  aug = config.augment
  fields.one_of('augment.ada_pipeline', aug.ada_pipeline, ('',) + tuple(ada.PIPELINES))
  if not 0.0 <= aug.ada_p <= 1.0:
    raise ConfigError(f'config.augment.ada_p={aug.ada_p!r} must be in [0, 1].')
  fields.in_unit_interval('augment.ada_target', aug.ada_target)
  fields.positive(config, 'augment.ada_interval', 'augment.ada_speed_images')
  if aug.ada_p > 0 and not aug.ada_pipeline:
    raise ConfigError(f"config.augment.ada_p={aug.ada_p} augments with ADA, but config.augment."
                      "ada_pipeline is '' (off); name a pipeline, e.g. 'bgc' (accepted: "
                      f'{tuple(ada.PIPELINES)}), or set ada_p to 0.')


def check_path_length(config: ml_collections.ConfigDict) -> None:
  pl = config.path_length
  fields.non_negative(config, 'path_length.weight')
  fields.positive(config, 'path_length.interval', 'path_length.batch_shrink')
  if not 0.0 < pl.decay <= 1.0:
    raise ConfigError(f'config.path_length.decay={pl.decay!r} must be in (0, 1].')
  if pl.weight > 0 and config.model.name != 'stylegan2':
    raise ConfigError(f'config.path_length.weight={pl.weight} differentiates between the styles '
                      "and the image of config.model.name='stylegan2'; config.model.name="
                      f"{config.model.name!r}: set the weight to 0.")


def check_anogan(config: ml_collections.ConfigDict) -> None:
  fields.positive(config, 'anogan.steps', 'anogan.lr')
  if not 0.0 <= config.anogan.weight <= 1.0:
    raise ConfigError(f'config.anogan.weight={config.anogan.weight!r} must be in [0, 1].')


def check_data(config: ml_collections.ConfigDict, specs: dict, devices: int) -> None:
  """The data's shape and classes against the networks; packs against the device batch."""
  m, spec = config.model, specs['data']
  if m.name in models.IMAGE_MODELS:
    models.check_image_size(m, *spec.shape[:2])
  if m.g_conditioning != 'none' and not spec.num_classes:
    raise ConfigError(f'config.model.g_conditioning={m.g_conditioning!r} needs class labels, but '
                      f'config.data.name={config.data.name!r} has none.')
  per_device = config.train.batch_size // devices
  if per_device % m.pack:
    raise ConfigError(f'config.model.pack={m.pack} must divide the per-device batch '
                      f'({config.train.batch_size} / {devices} devices = {per_device}).')
  shrink = config.path_length.batch_shrink
  if config.path_length.weight > 0 and per_device % shrink:
    raise ConfigError(f'config.path_length.batch_shrink={shrink} must divide the per-device batch '
                      f'({config.train.batch_size} / {devices} devices = {per_device}).')
  group, d_batch = m.stylegan2.mbstd_group_size, per_device // m.pack
  if m.name == 'stylegan2' and m.stylegan2.mbstd_channels and d_batch % min(group, d_batch):
    raise ConfigError(f'config.model.stylegan2.mbstd_group_size={group} must divide the batch '
                      f'D sees on a device ({config.train.batch_size} / {devices} devices / '
                      f'pack {m.pack} = {d_batch}), or be at least as large.')

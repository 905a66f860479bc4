"""The anomaly task's config groups (the trained GAN's model, the encoder, the method and its
optimiser), its `:tiny` shrink and its checks. Defaults: f-AnoGAN (Schlegl et al. 2019,
tSchlegl/f-AnoGAN's z_encoding_izif.py) on a DCGAN."""
import ml_collections

from gan_jax import models
from gan_jax.config import fields
from gan_jax.config.errors import ConfigError
from gan_jax.tasks.gan import config as gan_config
from gan_jax.training import optimizers, updates

METHODS = ('f_anogan',)  # config.anomaly.method
ENCODER_NORMS = ('none', 'layer_norm')  # config.encoder.norm: no batch statistics to keep.
ENCODER_MODELS = ('dcgan', 'infogan')  # The encoder mirrors these critics.
# The GAN's weights this task takes from the GAN's run (config.init_from.parts).
GAN_PARTS = ('g_params', 'g_batch_stats', 'd_params', 'd_batch_stats')
ARCHITECTURE_FIELDS = ('model', 'encoder', 'data.name', 'data.image_size', 'data.channels')


def add_fields(config: ml_collections.ConfigDict) -> None:
  gan_config.add_model_fields(config)  # Must equal the GAN run's (init_from checks shapes).

  config.encoder = ml_collections.ConfigDict()
  config.encoder.features = 64  # First width of the encoder, which mirrors D's body.
  # 'layer_norm' (the WGAN-GP critic's), or 'none'. f-AnoGAN's encoder has batch norm.
  config.encoder.norm = 'layer_norm'

  config.anomaly = ml_collections.ConfigDict()
  config.anomaly.method = 'f_anogan'  # One of METHODS.
  # Weight of the critic-feature residual in the izi_f loss and score (the paper: 1).
  config.anomaly.kappa = 1.0

  config.optim = ml_collections.ConfigDict()
  config.optim.e_lr = 1e-4  # Encoder learning rate (Adam).
  optimizers.add_adam_fields(config.optim, b1=0.5)
  updates.add_ema_fields(config.train, decay=0.999)  # The EMA of E's weights, which scores.
  config.train.num_grid_samples = 32  # Training images shown beside their reconstructions.
  # The trained GAN (stage 1): its G and D, frozen; set config.init_from.workdir to its run.
  config.init_from.parts = ','.join(GAN_PARTS)


def tiny(config: ml_collections.ConfigDict) -> None:
  gan_config.tiny_model(config.model)  # The :tiny GAN's, whose run it encodes.
  config.encoder.features = 16
  config.train.num_grid_samples = 8


def predictions(config: ml_collections.ConfigDict) -> tuple[str, ...]:
  """An anomaly score per image (the 'anomaly' evaluator)."""
  del config
  return ('anomaly_scores',)


def check(config: ml_collections.ConfigDict) -> None:
  models.check(config)
  m = config.model
  fields.one_of('anomaly.method', config.anomaly.method, METHODS)
  fields.one_of('encoder.norm', config.encoder.norm, ENCODER_NORMS)
  fields.positive(config, 'encoder.features', 'optim.e_lr', 'train.num_grid_samples')
  fields.non_negative(config, 'anomaly.kappa')
  optimizers.check(config.optim, config.train.num_steps)
  updates.check_ema_fields(config)
  if m.name not in ENCODER_MODELS:
    raise ConfigError(f"config.anomaly.method='f_anogan' mirrors the critic in its encoder; "
                      f'config.model.name={m.name!r} has no encoder; accepted: {ENCODER_MODELS}.')
  if m.g_conditioning != 'none' or m.pack != 1:
    raise ConfigError('config.anomaly.method=\'f_anogan\' encodes images for an unconditional, '
                      "unpacked GAN: set config.model.g_conditioning='none', d_conditioning="
                      "'none' and pack=1.")
  parts = {p.strip() for p in config.init_from.parts.split(',') if p.strip()}
  if config.init_from.workdir is None or not set(GAN_PARTS) <= parts:
    raise ConfigError(f"config.anomaly.method='f_anogan' trains an encoder for a trained GAN: "
                      'set config.init_from.workdir to the GAN\'s run (stage 1) and '
                      f'config.init_from.parts to include {GAN_PARTS}.')

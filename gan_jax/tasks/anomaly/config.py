"""The anomaly task's config groups (the model, the encoder, the method and its optimisers),
its `:tiny` shrink and its checks. Methods: f-AnoGAN (Schlegl et al. 2019, tSchlegl/f-AnoGAN's
z_encoding_izif.py), an encoder for a trained GAN's frozen G and critic; GANomaly (Akcay et al.
2018, samet-akcay/ganomaly), an encoder-decoder-encoder G and a D trained together."""
import ml_collections

from gan_jax import models
from gan_jax.config import fields
from gan_jax.config.errors import ConfigError
from gan_jax.tasks.gan import config as gan_config
from gan_jax.training import optimizers, updates

METHODS = ('f_anogan', 'ganomaly')  # config.anomaly.method
# config.encoder.norm. f-AnoGAN's encoder keeps no batch statistics (its state has none).
ENCODER_NORMS = {'f_anogan': ('none', 'layer_norm'),
                 'ganomaly': ('none', 'layer_norm', 'batch_norm')}
ENCODER_MODELS = ('dcgan', 'infogan')  # The encoder mirrors these critics.
# The GAN's weights this task takes from the GAN's run (config.init_from.parts).
GAN_PARTS = ('g_params', 'g_batch_stats', 'd_params', 'd_batch_stats')
ARCHITECTURE_FIELDS = ('model', 'encoder', 'anomaly.method', 'data.name', 'data.image_size',
                       'data.channels')


def add_fields(config: ml_collections.ConfigDict) -> None:
  # G and D. f-AnoGAN: the GAN run's (init_from checks shapes); GANomaly: its decoder and D.
  gan_config.add_model_fields(config)

  config.encoder = ml_collections.ConfigDict()
  config.encoder.features = 64  # First width of the encoder(s), which mirror D's body.
  # 'layer_norm' (the WGAN-GP critic's), 'none', or (GANomaly only) 'batch_norm'.
  config.encoder.norm = 'layer_norm'

  config.anomaly = ml_collections.ConfigDict()
  config.anomaly.method = 'f_anogan'  # One of METHODS.
  # f-AnoGAN: weight of the critic-feature residual in the izi_f loss and score (the paper: 1).
  config.anomaly.kappa = 1.0
  # GANomaly: G's loss weights (the paper's w_adv, w_con, w_enc): D's features of x and G(x)
  # (squared), x against G(x) (L1), the two codes (squared).
  config.anomaly.adversarial_weight = 1.0
  config.anomaly.contextual_weight = 50.0
  config.anomaly.latent_weight = 1.0

  config.optim = ml_collections.ConfigDict()
  config.optim.e_lr = 1e-4  # Adam's: f-AnoGAN's encoder, GANomaly's G.
  config.optim.d_lr = 2e-4  # Adam's: GANomaly's D.
  optimizers.add_adam_fields(config.optim, b1=0.5)
  # f-AnoGAN: the EMA of E's weights, which scores. GANomaly's batch-norm G keeps none (its
  # running averages are the raw G's): it scores with generator='raw'.
  updates.add_ema_fields(config.train, decay=0.999)
  config.train.num_grid_samples = 32  # Training images shown beside their reconstructions.
  # f-AnoGAN's G and D: those of a trained GAN (stage 1), frozen: config.init_from.workdir its
  # run, config.init_from.parts GAN_PARTS (configs/fanogan_mnist.py).


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
  m, method = config.model, config.anomaly.method
  fields.one_of('anomaly.method', method, METHODS)
  fields.one_of('encoder.norm', config.encoder.norm, ENCODER_NORMS[method])
  fields.positive(config, 'encoder.features', 'optim.e_lr', 'optim.d_lr',
                  'train.num_grid_samples')
  fields.non_negative(config, 'anomaly.kappa', 'anomaly.adversarial_weight',
                      'anomaly.contextual_weight', 'anomaly.latent_weight')
  optimizers.check(config.optim, config.train.num_steps)
  updates.check_ema_fields(config)
  if m.name not in ENCODER_MODELS:
    raise ConfigError(f'config.anomaly.method={method!r} mirrors the critic in its encoder; '
                      f'config.model.name={m.name!r} has no encoder; accepted: {ENCODER_MODELS}.')
  if m.g_conditioning != 'none' or m.d_conditioning != 'none' or m.pack != 1:
    raise ConfigError(f'config.anomaly.method={method!r} encodes images for an unconditional, '
                      "unpacked GAN: set config.model.g_conditioning='none', d_conditioning="
                      "'none' and pack=1.")
  if method == 'ganomaly':
    for name, ev in config.evals.items():
      if ev.metric == 'anomaly' and ev.generator != 'raw':
        raise ConfigError(f"config.evals.{name}.generator={ev.generator!r}: GANomaly's G keeps "
                          "no EMA (batch norm's running averages are the raw G's); set "
                          "generator='raw'.")
    return
  parts = {p.strip() for p in config.init_from.parts.split(',') if p.strip()}
  if config.init_from.workdir is None or not set(GAN_PARTS) <= parts:
    raise ConfigError(f"config.anomaly.method='f_anogan' trains an encoder for a trained GAN: "
                      'set config.init_from.workdir to the GAN\'s run (stage 1) and '
                      f'config.init_from.parts to include {GAN_PARTS}.')

"""Model registry: builds G and D from `config.model` and the data's shape and classes, and
checks the rules of config.model that the networks themselves impose."""
import jax.numpy as jnp
import ml_collections

from gan_jax.config import fields
from gan_jax.config.errors import ConfigError
from gan_jax.models import resnet, stylegan2
from gan_jax.models.dcgan import DCGANDiscriminator, DCGANGenerator, upsamplings
from gan_jax.models.layers import (CONDITIONINGS_D, CONDITIONINGS_G, NORMS, LayerSpec,
                                   split_norm)
from gan_jax.models.mlp import MLPDiscriminator, MLPGenerator
from gan_jax.models.resnet import ResNetDiscriminator, ResNetGenerator

MODELS = ('mlp', 'dcgan', 'infogan', 'resnet', 'biggan', 'stylegan2')
IMAGE_MODELS = MODELS[1:]
DTYPES = {'float32': jnp.float32, 'bfloat16': jnp.bfloat16}  # config.train.precision
INFOGAN_DENSE_FACTOR = 16  # Lucic et al.'s 1024-wide dense layers, for features = 64.


def conditional_classes(generator) -> int:
  """Classes a conditional G takes (0: unconditional)."""
  return generator.num_classes if generator.conditioning != 'none' else 0


def layer_specs(m: ml_collections.ConfigDict, axis_name: str | None, dtype):
  """(G's, D's) LayerSpec. BigGAN's G batch norm always sees its z chunk (conditional)."""
  g_conditional = m.g_conditioning == 'cond_batch_norm' or m.name == 'biggan'
  return (LayerSpec(m.g_norm, g_conditional, axis_name, dtype),
          LayerSpec(m.d_norm, False, axis_name, dtype))


def create_models(model_config: ml_collections.ConfigDict, data_shape: tuple[int, ...],
                  num_classes: int = 0, axis_name: str | None = None, dtype=jnp.float32):
  """Returns (generator, discriminator) for samples of `data_shape`.

  `data_shape` is (2,) for 2D points or (H, W, C) for images. `num_classes`:
  the data's classes (conditional models). `axis_name`: the device axis batch
  norm reduces over (None outside pmap). `dtype`: the compute dtype.
  D sees model.pack samples at once (PacGAN); its input shape follows at init.
  """
  m = model_config
  g_spec, d_spec = layer_specs(m, axis_name, dtype)
  g_cond = dict(conditioning=m.g_conditioning, num_classes=num_classes,
                embedding_dim=m.embedding_dim)
  d_cond = dict(conditioning=m.d_conditioning, num_classes=num_classes)
  if m.name == 'mlp':
    return (MLPGenerator(tuple(data_shape), m.g_features, m.g_layers, g_spec,
                         tanh_output=len(data_shape) == 3, **g_cond),
            MLPDiscriminator(m.d_features, m.d_layers, d_spec, m.d_maxout_pieces, **d_cond))
  if m.name not in MODELS:
    raise ValueError(f'Unknown config.model.name {m.name!r}; accepted: {MODELS}.')
  size, _, channels = data_shape
  if m.name == 'stylegan2':
    return create_stylegan2(m, size, channels, num_classes, axis_name)
  if m.name in ('dcgan', 'infogan'):
    g_hidden, d_hidden = dense_hidden(m, m.g_features), dense_hidden(m, m.d_features)
    return (DCGANGenerator(size, channels, m.g_features, g_spec, g_hidden, **g_cond),
            DCGANDiscriminator(size, m.d_features, d_spec, d_hidden, **d_cond))
  return (ResNetGenerator(size, channels, m.g_features, g_spec, hierarchical=m.name == 'biggan',
                          attention_resolution=m.attention_resolution, **g_cond),
          ResNetDiscriminator(size, m.d_features, d_spec,
                              attention_resolution=m.attention_resolution, **d_cond))


def create_stylegan2(m: ml_collections.ConfigDict, size: int, channels: int, num_classes: int,
                     axis_name: str | None):
  """StyleGAN2's G and D from config.model.stylegan2 (float32: no compute dtype yet)."""
  sg2 = m.stylegan2
  widths = dict(channel_base=sg2.channel_base, channel_max=sg2.channel_max)
  clamp = sg2.conv_clamp or None
  g_classes = num_classes if m.g_conditioning != 'none' else 0
  d_classes = num_classes if m.d_conditioning != 'none' else 0
  return (stylegan2.StyleGAN2Generator(
              size, channels, m.z_dim, sg2.w_dim, sg2.mapping_layers, num_classes=g_classes,
              style_mixing_prob=sg2.style_mixing_prob, clamp=clamp,
              axis_name=axis_name,
              conditioning=m.g_conditioning, **widths),
          stylegan2.StyleGAN2Discriminator(
              size, num_classes=d_classes, architecture=sg2.d_architecture,
              mbstd_group_size=sg2.mbstd_group_size, mbstd_channels=sg2.mbstd_channels,
              mapping_layers=sg2.d_mapping_layers, clamp=clamp, conditioning=m.d_conditioning,
              **widths))


def dense_hidden(m: ml_collections.ConfigDict, features: int) -> int:
  """Width of the wide dense layer of a DCGAN-family network of `features` (0: none; InfoGAN:
  Lucic et al.'s 1024 at 64)."""
  return INFOGAN_DENSE_FACTOR * features if m.name == 'infogan' else 0


def image_sizes(limit: int = 1024) -> list[int]:
  """The square sizes the image models make: 4 or 7 times 2**k, k >= 2."""
  return [s for s in range(1, limit + 1) if upsamplings(s) is not None]


def check(config: ml_collections.ConfigDict) -> None:
  """config.model on its own: names, sizes, and the options each network has."""
  m = config.model
  fields.one_of('model.name', m.name, MODELS)
  fields.one_of('model.g_norm', m.g_norm, NORMS)
  fields.one_of('model.d_norm', m.d_norm, NORMS)
  fields.one_of('model.g_conditioning', m.g_conditioning, CONDITIONINGS_G)
  fields.one_of('model.d_conditioning', m.d_conditioning, CONDITIONINGS_D)
  fields.positive(config, 'model.z_dim', 'model.g_features', 'model.d_features', 'model.pack',
                  'model.embedding_dim')
  fields.non_negative(config, 'model.attention_resolution')
  if m.name == 'mlp':
    fields.positive(config, 'model.g_layers', 'model.d_layers', 'model.d_maxout_pieces')
  elif m.d_maxout_pieces != 1:
    raise ConfigError(f'config.model.d_maxout_pieces={m.d_maxout_pieces!r} is for '
                      f"config.model.name='mlp' only (here {m.name!r}); use 1.")
  if (m.g_conditioning == 'none') != (m.d_conditioning == 'none'):
    raise ConfigError(
        f'config.model.g_conditioning={m.g_conditioning!r} and config.model.d_conditioning='
        f"{m.d_conditioning!r}: a class-conditional GAN needs both set, or both 'none'.")
  g_activation = split_norm(m.g_norm)[1]
  if m.g_conditioning == 'cond_batch_norm' and g_activation != 'batch_norm':
    raise ConfigError(f"config.model.g_conditioning='cond_batch_norm' makes G's batch norms "
                      f'conditional, but config.model.g_norm={m.g_norm!r} has none; accepted '
                      "g_norm: 'batch_norm', 'spectral_norm+batch_norm'.")
  if m.name == 'biggan':
    if g_activation != 'batch_norm':
      raise ConfigError(f"config.model.name='biggan' feeds its z chunks through G's batch norms"
                        f', but config.model.g_norm={m.g_norm!r} has none; accepted g_norm: '
                        "'batch_norm', 'spectral_norm+batch_norm'.")
    if m.g_conditioning == 'concat':
      raise ConfigError("config.model.name='biggan' conditions G through its shared class "
                        "embedding: config.model.g_conditioning must be 'cond_batch_norm' or "
                        "'none', not 'concat'.")
  if m.attention_resolution and m.name not in ('resnet', 'biggan'):
    raise ConfigError(f'config.model.attention_resolution={m.attention_resolution} is for '
                      f"model.name 'resnet' or 'biggan', not {m.name!r}; set it to 0.")
  check_stylegan2_fields(config)
  if m.name == 'stylegan2':
    check_stylegan2(config)


def check_stylegan2_fields(config: ml_collections.ConfigDict) -> None:
  """config.model.stylegan2's own ranges, whatever the model (a sound config throughout)."""
  sg2 = config.model.stylegan2
  fields.positive(config, 'model.stylegan2.w_dim', 'model.stylegan2.mapping_layers',
                  'model.stylegan2.d_mapping_layers', 'model.stylegan2.channel_base',
                  'model.stylegan2.channel_max', 'model.stylegan2.mbstd_group_size')
  fields.non_negative(config, 'model.stylegan2.mbstd_channels', 'model.stylegan2.conv_clamp')
  fields.one_of('model.stylegan2.d_architecture', sg2.d_architecture,
                stylegan2.D_ARCHITECTURES)
  if not 0.0 <= sg2.style_mixing_prob <= 1.0:
    raise ConfigError(f'config.model.stylegan2.style_mixing_prob={sg2.style_mixing_prob!r} '
                      'must be in [0, 1].')


def check_stylegan2(config: ml_collections.ConfigDict) -> None:
  """StyleGAN2 has its own normalisation (weight demodulation) and conditioning."""
  m, sg2 = config.model, config.model.stylegan2
  for name in ('g_norm', 'd_norm'):
    if m[name] != 'none':
      raise ConfigError(f"config.model.name='stylegan2' normalises by weight demodulation; "
                        f"config.model.{name}={m[name]!r} must be 'none'.")
  for name, accepted in (('g_conditioning', ('none', 'concat')),
                         ('d_conditioning', ('none', 'projection'))):
    if m[name] not in accepted:
      raise ConfigError(f"config.model.name='stylegan2' conditions as sg2-ada (G: a label "
                        f"embedding joined to z; D: a projection); config.model.{name}="
                        f'{m[name]!r}; accepted: {accepted}.')
  width = stylegan2.width(stylegan2.MIN_RESOLUTION, sg2.channel_base, sg2.channel_max)
  if sg2.mbstd_channels and width % sg2.mbstd_channels:
    raise ConfigError(f'config.model.stylegan2.mbstd_channels={sg2.mbstd_channels} must divide '
                      f"D's 4x4 width ({width}).")
  if config.train.precision != 'float32':
    raise ConfigError(f"config.model.name='stylegan2' computes in float32 for now; "
                      f"config.train.precision={config.train.precision!r}; accepted: 'float32'.")


def check_image_size(m: ml_collections.ConfigDict, height: int, width: int) -> None:
  """The image models' size rules, for data of height x width."""
  if m.name == 'stylegan2':
    check_stylegan2_size(m.stylegan2, height, width)
    return
  if height != width or upsamplings(height) is None:
    raise ConfigError(
        f'config.model.name={m.name!r} cannot produce {height}x{width} images; set '
        f'config.data.image_size to one of {image_sizes()} (4 or 7 times 2**k, k >= 2).')
  if m.name == 'infogan' and upsamplings(height) != 2:
    raise ConfigError(f"config.model.name='infogan' makes 16x16 or 28x28 images; the data is "
                      f'{height}x{width}: set config.data.image_size to 16 or 28.')
  if m.attention_resolution and m.name in ('resnet', 'biggan'):
    sizes = sorted(set(resnet.resolutions(height)['g']) & set(resnet.resolutions(height)['d']))
    if m.attention_resolution not in sizes:
      raise ConfigError(f'config.model.attention_resolution={m.attention_resolution} is not a '
                        f'resolution both {height}x{width} networks pass; accepted: 0, {sizes}.')


def check_stylegan2_size(sg2: ml_collections.ConfigDict, height: int, width: int) -> None:
  """Square, a power of two, and at least one channel at full size."""
  if height != width or not stylegan2.is_power_of_two(height):
    sizes = [2**k for k in range(2, 11)]
    raise ConfigError(f"config.model.name='stylegan2' makes square images whose size is a power "
                      f'of two; the data is {height}x{width}: set config.data.image_size to one '
                      f'of {sizes} (28x28 digits: 32).')
  if stylegan2.width(height, sg2.channel_base, sg2.channel_max) < 1:
    raise ConfigError(f'config.model.stylegan2.channel_base={sg2.channel_base} leaves no channels '
                      f'at {height}x{width} (width = min(channel_base / {height}, channel_max)); '
                      f'set it to at least {height}.')

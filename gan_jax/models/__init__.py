"""Model registry: builds G and D from `config.model` and the data's shape and classes, and
checks the rules of config.model that the networks themselves impose."""
import jax.numpy as jnp
import ml_collections

from gan_jax.config import fields
from gan_jax.config.errors import ConfigError
from gan_jax.models import resnet
from gan_jax.models.dcgan import DCGANDiscriminator, DCGANGenerator, upsamplings
from gan_jax.models.layers import (CONDITIONINGS_D, CONDITIONINGS_G, NORMS, LayerSpec,
                                   split_norm)
from gan_jax.models.mlp import MLPDiscriminator, MLPGenerator
from gan_jax.models.resnet import ResNetDiscriminator, ResNetGenerator

MODELS = ('mlp', 'dcgan', 'infogan', 'resnet', 'biggan')
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
  if m.name in ('dcgan', 'infogan'):
    g_hidden, d_hidden = dense_hidden(m, m.g_features), dense_hidden(m, m.d_features)
    return (DCGANGenerator(size, channels, m.g_features, g_spec, g_hidden, **g_cond),
            DCGANDiscriminator(size, m.d_features, d_spec, d_hidden, **d_cond))
  return (ResNetGenerator(size, channels, m.g_features, g_spec, hierarchical=m.name == 'biggan',
                          attention_resolution=m.attention_resolution, **g_cond),
          ResNetDiscriminator(size, m.d_features, d_spec,
                              attention_resolution=m.attention_resolution, **d_cond))


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


def check_image_size(m: ml_collections.ConfigDict, height: int, width: int) -> None:
  """The image models' size rules, for data of height x width."""
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

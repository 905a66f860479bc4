"""Model registry: builds G and D from `config.model` and the data's shape and classes."""
import jax.numpy as jnp
import ml_collections

from gan_jax.models.dcgan import DCGANDiscriminator, DCGANGenerator
from gan_jax.models.layers import LayerSpec
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
  g_cond = dict(conditioning=m.g_conditioning, num_classes=num_classes)
  d_cond = dict(conditioning=m.d_conditioning, num_classes=num_classes)
  if m.name == 'mlp':
    return (MLPGenerator(tuple(data_shape), m.g_features, m.g_layers, g_spec,
                         tanh_output=len(data_shape) == 3, **g_cond),
            MLPDiscriminator(m.d_features, m.d_layers, d_spec, m.d_maxout_pieces, **d_cond))
  if m.name not in MODELS:
    raise ValueError(f'Unknown config.model.name {m.name!r}; accepted: {MODELS}.')
  size, _, channels = data_shape
  if m.name in ('dcgan', 'infogan'):
    g_hidden = INFOGAN_DENSE_FACTOR * m.g_features if m.name == 'infogan' else 0
    d_hidden = INFOGAN_DENSE_FACTOR * m.d_features if m.name == 'infogan' else 0
    return (DCGANGenerator(size, channels, m.g_features, g_spec, g_hidden, **g_cond),
            DCGANDiscriminator(size, m.d_features, d_spec, d_hidden, **d_cond))
  return (ResNetGenerator(size, channels, m.g_features, g_spec, hierarchical=m.name == 'biggan',
                          embedding_dim=m.embedding_dim,
                          attention_resolution=m.attention_resolution, **g_cond),
          ResNetDiscriminator(size, m.d_features, d_spec,
                              attention_resolution=m.attention_resolution, **d_cond))

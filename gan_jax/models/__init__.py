"""Model registry: builds G and D from `config.model` and the data's shape."""
import ml_collections

from gan_jax.models.dcgan import DCGANDiscriminator, DCGANGenerator
from gan_jax.models.mlp import MLPDiscriminator, MLPGenerator

MODELS = ('mlp', 'dcgan')


def create_models(model_config: ml_collections.ConfigDict, data_shape: tuple[int, ...],
                  axis_name: str | None = None):
  """Returns (generator, discriminator) for samples of `data_shape`.

  `data_shape` is (2,) for 2D points or (H, W, C) for images. `axis_name` is
  the device axis batch norm reduces over (None outside pmap).
  """
  m = model_config
  if m.name == 'mlp':
    generator = MLPGenerator(out_shape=tuple(data_shape), features=m.g_features,
                             layers=m.g_layers, norm=m.g_norm,
                             tanh_output=len(data_shape) == 3, axis_name=axis_name)
    discriminator = MLPDiscriminator(features=m.d_features, layers=m.d_layers,
                                     norm=m.d_norm, axis_name=axis_name)
  elif m.name == 'dcgan':
    size, _, channels = data_shape
    generator = DCGANGenerator(image_size=size, channels=channels, features=m.g_features,
                               norm=m.g_norm, axis_name=axis_name)
    discriminator = DCGANDiscriminator(image_size=size, features=m.d_features,
                                       norm=m.d_norm, axis_name=axis_name)
  else:
    raise ValueError(f'Unknown config.model.name {m.name!r}; accepted: {MODELS}.')
  return generator, discriminator

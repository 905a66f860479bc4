"""LSGAN (Mao et al. 2017) on MNIST: the DCGAN networks with the least-squares loss.

python -m gan_jax.main --config configs/lsgan_mnist.py --workdir /tmp/lsgan \
  --config.data.manual_dir=../shared/data/mnist
Smoke run: configs/lsgan_mnist.py:tiny
"""
from gan_jax import config_lib


def get_config(arg=None):
  config = config_lib.dcgan_recipe(config_lib.base_config())
  config.data.name = 'mnist'
  config.loss.name = 'least_squares'
  return config_lib.maybe_tiny(config, arg)

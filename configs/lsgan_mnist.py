"""LSGAN (Mao et al. 2017) on MNIST: the DCGAN networks with the least-squares loss.

python -m gan_jax.main --config configs/lsgan_mnist.py --workdir /tmp/lsgan \
  --config.data.manual_dir=../shared/data/mnist
Smoke run: configs/lsgan_mnist.py:tiny
"""
from gan_jax.run import base
from gan_jax.tasks.gan import recipes


def get_config(arg=None):
  config = recipes.dcgan_recipe(base.base_config())
  config.data.name = 'mnist'
  config.loss.name = 'least_squares'
  return base.maybe_tiny(config, arg)

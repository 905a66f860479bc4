"""SNGAN on CIFAR-10 (Miyato et al. 2018): ResNet G/D, spectral norm in D, hinge loss.

python -m gan_jax.main --config configs/sngan_cifar10.py --workdir /tmp/sngan
(Needs the network, or cifar-10-binary.tar.gz in --config.data.manual_dir.)
Smoke run: configs/sngan_cifar10.py:tiny
"""
from gan_jax.run import base
from gan_jax.tasks.gan import recipes


def get_config(arg=None):
  config = recipes.sngan_recipe(base.base_config())
  return base.maybe_tiny(config, arg)

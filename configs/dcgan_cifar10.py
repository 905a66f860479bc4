"""DCGAN on CIFAR-10 (32x32x3, G from a 4x4 base: 256 -> 128 -> 64 -> 3 channels).

python -m gan_jax.main --config configs/dcgan_cifar10.py --workdir /tmp/cifar10
(Needs the network, or cifar-10-binary.tar.gz in --config.data.manual_dir.)
Smoke run: configs/dcgan_cifar10.py:tiny
"""
from gan_jax.run import base
from gan_jax.tasks.gan import recipes


def get_config(arg=None):
  config = recipes.dcgan_recipe(base.base_config())
  config.data.name = 'cifar10'  # tfds name; 50,000 32x32 colour training images.
  config.train.num_steps = 50_000
  config.train.eval_every_steps = 2_000
  config.train.checkpoint_every_steps = 2_000
  config.evals.monitor.every_steps = 5_000
  return base.maybe_tiny(config, arg)

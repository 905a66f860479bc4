"""DCGAN on MNIST (28x28x1, G from a 7x7 base).

python -m gan_jax.main --config configs/dcgan_mnist.py --workdir /tmp/mnist \
  --config.data.manual_dir=../shared/data/mnist
(manual_dir only offline; with internet tfds downloads MNIST.) Smoke run: configs/dcgan_mnist.py:tiny
"""
from gan_jax.run import base
from gan_jax.tasks.gan import recipes


def get_config(arg=None):
  config = recipes.dcgan_recipe(base.base_config())
  config.data.name = 'mnist'  # tfds name; 60,000 28x28 grey training digits.
  return base.maybe_tiny(config, arg)

"""DCGAN on Fashion-MNIST (28x28x1).

python -m gan_jax.main --config configs/dcgan_fashion_mnist.py --workdir /tmp/fashion \
  --config.data.manual_dir=../shared/data/fashion_mnist
(manual_dir only offline.) Smoke run: configs/dcgan_fashion_mnist.py:tiny
"""
from gan_jax.run import base
from gan_jax.tasks.gan import recipes


def get_config(arg=None):
  config = recipes.dcgan_recipe(base.base_config())
  config.data.name = 'fashion_mnist'  # tfds name; 60,000 28x28 grey clothing images.
  config.train.num_steps = 10_000  # Clothing textures take longer than digits.
  return base.maybe_tiny(config, arg)

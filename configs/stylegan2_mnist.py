"""StyleGAN2-ADA on MNIST, resized to 32x32 (recipes.stylegan2_recipe: sg2-ada's 'cifar'
configuration with adaptive augmentation, narrowed for a CPU).

python -m gan_jax.main --config configs/stylegan2_mnist.py --workdir /tmp/sg2_mnist \
  --config.data.manual_dir=../shared/data/mnist \
  --config.inception_weights=../shared/data/inception/fid_inception_v3_tf2015_pool3.npz
Smoke run: configs/stylegan2_mnist.py:tiny
"""
from gan_jax.run import base
from gan_jax.tasks.gan import recipes


def get_config(arg=None):
  config = recipes.stylegan2_recipe(base.base_config())
  config.data.name = 'mnist'  # tfds name; 60,000 28x28 grey digits.
  return base.maybe_tiny(config, arg)

"""ACGAN (Odena et al. 2017) on MNIST: cgan_pd_mnist's networks with D's projection replaced
by an auxiliary classifier, whose cross-entropy both players also minimise (D on the real
digits' classes, G on the class it was asked for); the same evals.

python -m gan_jax.main --config configs/acgan_mnist.py --workdir /tmp/acgan_mnist \
  --config.data.manual_dir=../shared/data/mnist \
  --config.inception_weights=../shared/data/inception/fid_inception_v3_tf2015_pool3.npz
Sample grids show one row per digit. Smoke run: configs/acgan_mnist.py:tiny
"""
from gan_jax.run import base
from gan_jax.tasks.gan import recipes


def get_config(arg=None):
  config = recipes.conditional_mnist_recipe(base.base_config(), d_conditioning='acgan')
  config.loss.acgan_weight = 1.0  # The paper's: the class term weighs as the GAN term.
  return base.maybe_tiny(config, arg)

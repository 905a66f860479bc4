"""WGAN-GP on CIFAR-10 (Gulrajani et al. 2017): ResNet G (batch norm) and critic (no
normalization), gradient penalty 10, 5 critic updates per G update, Adam(2e-4, 0, 0.9).

python -m gan_jax.main --config configs/wgan_gp_cifar10.py --workdir /tmp/wgan_gp
Smoke run: configs/wgan_gp_cifar10.py:tiny
"""
from gan_jax.run import base
from gan_jax.tasks.gan import recipes


def get_config(arg=None):
  config = recipes.sngan_recipe(base.base_config())
  config.model.g_features = 128
  config.model.d_norm = 'none'
  config.loss.name = 'wasserstein'
  config.penalty.gp = 10.0
  config.train.num_steps = 100_000
  config.evals.monitor.every_steps = 10_000
  return base.maybe_tiny(config, arg)

"""Class-conditional SNGAN on CIFAR-10 with a projection discriminator (Miyato & Koyama 2018):
conditional batch norm in G, <embed(y), features> in D.

python -m gan_jax.main --config configs/cgan_pd_cifar10.py --workdir /tmp/cgan_pd
Sample grids show one row per class. Smoke run: configs/cgan_pd_cifar10.py:tiny
"""
from gan_jax.run import base
from gan_jax.tasks.gan import recipes


def get_config(arg=None):
  config = recipes.sngan_recipe(base.base_config())
  config.model.g_conditioning = 'cond_batch_norm'
  config.model.d_conditioning = 'projection'
  return base.maybe_tiny(config, arg)

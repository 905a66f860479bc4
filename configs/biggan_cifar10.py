"""BigGAN-style class-conditional GAN on CIFAR-10 (Brock et al. 2019): spectral norm in G and
D, a shared class embedding and hierarchical z into G's conditional batch norms, projection D,
self-attention at 16x16, hinge loss, EMA of G from step 1,000.

python -m gan_jax.main --config configs/biggan_cifar10.py --workdir /tmp/biggan
Smoke run: configs/biggan_cifar10.py:tiny
"""
from gan_jax.run import base
from gan_jax.tasks.gan import recipes


def get_config(arg=None):
  config = recipes.sngan_recipe(base.base_config())
  config.model.name = 'biggan'
  config.model.g_norm = 'spectral_norm+batch_norm'
  config.model.g_conditioning = 'cond_batch_norm'
  config.model.d_conditioning = 'projection'
  config.model.attention_resolution = 16
  config.train.n_critic = 4
  config.optim.b2 = 0.999
  config.train.ema_decay = 0.9999
  config.train.ema_start_step = 1_000
  return base.maybe_tiny(config, arg)

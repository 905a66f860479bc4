"""Class-conditional StyleGAN2-ADA on CIFAR-10 as stylegan2-ada-pytorch's 'cifar'
configuration with --cond=1, a GPU recipe: channel_base 32768 and channel_max 512 (512 wide
at every resolution), G's EMA with a half-life of 500,000 images ramped up to 5% of the
images seen, and 100,000 kimg (1,562,500 steps of 64), on top of recipes.stylegan2_recipe.
The ADA paper takes CIFAR-10's record FID from 5.59 to 2.42 with this configuration (its
abstract; the released cifar10.pkl is class-conditional). Not measured here.

python -m gan_jax.main --config configs/stylegan2_cifar10.py --workdir /tmp/sg2_cifar10
Smoke run: configs/stylegan2_cifar10.py:tiny
"""
from gan_jax.run import base
from gan_jax.tasks.gan import recipes


def get_config(arg=None):
  config = recipes.stylegan2_recipe(base.base_config())
  config.data.name = 'cifar10'  # tfds name; 50,000 32x32 RGB images, 10 classes.
  config.model.g_conditioning = 'concat'  # sg2-ada: a label embedding joined to z ...
  config.model.d_conditioning = 'projection'  # ... and D's projection-style output.
  config.model.stylegan2.channel_base = 32_768
  config.model.stylegan2.channel_max = 512
  config.train.ema_halflife_images = 500_000
  config.train.ema_rampup = 0.05
  config.train.ema_warmup = False
  config.train.num_steps = 1_562_500
  config.train.checkpoint_every_steps = 10_000
  config.train.eval_every_steps = 10_000
  config.evals.monitor.every_steps = 50_000
  return base.maybe_tiny(config, arg)

"""Class-conditional DCGAN on MNIST with a projection discriminator (Miyato & Koyama 2018):
conditional batch norm in G, <embed(y), features> in D; its Classification Accuracy Score
(Ravuri & Vinyals 2019) at the end of training.

python -m gan_jax.main --config configs/cgan_pd_mnist.py --workdir /tmp/cgan_pd_mnist \
  --config.data.manual_dir=../shared/data/mnist
Sample grids show one row per digit. Smoke run: configs/cgan_pd_mnist.py:tiny
"""
from gan_jax.config import base
from gan_jax.eval import registry
from gan_jax.tasks.gan import recipes


def get_config(arg=None):
  config = recipes.dcgan_recipe(base.base_config())
  config.data.name = 'mnist'
  config.model.g_conditioning = 'cond_batch_norm'
  config.model.d_conditioning = 'projection'
  # gan_jax's classifier trained on 1,000 EMA samples per digit, tested on the 10,000 test
  # digits, beside it trained on 1,000 real training digits per class; and 100 real digits
  # per class alone vs with the samples added.
  config.evals.cas = registry.eval_config('cas', every_steps=0,
                                          num_samples=10_000, augment_real_per_class=100)
  return base.maybe_tiny(config, arg)

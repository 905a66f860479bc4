"""Class-conditional DCGAN on MNIST with a projection discriminator (Miyato & Koyama 2018):
a learned 10-d class embedding joined to z at G's input, <embed(y), D's last activations
summed over space> added to D's logit (recipes.conditional_mnist_recipe says why not
conditional batch norm). It measures how often its samples are the digit asked for
(label_agreement) and its Classification Accuracy Score (Ravuri & Vinyals 2019).

python -m gan_jax.main --config configs/cgan_pd_mnist.py --workdir /tmp/cgan_pd_mnist \
  --config.data.manual_dir=../shared/data/mnist \
  --config.inception_weights=../shared/data/inception/fid_inception_v3_tf2015_pool3.npz
Sample grids show one row per digit. Smoke run: configs/cgan_pd_mnist.py:tiny
"""
from gan_jax.run import base
from gan_jax.tasks.gan import recipes


def get_config(arg=None):
  config = recipes.conditional_mnist_recipe(base.base_config(), d_conditioning='projection')
  return base.maybe_tiny(config, arg)

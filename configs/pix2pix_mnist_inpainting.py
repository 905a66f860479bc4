"""pix2pix (Isola et al. 2017) inpainting MNIST: each training digit with a 14x14 hole in its
centre (Context Encoders' central region, filled mid-grey) is the input, the whole digit the
target; the networks, loss, budget and evaluations of configs/pix2pix_fashion_mnist_edges.py.

python -m gan_jax.main --config configs/pix2pix_mnist_inpainting.py \
  --workdir /tmp/pix2pix_inpainting --config.data.manual_dir=../shared/data/mnist
Holes anywhere: --config.pairs.mask_placement=random (each example's own, fixed place).
"""
from gan_jax.run import base
from gan_jax.tasks.pix2pix import config as pix2pix


def get_config(arg=None):
  config = pix2pix.mnist_recipe(base.base_config('pix2pix'))
  config.data.name = 'mnist'
  config.pairs.derivation = 'mask'
  config.pairs.mask_size = 14
  return base.maybe_tiny(config, arg)

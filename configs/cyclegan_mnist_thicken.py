"""CycleGAN (Zhu et al. 2017) between MNIST digits (domain A: half of the training split) and
thickened digits (domain B: the other half, each grey-dilated by 3x3), never paired. ResNet
Gs (2 downsamplings to 7x7, 6 blocks, width 32), 16x16 PatchGAN Ds, instance norm,
least-squares loss, cycle weight 10, identity 0.5 x 10, pools of 50, Adam 2e-4 (beta1 0.5)
constant for half the steps then linear to 0; 3,000 steps of 64 a domain. At the end: L1,
PSNR and SSIM of the 10,000 test translations of each direction against the ground truth
the derivation gives, and FID/KID of the first 2,000 B -> A translations.

python -m gan_jax.main --config configs/cyclegan_mnist_thicken.py \
  --workdir /tmp/cyclegan_thicken --config.data.manual_dir=../shared/data/mnist
Then every test translation, both ways: --mode translate (translations.npz: thick -> thin,
inverse_translations.npz: thin -> thick). Other domains B: --config.pairs.derivation=edges,
negative.
"""
from gan_jax.run import base
from gan_jax.tasks.cyclegan import config as cyclegan


def get_config(arg=None):
  config = cyclegan.mnist_recipe(base.base_config('cyclegan'))
  config.data.name = 'mnist'
  config.pairs.derivation = 'thicken'
  return base.maybe_tiny(config, arg)

"""pix2pix (Isola et al. 2017) on Fashion-MNIST edges -> garment: each training garment's
Sobel edge map (config.pairs) is the input, the garment the target. U-Net G (2 levels at
28x28), a 16x16 PatchGAN D on (input, output), adversarial + 100 L1, Adam 2e-4 (beta1 0.5),
3,000 steps of 64. At the end: L1, PSNR and SSIM of the 10,000 test translations against
their garments (and of the edge maps themselves), and FID/KID of the first 2,000 test
translations against the first 2,000 test garments.

python -m gan_jax.main --config configs/pix2pix_fashion_mnist_edges.py \
  --workdir /tmp/pix2pix_edges --config.data.manual_dir=../shared/data/fashion_mnist
Then every test translation: --mode translate (translations_step_N/translations.npz, .png).
The paper's ablation arms: --config.loss.adversarial_weight=0 (L1 only), l1_weight=0 (cGAN).
Other pairs: --config.pairs.derivation=mask (inpainting), noise (denoising), thicken, negative.
"""
from gan_jax.run import base
from gan_jax.tasks.pix2pix import config as pix2pix


def get_config(arg=None):
  config = pix2pix.mnist_recipe(base.base_config('pix2pix'))
  config.data.name = 'fashion_mnist'
  config.pairs.derivation = 'edges'
  return base.maybe_tiny(config, arg)

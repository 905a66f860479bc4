"""SRResNet (Ledig et al. 2017), stage 1 of SRGAN, on Fashion-MNIST x4: 7x7 inputs (PIL's
antialiased bicubic downsampling) -> 28x28. 16 residual blocks (width 64, batch norm, PReLU),
sub-pixel upsampling, pixel MSE only (no D), Adam 1e-4 (beta1 0.9), 3,000 steps of 64. At the
end: PSNR and SSIM of the 10,000 test outputs against the originals (a border of 4 cropped,
as SR papers) beside bicubic upsampling's, label preservation by gan_jax's Fashion-MNIST
classifier, and FID/KID of 2,000 outputs against 2,000 test garments.

python -m gan_jax.main --config configs/srresnet_fashion_mnist.py --workdir /tmp/srresnet \
  --config.data.manual_dir=../shared/data/fashion_mnist
Stage 2: configs/srgan_fashion_mnist.py with --config.init_from.workdir=/tmp/srresnet.
"""
from gan_jax.run import base
from gan_jax.tasks.srgan import config as srgan


def get_config(arg=None):
  config = base.base_config('srgan')
  config.data.name = 'fashion_mnist'
  return base.maybe_tiny(srgan.mnist_recipe(config, 'srresnet'), arg)

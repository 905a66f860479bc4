"""SRGAN (Ledig et al. 2017), stage 2, on Fashion-MNIST x4: the SRResNet of
configs/srresnet_fashion_mnist.py (its G, EMA and batch statistics, config.init_from) trained
on the content loss (the mean square of gan_jax's frozen Fashion-MNIST classifier's Conv_3
activations: the offline stand-in for the paper's VGG54) + 1e-3 x the adversarial loss of the
VGG-style D (4 stages, widths 16..128: the paper's 64..512 cost a CPU 7x the step), no pixel
loss; 3,000 steps of 64. Scored as stage 1.

python -m gan_jax.main --config configs/srgan_fashion_mnist.py --workdir /tmp/srgan \
  --config.data.manual_dir=../shared/data/fashion_mnist --config.init_from.workdir=/tmp/srresnet
"""
from gan_jax.run import base
from gan_jax.tasks.srgan import config as srgan


def get_config(arg=None):
  config = base.base_config('srgan')
  config.data.name = 'fashion_mnist'
  config = srgan.mnist_recipe(config, 'srgan')
  config.init_from.parts = srgan.SRRESNET_PARTS
  return base.maybe_tiny(config, arg)

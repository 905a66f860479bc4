"""One-class Fashion-MNIST, the GAN half: experiments/anomaly_mnist_gan.py's protocol (the
WGAN-GP of f-AnoGAN's stage 1 on the normal class's 6,000 training images, then AnoGAN's
latent search and the one-class SVM baseline on the 10,000 test garments) on the ten garment
classes. The f-AnoGAN encoders for these GANs: experiments/anomaly_fashion_mnist_fanogan.py.

python -m gan_jax.sweep experiments/anomaly_fashion_mnist_gan.py \
  --workdir runs/anomaly_fashion_mnist/gan --shard 0/2 \
  --set data.manual_dir=../shared/data/fashion_mnist      (and --shard 1/2 on another core)
"""
from experiments import anomaly_mnist_gan as mnist


def get_sweep():
  sweep = mnist.get_sweep()
  return {**sweep, 'fixed': {**sweep['fixed'], 'data.name': 'fashion_mnist'}}

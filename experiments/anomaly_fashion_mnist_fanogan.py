"""One-class Fashion-MNIST, f-AnoGAN's stage 2: an encoder for each trial of
experiments/anomaly_fashion_mnist_gan.py (the same classes and seeds, so the same trial
names), experiments/anomaly_mnist_fanogan.py's protocol on the ten garment classes.

python -m gan_jax.sweep experiments/anomaly_fashion_mnist_fanogan.py \
  --workdir runs/anomaly_fashion_mnist/fanogan --shard 0/2 \
  --set data.manual_dir=../shared/data/fashion_mnist
(after the GAN sweep, run with --workdir runs/anomaly_fashion_mnist/gan, has finished)
"""
from experiments import anomaly_mnist_fanogan as mnist


def get_sweep():
  sweep = mnist.get_sweep()
  return {**sweep, 'fixed': {**sweep['fixed'], 'data.name': 'fashion_mnist'}}

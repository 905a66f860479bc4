"""One-class Fashion-MNIST, GANomaly: experiments/anomaly_mnist_ganomaly.py's protocol on the
ten garment classes (configs/ganomaly_mnist.py with data.name='fashion_mnist': 15 epochs of
the normal class's 6,000 training images); the one-class SVM baseline in the same runs.

python -m gan_jax.sweep experiments/anomaly_fashion_mnist_ganomaly.py \
  --workdir runs/anomaly_fashion_mnist/ganomaly --shard 0/2 \
  --set data.manual_dir=../shared/data/fashion_mnist
"""
from experiments import anomaly_mnist_gan as gan_sweep  # The classes and seeds.


def get_sweep():
  return dict(
      config='configs/ganomaly_mnist.py',
      fixed={'data.name': 'fashion_mnist'},
      grid={'data.classes': gan_sweep.DIGITS},
      seeds=gan_sweep.SEEDS,
      metric='anomaly/auroc/raw',
      mode='max',
  )

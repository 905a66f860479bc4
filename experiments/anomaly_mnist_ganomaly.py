"""One-class MNIST, GANomaly: for each normal digit and seed of experiments/anomaly_mnist_gan.py,
GANomaly (configs/ganomaly_mnist.py, the paper's 15 epochs of the normal digit) trained from
scratch; its latent-distance score ranks the 10,000 test digits at the end.

python -m gan_jax.sweep experiments/anomaly_mnist_ganomaly.py \
  --workdir runs/anomaly_mnist/ganomaly --shard 0/2 --set data.manual_dir=../shared/data/mnist
"""
from experiments import anomaly_mnist_gan as gan_sweep  # The digits and seeds.


def get_sweep():
  return dict(
      config='configs/ganomaly_mnist.py',
      grid={'data.classes': gan_sweep.DIGITS},
      seeds=gan_sweep.SEEDS,
      metric='anomaly/auroc/raw',
      mode='max',
  )

"""Issue 40: a Fashion-MNIST recipe at FID <= 15 within 20 epochs of 64-image steps. The
protocol of experiments/mnist_tuned_search.py (train on train[:50000]; KID-2k of EMA samples
against 2,000 of the held-out train[50000:] every 6,250 steps; no test split), from
configs/dcgan_fashion_mnist.py; the settings that MNIST's search found worth trying.

python -m gan_jax.sweep experiments/fashion_mnist_tuned_search.py \
  --workdir runs/fashion_mnist_tuned_search --set data.manual_dir=../shared/data/fashion_mnist \
  --set inception_weights=../shared/data/inception/fid_inception_v3_tf2015_pool3.npz
"""
from experiments import mnist_tuned_search as mnist


def get_sweep():
  return {**mnist.get_sweep(), 'config': 'configs/dcgan_fashion_mnist.py',
          'variants': [{},  # Radford et al.'s DCGAN recipe.
                       {'model.name': 'infogan'}]}  # Lucic et al.'s networks: MNIST's best.

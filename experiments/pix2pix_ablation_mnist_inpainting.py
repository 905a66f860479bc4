"""pix2pix's loss ablation (experiments/pix2pix_ablation_fashion_edges.py's arms and seeds)
on MNIST inpainting: a 14x14 centre hole -> the digit (configs/pix2pix_mnist_inpainting.py),
scored the same way, label preservation by gan_jax's MNIST classifier.

python -m gan_jax.sweep experiments/pix2pix_ablation_mnist_inpainting.py \
  --workdir runs/pix2pix_ablation/mnist_inpainting --shard 0/2 \
  --set data.manual_dir=../shared/data/mnist \
  --set inception_weights=../shared/data/inception/fid_inception_v3_tf2015_pool3.npz
"""
from experiments import pix2pix_ablation_fashion_edges as fashion


def get_sweep():
  return dict(config='configs/pix2pix_mnist_inpainting.py', variants=fashion.ARMS,
              seeds=fashion.SEEDS, metric='fid/fid', mode='min')

"""Denoising MNIST (issue 19, experiment 3): pix2pix (L1 + cGAN) against the L1-only network,
on digits under additive Gaussian noise (pairs.derivation=noise, std 0.5 on [-1, 1]: 64/255),
3 seeds each, the recipe's 3,000 steps of 64 (configs/pix2pix_mnist_inpainting.py's, its pairs
switched to noise). The noisy input itself is the third row of the table: the translation
evaluator's identity_* values. PSNR and SSIM against the clean digits, FID/KID of 2,000
outputs against 2,000 test digits, label preservation by gan_jax's MNIST classifier.

python -m gan_jax.sweep experiments/pix2pix_denoising_mnist.py \
  --workdir runs/pix2pix_denoising_mnist --shard 0/2 --set data.manual_dir=../shared/data/mnist \
  --set inception_weights=../shared/data/inception/fid_inception_v3_tf2015_pool3.npz
"""
from experiments import pix2pix_ablation_fashion_edges as ablation


def get_sweep():
  return dict(config='configs/pix2pix_mnist_inpainting.py',
              fixed={'pairs.derivation': 'noise'},
              variants=[arm for arm in ablation.ARMS if arm != {'loss.l1_weight': 0.0}],
              seeds=ablation.SEEDS, metric='fid/fid', mode='min')

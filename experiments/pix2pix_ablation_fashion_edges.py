"""pix2pix's loss ablation (Isola et al. 2017, Table 1) on Fashion-MNIST edges -> garment:
L1 alone, cGAN alone and L1 + cGAN (lambda 100), 3 seeds each, with the recipe's 3,000 steps
of 64 (configs/pix2pix_fashion_mnist_edges.py). Scored at the end on the test split: L1,
PSNR and SSIM against the garments, label preservation by gan_jax's Fashion-MNIST
classifier, and FID/KID of 2,000 translations against 2,000 test garments.

python -m gan_jax.sweep experiments/pix2pix_ablation_fashion_edges.py \
  --workdir runs/pix2pix_ablation/fashion_edges --shard 0/2 \
  --set data.manual_dir=../shared/data/fashion_mnist \
  --set inception_weights=../shared/data/inception/fid_inception_v3_tf2015_pool3.npz
(and --shard 1/2 on another core; --report ranks the arms by FID). The MNIST inpainting
arm: experiments/pix2pix_ablation_mnist_inpainting.py.
"""

# The paper's arms; L1 + cGAN is the recipe itself (its lambda named, for the trial name).
ARMS = [{'loss.adversarial_weight': 0.0},  # L1 only: D neither runs nor trains.
        {'loss.l1_weight': 0.0},  # cGAN only.
        {'loss.l1_weight': 100.0}]  # L1 + cGAN.
SEEDS = [0, 1, 2]


def get_sweep():
  return dict(config='configs/pix2pix_fashion_mnist_edges.py', variants=ARMS, seeds=SEEDS,
              metric='fid/fid', mode='min')

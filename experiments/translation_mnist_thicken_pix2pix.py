"""CycleGAN against pix2pix (issue 19, experiment 2), the paired upper bound: pix2pix (L1 +
cGAN, configs/pix2pix_mnist_inpainting.py's networks and 3,000 steps of 64, its pairs
switched to thicken) learns thickened digit -> digit from pairs, 3 seeds. Scored as the
CycleGAN arm's B -> A direction (experiments/translation_mnist_thicken_cyclegan.py): L1, PSNR
and SSIM against the digits, label preservation by gan_jax's MNIST classifier, FID/KID of
2,000 outputs against 2,000 test digits.

python -m gan_jax.sweep experiments/translation_mnist_thicken_pix2pix.py \
  --workdir runs/translation_mnist_thicken/pix2pix --set data.manual_dir=../shared/data/mnist \
  --set inception_weights=../shared/data/inception/fid_inception_v3_tf2015_pool3.npz
"""
SEEDS = [0, 1, 2]


def get_sweep():
  return dict(config='configs/pix2pix_mnist_inpainting.py',
              fixed={'pairs.derivation': 'thicken'}, seeds=SEEDS, metric='fid/fid', mode='min')

"""CycleGAN against pix2pix (issue 19, experiment 2), the unpaired arm: CycleGAN between one
half of MNIST's training digits and the other half thickened (configs/cyclegan_mnist_thicken.py:
it never sees a pair), 3 seeds, at a CPU budget: ResNet Gs of width 16 with 3 residual blocks
and batches of 32 a domain for the recipe's 3,000 steps (3.2 epochs of each half). The
recipe's width 32, 6 blocks and batch 64 cost ~5 s a step on one CPU core; width 16 and 3
blocks at batch 64, 2-2.5 s (2 hours a trial). Both directions are scored against the ground truth the derivation gives (L1, PSNR,
SSIM) and by label preservation (gan_jax's MNIST classifier); B -> A (thick -> thin, the
pix2pix arm's direction: experiments/translation_mnist_thicken_pix2pix.py) also by FID/KID of
2,000 outputs against 2,000 test digits.

python -m gan_jax.sweep experiments/translation_mnist_thicken_cyclegan.py \
  --workdir runs/translation_mnist_thicken/cyclegan --set data.manual_dir=../shared/data/mnist \
  --set inception_weights=../shared/data/inception/fid_inception_v3_tf2015_pool3.npz
"""
from experiments import translation_mnist_thicken_pix2pix as pix2pix


def get_sweep():
  return dict(config='configs/cyclegan_mnist_thicken.py',
              fixed={'model.g_features': 16, 'model.g_blocks': 3, 'train.batch_size': 32},
              seeds=pix2pix.SEEDS, metric='fid/fid', mode='min')

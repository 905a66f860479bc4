"""Super-resolution x4 on Fashion-MNIST (issue 20's experiment), stage 1: SRResNet
(configs/srresnet_fashion_mnist.py: pixel MSE, 3,000 steps of 64), 3 seeds. Each run scores
its 10,000 test outputs at the end beside bicubic upsampling (the translation evaluator's
bicubic_* values): PSNR and SSIM with a border of 4 cropped, label preservation by gan_jax's
Fashion-MNIST classifier, FID/KID of 2,000 outputs against 2,000 test garments. Stage 2,
SRGAN from each of these runs: experiments/sr_fashion_mnist_srgan.py.

python -m gan_jax.sweep experiments/sr_fashion_mnist_srresnet.py \
  --workdir runs/sr_fashion_mnist/srresnet --set data.manual_dir=../shared/data/fashion_mnist \
  --set inception_weights=../shared/data/inception/fid_inception_v3_tf2015_pool3.npz
MNIST: experiments/sr_mnist_srresnet.py and experiments/sr_mnist_srgan.py.
"""
SEEDS = [0, 1, 2]


def get_sweep():
  return dict(config='configs/srresnet_fashion_mnist.py', seeds=SEEDS, metric='fid/fid',
              mode='min')

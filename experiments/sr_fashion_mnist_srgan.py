"""Super-resolution x4 on Fashion-MNIST, stage 2: SRGAN (configs/srgan_fashion_mnist.py: the
classifier's content loss + 1e-3 adversarial, 3,000 steps of 64) from the SRResNet trial of
the same seed (experiments/sr_fashion_mnist_srresnet.py), scored as stage 1.

python -m gan_jax.sweep experiments/sr_fashion_mnist_srgan.py \
  --workdir runs/sr_fashion_mnist/srgan --set data.manual_dir=../shared/data/fashion_mnist \
  --set inception_weights=../shared/data/inception/fid_inception_v3_tf2015_pool3.npz
(after stage 1, run with --workdir runs/sr_fashion_mnist/srresnet, has finished)
"""
from experiments import sr_fashion_mnist_srresnet as srresnet


def get_sweep():
  return dict(config='configs/srgan_fashion_mnist.py', seeds=srresnet.SEEDS,
              init_from='{root}/../srresnet/{trial}', metric='fid/fid', mode='min')

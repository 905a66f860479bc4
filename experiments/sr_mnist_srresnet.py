"""Super-resolution x4 on MNIST, stage 1: experiments/sr_fashion_mnist_srresnet.py on digits
(data.name='mnist'; label preservation by gan_jax's MNIST classifier).

python -m gan_jax.sweep experiments/sr_mnist_srresnet.py \
  --workdir runs/sr_mnist/srresnet --set data.manual_dir=../shared/data/mnist \
  --set inception_weights=../shared/data/inception/fid_inception_v3_tf2015_pool3.npz
"""
from experiments import sr_fashion_mnist_srresnet as fashion


def get_sweep():
  return {**fashion.get_sweep(), 'fixed': {'data.name': 'mnist'}}

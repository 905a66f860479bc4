"""Improved GAN (Salimans et al. 2016): semi-supervised permutation-invariant MNIST with 100
labels, feature matching; the protocol of openai/improved-gan's
train_mnist_feature_matching.py (see gan_jax/tasks/semi_supervised/config.py).

python -m gan_jax.main --config configs/improved_gan_mnist.py --workdir /tmp/improved_gan \
  --config.data.manual_dir=../shared/data/mnist
Supervised-only control (the same D on the 100 labels alone): --config.loss.generator=none
Smoke run: configs/improved_gan_mnist.py:tiny
"""
from gan_jax.eval import registry
from gan_jax.run import base

EPOCH = 600  # Steps of 100 per pass over the 60,000 training images.


def get_config(arg=None):
  config = base.base_config('semi_supervised')
  config.data.name = 'mnist'
  config.train.batch_size = 100
  config.train.num_steps = 300 * EPOCH  # The paper's 300 epochs.
  config.train.log_every_steps = EPOCH // 2
  config.train.eval_every_steps = 10 * EPOCH  # G's sample grid.
  config.train.checkpoint_every_steps = 5 * EPOCH
  # Test error of the EMA classifier on the 10,000 test images, every 5 epochs; the raw
  # weights beside it.
  config.evals.test = registry.eval_config('classification', every_steps=5 * EPOCH,
                                           num_samples=10_000, generator='both')
  return base.maybe_tiny(config, arg)

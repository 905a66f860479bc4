"""DCGAN on Stacked MNIST (three digits as RGB: 1,000 modes), the mode-collapse benchmark.

python -m gan_jax.classifier --manual_dir=../shared/data/mnist   # once: the mode classifier
python -m gan_jax.main --config configs/dcgan_stacked_mnist.py --workdir /tmp/stacked \
  --config.data.manual_dir=../shared/data/mnist
Smoke run: configs/dcgan_stacked_mnist.py:tiny
"""
from gan_jax.eval import registry
from gan_jax.run import base
from gan_jax.tasks.gan import recipes


def get_config(arg=None):
  config = recipes.dcgan_recipe(base.base_config())
  config.data.name = 'stacked_mnist'  # 28x28x3, built from tfds MNIST.
  config.train.num_steps = 20_000
  # PacGAN's protocol: modes captured and KL to uniform over 26,000 samples.
  config.evals.modes = registry.eval_config('stacked_mnist', every_steps=5_000,
                                              num_samples=26_000)
  config.evals.monitor.every_steps = 5_000
  config.best.metric = 'modes/modes_captured'
  config.best.mode = 'max'
  return base.maybe_tiny(config, arg)

"""The classic fully connected GAN (Goodfellow et al. 2014) on MNIST.

python -m gan_jax.main --config configs/mlp_mnist.py --workdir /tmp/mlp_mnist \
  --config.data.manual_dir=../shared/data/mnist
Smoke run: configs/mlp_mnist.py:tiny
"""
from gan_jax.run import base
from gan_jax.tasks.gan import recipes


def get_config(arg=None):
  config = base.base_config()
  config.data.name = 'mnist'  # tfds name; images are flattened by the MLPs.
  config.model.name = 'mlp'
  config.model.z_dim = 100
  config.model.g_features = 512  # Hidden width of both networks.
  config.model.d_features = 512
  config.model.g_layers = 3
  config.model.d_layers = 3
  config.model.g_norm = 'batch_norm'  # Keeps the deep ReLU generator trainable.
  config.optim.g_lr = 2e-4
  config.optim.d_lr = 2e-4
  config.optim.b1 = 0.5
  config.train.batch_size = 64
  config.train.num_steps = 20_000
  config.train.log_every_steps = 100
  config.train.eval_every_steps = 1_000
  config.train.checkpoint_every_steps = 1_000
  recipes.measure_image_quality(config, monitor_every=5_000)
  return base.maybe_tiny(config, arg)

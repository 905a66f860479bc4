"""f-AnoGAN, stage 1 (Schlegl et al. 2019): a WGAN-GP trained on the normal MNIST digit only
(config.data.classes, default digit 0). Stage 2, its encoder and the anomaly scores:
configs/fanogan_mnist.py.

python -m gan_jax.main --config configs/fanogan_wgan_mnist.py --workdir /tmp/fanogan_wgan_0 \
  --config.data.manual_dir=../shared/data/mnist
Another normal digit: --config.data.classes='(3,)'. Smoke run: configs/fanogan_wgan_mnist.py:tiny
"""
from gan_jax.config import base
from gan_jax.tasks.gan import recipes


def get_config(arg=None):
  config = recipes.wgan_gp_recipe(base.base_config())
  recipes.fanogan_model(config.model)
  config.data.name = 'mnist'
  config.data.classes = (0,)
  config.train.num_steps = 2_000  # 10,000 critic updates.
  config.train.log_every_steps = 100
  config.train.eval_every_steps = 500
  config.train.checkpoint_every_steps = 500
  return base.maybe_tiny(config, arg)

"""The embedded default: MLP GAN on the ring of 8 Gaussians (no download).

python -m gan_jax.main --config configs/default.py --workdir /tmp/ring
Grid of 25 instead: --config.data.name=grid. Smoke run: configs/default.py:tiny
"""
from gan_jax.eval import registry
from gan_jax.run import base


def get_config(arg=None):
  config = base.base_config()
  config.data.name = 'ring'  # PacGAN ring: 8 modes on the unit circle, sigma 0.01.
  config.model.name = 'mlp'
  config.model.z_dim = 2  # 2D noise for 2D data: 8/8 modes on every seed tried (16 collapses).
  config.model.g_features = 128
  config.model.d_features = 128
  config.model.g_layers = 3
  config.model.d_layers = 3
  config.optim.g_lr = 1e-4
  config.optim.d_lr = 1e-4
  config.optim.b1 = 0.5
  config.train.batch_size = 256
  config.train.num_steps = 20_000
  config.train.log_every_steps = 500
  config.train.eval_every_steps = 2_000
  config.train.checkpoint_every_steps = 2_000
  # PacGAN's protocol: 2,500 samples; modes captured, % high quality, reverse KL.
  config.evals.coverage = registry.eval_config('mode_coverage', every_steps=2_000,
                                                 num_samples=2_500)
  config.best.metric = 'coverage/reverse_kl'
  return base.maybe_tiny(config, arg)

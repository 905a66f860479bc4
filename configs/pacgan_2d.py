"""PacGAN's 2D networks and optimiser (Lin et al. 2018) on the ring of 8 Gaussians.

python -m gan_jax.main --config configs/pacgan_2d.py --workdir /tmp/pacgan_ring
Grid of 25: --config.data.name=grid. PacGAN-m: --config.model.pack=m
--config.train.batch_size=<100 m> (the paper's D sees 100 packs a step).
G 4 x 400 ReLU + batch norm on 2D Gaussian z; D 3 x 200 maxout units of 5 pieces;
Adam with beta1 0.8. The paper trains 400,000 steps at a constant 1e-4; here 5,000 steps
(about 2 minutes on a 2-core CPU, the budget of experiments/pacgan_2d.py) from 1e-3
decaying linearly to 0. At 1e-4 for 5,000 steps, samples are still blurred (25% high
quality); a constant 1e-3 leaves them jittering (44%); the decay gives 91%, near the paper.
"""
from gan_jax.eval import registry
from gan_jax.run import base


def get_config(arg=None):
  config = base.base_config()
  config.data.name = 'ring'
  config.model.name = 'mlp'
  config.model.z_dim = 2
  config.model.g_features = 400
  config.model.g_layers = 4
  config.model.g_norm = 'batch_norm'
  config.model.d_features = 200
  config.model.d_layers = 3
  config.model.d_maxout_pieces = 5
  config.optim.g_lr = 1e-3
  config.optim.d_lr = 1e-3
  config.optim.schedule = 'linear'
  config.optim.b1 = 0.8
  config.train.batch_size = 100
  config.train.num_steps = 5_000
  config.train.log_every_steps = 500
  config.train.eval_every_steps = 2_500
  config.train.checkpoint_every_steps = 2_500
  # The paper's statistics on 2,500 samples of the trained G (it keeps no EMA).
  config.evals.coverage = registry.eval_config('mode_coverage', every_steps=2_500,
                                                 num_samples=2_500, generator='raw')
  config.best.metric = 'coverage/reverse_kl/raw'
  return base.maybe_tiny(config, arg)

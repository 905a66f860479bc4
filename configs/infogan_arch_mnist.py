"""The InfoGAN-style MNIST networks of "Are GANs Created Equal?" (Lucic et al. 2018):
G: z 64 -> FC 1024 -> FC 7x7x128 -> ConvT 64 -> ConvT 1 (batch norm, ReLU);
D: conv 64 -> conv 128 -> FC 1024 -> 1 (batch norm, LeakyReLU 0.2); batch 64, Adam(2e-4, 0.5).

python -m gan_jax.main --config configs/infogan_arch_mnist.py --workdir /tmp/infogan \
  --config.data.manual_dir=../shared/data/mnist
Other losses of the paper: --config.loss.name=minimax|least_squares|hinge, or WGAN-GP with
--config.loss.name=wasserstein --config.penalty.gp=10 --config.model.d_norm=layer_norm.
Smoke run: configs/infogan_arch_mnist.py:tiny
"""
from gan_jax.run import base
from gan_jax.tasks.gan import recipes


def get_config(arg=None):
  config = recipes.dcgan_recipe(base.base_config())
  config.data.name = 'mnist'
  config.model.name = 'infogan'
  config.model.z_dim = 64
  config.train.num_steps = 18_750  # 20 epochs of 60,000 at batch 64, as in the paper.
  config.train.eval_every_steps = 1_875
  config.train.checkpoint_every_steps = 1_875
  # KID-2k at steps 6,250, 12,500 and 18,750 (5 CPU-minutes each on one core), which keeps
  # the best checkpoint; evals.fid: the paper's protocol, at the end.
  config.evals.monitor.every_steps = 6_250
  return base.maybe_tiny(config, arg)

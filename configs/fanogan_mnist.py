"""f-AnoGAN, stage 2 (Schlegl et al. 2019, izi_f): an encoder E for the frozen G and critic of
stage 1 (configs/fanogan_wgan_mnist.py), trained on the normal digit to minimise
||x - G(E(x))||^2 / pixels + kappa ||f(x) - f(G(E(x)))||^2 / features (f: the critic's
features); the same sum scores each test image. AUROC over the 10,000 MNIST test digits (the
normal digit normal, the other nine anomalous) at the end.

python -m gan_jax.main --config configs/fanogan_mnist.py --workdir /tmp/fanogan_0 \
  --config.data.manual_dir=../shared/data/mnist --config.init_from.workdir=/tmp/fanogan_wgan_0
Every test image's score: --mode score (workdir/scores_step_N/scores.npz).
The normal digit must be stage 1's: --config.data.classes='(3,)' in both.
"""
from gan_jax.eval import registry
from gan_jax.run import base
from gan_jax.tasks.anomaly import config as anomaly_config
from gan_jax.tasks.gan import recipes


def get_config(arg=None):
  config = base.base_config('anomaly')
  recipes.fanogan_model(config.model)
  config.init_from.parts = ','.join(anomaly_config.GAN_PARTS)  # From the GAN's run, frozen.
  config.encoder.features = config.model.d_features
  config.data.name = 'mnist'
  config.data.classes = (0,)
  config.train.batch_size = 64
  config.train.num_steps = 2_000
  config.train.log_every_steps = 100
  config.train.eval_every_steps = 500
  config.train.checkpoint_every_steps = 500
  config.evals.anomaly = registry.eval_config('anomaly', every_steps=0,
                                              num_samples=10_000)
  return base.maybe_tiny(config, arg)

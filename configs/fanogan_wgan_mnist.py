"""f-AnoGAN, stage 1 (Schlegl et al. 2019): a WGAN-GP trained on the normal MNIST digit only
(config.data.classes, default digit 0). Stage 2, its encoder and the anomaly scores:
configs/fanogan_mnist.py. At the end this run also scores the test digits two other ways:
AnoGAN's latent search on this GAN (evals.anogan) and the one-class SVM on raw pixels, the
non-GAN baseline (evals.ocsvm).

python -m gan_jax.main --config configs/fanogan_wgan_mnist.py --workdir /tmp/fanogan_wgan_0 \
  --config.data.manual_dir=../shared/data/mnist
Another normal digit: --config.data.classes='(3,)'. Smoke run: configs/fanogan_wgan_mnist.py:tiny
"""
from gan_jax.eval import registry
from gan_jax.run import base
from gan_jax.tasks.gan import recipes


ANOGAN_STEPS, ANOGAN_IMAGES = 100, 2_000  # The paper: 500 steps.


def get_config(arg=None):
  config = recipes.wgan_gp_recipe(base.base_config())
  recipes.fanogan_model(config.model)
  config.data.name = 'mnist'
  config.data.classes = (0,)
  config.train.num_steps = 2_000  # 10,000 critic updates.
  config.train.log_every_steps = 100
  config.train.eval_every_steps = 500
  config.train.checkpoint_every_steps = 500
  # AnoGAN on the first ANOGAN_IMAGES test digits (about 10 % normal): its search costs
  # `steps` forward and backward passes of G and D per image. The raw G: its batch norm.
  config.anogan.steps = ANOGAN_STEPS
  config.evals.anogan = registry.eval_config('anomaly', every_steps=0,
                                             num_samples=ANOGAN_IMAGES, generator='raw')
  config.evals.ocsvm = registry.eval_config('ocsvm', every_steps=0,
                                            num_samples=10_000)
  return base.maybe_tiny(config, arg)

"""One-class MNIST (Ruff et al. 2018's protocol), the GAN half: for each normal digit and seed,
the WGAN-GP of f-AnoGAN's stage 1 trained on that digit's training images only; at its end
AnoGAN's latent search on it (evals.anogan) and the one-class SVM on raw pixels, the non-GAN
baseline (evals.ocsvm), score the test digits. The f-AnoGAN encoders for these GANs:
experiments/anomaly_mnist_fanogan.py; GANomaly: experiments/anomaly_mnist_ganomaly.py.

python -m gan_jax.sweep experiments/anomaly_mnist_gan.py --workdir runs/anomaly_mnist/gan \
  --shard 0/2 --set data.manual_dir=../shared/data/mnist      (and --shard 1/2 on another core)
python -m gan_jax.sweep experiments/anomaly_mnist_gan.py --workdir runs/anomaly_mnist/gan --report

A fixed number of steps, no selection on the test set. Results and the published numbers:
experiments/results/anomaly_mnist/README.md.
"""

DIGITS = [(digit,) for digit in range(10)]
SEEDS = [0, 1, 2]
GAN_STEPS = 1_000  # 5,000 critic updates of 64: ~54 epochs of one digit's ~5,900 images.


def get_sweep():
  return dict(
      config='configs/fanogan_wgan_mnist.py',
      fixed={'train.num_steps': GAN_STEPS, 'train.checkpoint_every_steps': GAN_STEPS},
      grid={'data.classes': DIGITS},
      seeds=SEEDS,
      metric='anogan/auroc/raw',
      mode='max',
  )

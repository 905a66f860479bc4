"""One-class MNIST, f-AnoGAN's stage 2: for each trial of experiments/anomaly_mnist_gan.py (the
same digits and seeds, so the same trial names), an encoder for that trial's frozen GAN; its
izi_f score ranks the 10,000 test digits at the end.

python -m gan_jax.sweep experiments/anomaly_mnist_fanogan.py \
  --workdir runs/anomaly_mnist/fanogan --shard 0/2 --set data.manual_dir=../shared/data/mnist
(after the GAN sweep, run with --workdir runs/anomaly_mnist/gan, has finished; --report as usual)
"""
from experiments import anomaly_mnist_gan as gan_sweep  # The digits and seeds.

ENCODER_STEPS = 1_000


def get_sweep():
  return dict(
      config='configs/fanogan_mnist.py',
      fixed={'train.num_steps': ENCODER_STEPS, 'train.checkpoint_every_steps': ENCODER_STEPS,
             'evals.anomaly.every_steps': ENCODER_STEPS},
      grid={'data.classes': gan_sweep.DIGITS},
      seeds=gan_sweep.SEEDS,
      init_from='{root}/../gan/{trial}',
      metric='anomaly/auroc',
      mode='max',
  )

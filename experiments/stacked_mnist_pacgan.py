"""PacGAN's Stacked MNIST experiment (Lin et al. 2018, Table 3) at a CPU budget: DCGAN
against PacDCGAN2 and PacDCGAN3, 3 seeds each. Stacked MNIST puts three MNIST digits in the
RGB channels: 1,000 modes. Scored as the paper does: 26,000 samples, each channel's digit
read by gan_jax's MNIST classifier (99.3% on the test digits); modes captured (of 1,000) and
the KL divergence of the mode histogram to uniform.

python -m gan_jax.classifier --manual_dir=../shared/data/mnist   # once: the mode classifier
python -m gan_jax.sweep experiments/stacked_mnist_pacgan.py --workdir runs/stacked_mnist \
  --set data.manual_dir=../shared/data/mnist
python -m gan_jax.sweep experiments/stacked_mnist_pacgan.py --workdir runs/stacked_mnist \
  --report --results experiments/results/stacked_mnist

PacGAN-m packs m samples into one D input, so it draws m x 64 samples a step: D sees 64
packs a step in every variant, as in the paper's comparison. The budget: 10,000 steps (the
config: 20,000); the modes eval every 5,000 steps, of the raw G (the paper's) and its EMA;
no FID (not part of the paper's table). The paper (VEEGAN's networks and budget): DCGAN 99 modes,
KL 3.40; PacDCGAN2 1,000.0 ± 0.0, 0.06 ± 0.01; PacDCGAN3 1,000.0 ± 0.0, 0.06 ± 0.01.
Results: experiments/results/stacked_mnist/.
"""
STEPS = 10_000


def get_sweep():
  return dict(
      config='configs/dcgan_stacked_mnist.py',
      fixed={'train.num_steps': STEPS, 'train.checkpoint_every_steps': 1_000,
             'evals.fid.enabled': False, 'evals.monitor.enabled': False,
             'evals.modes.generator': 'both', 'best.metric': ''},
      variants=[{},
                {'model.pack': 2, 'train.batch_size': 128},
                {'model.pack': 3, 'train.batch_size': 192}],
      seeds=[0, 1, 2],
      metric='modes/kl_to_uniform/raw',  # The paper's G has no EMA.
      mode='min',
  )

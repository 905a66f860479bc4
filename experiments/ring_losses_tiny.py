"""Two GAN losses x two seeds on the ring of 8 Gaussians, 4 steps each: the sweep smoke test.

python -m gan_jax.sweep experiments/ring_losses_tiny.py --workdir runs/ring_losses_tiny
About 20 s a trial on a 2-core CPU, mostly start-up and compilation.
"""


def get_sweep():
  return dict(
      config='configs/default.py:tiny',
      # Rates 100x the default, so that 4 steps move G and the variants' metrics differ;
      # evaluations at steps 2 and 4 of 512 samples.
      fixed={'optim.g_lr': 1e-2, 'optim.d_lr': 1e-2, 'evals.coverage.every_steps': 2,
             'evals.coverage.num_samples': 512},
      grid={'loss.name': ['non_saturating', 'hinge']},
      seeds=[0, 1],
      metric='coverage/reverse_kl',
      mode='min',
  )

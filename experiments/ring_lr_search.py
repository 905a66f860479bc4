"""Random search over G's and D's learning rates on the ring of 8 Gaussians.

python -m gan_jax.sweep experiments/ring_lr_search.py --workdir runs/ring_lr_search
8 log-uniform samples x 2 seeds at 5,000 steps (a quarter of the default run):
16 trials.
"""


def get_sweep():
  return dict(
      config='configs/default.py',
      fixed={'train.num_steps': 5_000, 'evals.coverage.every_steps': 1_000},
      random={'optim.g_lr': (1e-5, 1e-3, 'log'), 'optim.d_lr': (1e-5, 1e-3, 'log')},
      random_samples=8,
      random_seed=0,
      seeds=[0, 1],
      metric='coverage/reverse_kl',
      mode='min',
  )

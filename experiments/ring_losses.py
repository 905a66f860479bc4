"""The losses of gan_jax on the ring of 8 Gaussians, full length, three seeds each.

python -m gan_jax.sweep experiments/ring_losses.py --workdir runs/ring_losses
15 trials of about 1.5 minutes each on a 2-core CPU. Hand-written variants, since
WGAN-GP also needs its penalty weight. Ranked by the config's best.metric
(coverage/reverse_kl, lower is better).
"""


def get_sweep():
  return dict(
      config='configs/default.py',
      variants=[{'loss.name': 'non_saturating'},
                {'loss.name': 'minimax'},
                {'loss.name': 'least_squares'},
                {'loss.name': 'hinge'},
                {'loss.name': 'wasserstein', 'penalty.gp': 0.1}],
      seeds=[0, 1, 2],
  )

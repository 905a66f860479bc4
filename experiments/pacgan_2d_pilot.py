"""Which stabiliser experiments/pacgan_2d.py runs as its third arm: a one-seed pilot on the
ring at the same budget, ranked by reverse KL. R1 (Mescheder et al. 2018) at two weights
against spectral norm on D (Miyato et al. 2018).

python -m gan_jax.sweep experiments/pacgan_2d_pilot.py --workdir runs/pacgan_2d_pilot
python -m gan_jax.sweep experiments/pacgan_2d_pilot.py --workdir runs/pacgan_2d_pilot --report
"""


def get_sweep():
  return dict(
      config='configs/pacgan_2d.py',
      variants=[{'penalty.r1': 0.1}, {'penalty.r1': 1.0}, {'model.d_norm': 'spectral_norm'},
                {'model.pack': 2, 'train.batch_size': 200}],
      seeds=[0],
      metric='coverage/reverse_kl/raw',
      mode='min',
  )

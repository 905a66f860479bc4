"""PacGAN's 2D mode-collapse benchmark (Lin et al. 2018): the ring of 8 and the grid of 25
Gaussians, a plain GAN against PacGAN with 2 and 4 packed samples, 5 seeds each.

python -m gan_jax.sweep experiments/pacgan_2d.py --workdir runs/pacgan_2d
python -m gan_jax.sweep experiments/pacgan_2d.py --workdir runs/pacgan_2d --report
30 trials of configs/default.py (20,000 steps, batch 256, 2,500 samples per evaluation).
The paper's table: ring GAN 6.3 modes / 98.2% high quality / reverse KL 0.45, PacGAN2
7.9 / 95.6% / 0.07; grid GAN 17.3 / 94.8% / 0.70, PacGAN4 24.8 / 93.6% / 0.04.
"""


def get_sweep():
  return dict(
      config='configs/default.py',
      grid={'data.name': ['ring', 'grid'], 'model.pack': [1, 2, 4]},
      seeds=[0, 1, 2, 3, 4],
      metric='coverage/reverse_kl',
      mode='min',
  )

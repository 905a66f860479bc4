"""PacGAN's 2D mode-collapse benchmark (Lin et al. 2018, Table 1) at a CPU budget: the ring
of 8 and the grid of 25 Gaussians; a plain GAN, PacGAN (2 on the ring, 4 on the grid, the
paper's headline rows) and our best stabiliser (see pacgan_2d_pilot.py), 5 seeds each.

python -m gan_jax.sweep experiments/pacgan_2d.py --workdir runs/pacgan_2d
python -m gan_jax.sweep experiments/pacgan_2d.py --workdir runs/pacgan_2d --report

The paper's networks (configs/pacgan_2d.py): G 4 x 400 ReLU with batch norm, 2D Gaussian z;
D 3 x 200 maxout units of 5 pieces; Adam with beta1 0.8; 100 (packed) samples per batch, so
PacGAN-m draws 100 m points a step. Its budget was 400 epochs of 100,000 points (400,000
steps at 1e-4); ours is 5,000 steps (1.25%) from 1e-3 decaying linearly to 0, about
2 minutes a trial on a 2-core CPU. Statistics on 2,500 samples of the raw G (the paper has
no EMA). The paper's table: ring GAN 6.3 modes /
98.2% high quality / reverse KL 0.45, PacGAN2 7.9 / 95.6% / 0.07; grid GAN 17.3 / 94.8% /
0.70, PacGAN4 24.8 / 93.6% / 0.04. Results: experiments/results/pacgan_2d/.
"""
# The pilot's winner by reverse KL (0.0010; R1 0.1: 0.0013 with more high-quality samples).
STABILISER = {'penalty.r1': 1.0}


def get_sweep():
  return dict(
      config='configs/pacgan_2d.py',
      variants=[{'data.name': 'ring'},
                {'data.name': 'ring', 'model.pack': 2, 'train.batch_size': 200},
                {'data.name': 'ring', **STABILISER},
                {'data.name': 'grid'},
                {'data.name': 'grid', 'model.pack': 4, 'train.batch_size': 400},
                {'data.name': 'grid', **STABILISER}],
      seeds=[0, 1, 2, 3, 4],
      metric='coverage/reverse_kl/raw',
      mode='min',
  )

"""Issue 40: a DCGAN-family MNIST recipe at FID <= 5 within 20 epochs of 64-image steps
(18,750 steps). The search, one seed per setting, on a cheap held-out protocol: train on the
first 50,000 training digits; every 6,250 steps, KID (and FID, precision, recall) of 2,000
EMA samples against 2,000 of the 10,000 held-out training digits (train[50000:]). The test
split chooses nothing; the final 10k-vs-test FID is off. The chosen setting is re-run with 3
seeds on the test protocol (configs/ holds it then).

python -m gan_jax.sweep experiments/mnist_tuned_search.py --workdir runs/mnist_tuned_search \
  --set data.manual_dir=../shared/data/mnist \
  --set inception_weights=../shared/data/inception/fid_inception_v3_tf2015_pool3.npz
python -m gan_jax.sweep experiments/mnist_tuned_search.py --workdir runs/mnist_tuned_search \
  --report --results experiments/results/mnist_tuned_search

Measured on one CPU core: about 35 minutes a trial for the DCGAN networks (80 ms a step),
75 for the InfoGAN-style ones (results: experiments/results/mnist_tuned_search/).
"""

STEPS = 18_750  # 20 epochs of 64 images (Lucic et al. 2018's MNIST budget).


def get_sweep():
  return dict(
      config='configs/dcgan_mnist.py',
      fixed={'train.num_steps': STEPS, 'data.split': 'train[:50000]',
             'evals.monitor.split': 'train[50000:]', 'evals.monitor.every_steps': STEPS // 3,
             'evals.fid.enabled': False, 'train.checkpoint_every_steps': 1_250},
      variants=[
          {},  # Radford et al.'s recipe: batch norm in G and D, NS loss, Adam(2e-4, 0.5).
          # The rate decayed linearly to 0 and a longer EMA (0.9999, capped by the warm-up's
          # 1 - 9 / (10 + t): 0.9995 at the end): both average out G's oscillation around the
          # equilibrium (Yazici et al. 2019).
          {'optim.schedule': 'linear', 'train.ema_decay': 0.9999},
          # Lucic et al.'s InfoGAN-style networks: a 1,024-wide dense layer in G and in D.
          {'model.name': 'infogan'},
          # The two time-scale update rule (Heusel et al. 2017): D 4x G's rate.
          {'optim.g_lr': 1e-4, 'optim.d_lr': 4e-4},
          # Around the InfoGAN-style winner (FID 6.14 on the test protocol). Spectral norm
          # in D instead of batch norm: the best D normalisation of Kurach et al. 2019.
          # Stopped at step 6,250 (stop 51): collapsed, KID 0.073 against batch norm's 0.0072.
          {'model.name': 'infogan', 'model.d_norm': 'spectral_norm'},
          # A longer EMA alone (the warm-up cap makes it 0.9995 at step 18,750).
          {'model.name': 'infogan', 'train.ema_decay': 0.9999},
      ],
      seeds=[0], metric='monitor/kid', mode='min')

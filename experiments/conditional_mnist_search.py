"""Issues 39 and 40: which discriminator and generator settings lift the conditional MNIST
DCGAN's sample quality (its CAS was 76-80% against 98.7% for real digits, precision and
recall about 0.47) at its 5,000 steps of 64? One seed per setting on a cheap, held-out
protocol; the chosen setting is then re-run with 3 seeds on the full protocol
(experiments/conditional_mnist.py).

The protocol: train on the first 50,000 training digits; score at step 5,000 by KID of
2,000 EMA samples against 2,000 of the 10,000 held-out training digits (train[50000:]), by
label agreement of 10,000 EMA samples (gan_jax's MNIST classifier) and by CAS tested on the
held-out digits (the classifier network trained on 1,000 EMA samples per digit vs on 1,000
real ones). The test split chooses nothing here; the final FID is off. The first four
trials ran without CAS; it was added to them from their step-5,000 checkpoints by
`--mode eval` with the same overrides (see experiments/results/conditional_mnist_search/).

python -m gan_jax.sweep experiments/conditional_mnist_search.py \
  --workdir runs/conditional_mnist_search --set data.manual_dir=../shared/data/mnist \
  --set inception_weights=../shared/data/inception/fid_inception_v3_tf2015_pool3.npz
"""


def get_sweep():
  return dict(
      config='configs/cgan_pd_mnist.py',
      fixed={'train.num_steps': 5_000, 'data.split': 'train[:50000]',
             'evals.monitor.split': 'train[50000:]', 'evals.monitor.every_steps': 5_000,
             'evals.labels.every_steps': 5_000,
             'evals.fid.enabled': False,
             'evals.cas.test_split': 'train[50000:]', 'evals.cas.augment_real_per_class': 0,
             'train.checkpoint_every_steps': 1_000},
      variants=[
          {},  # The recipe: batch norm in D, non-saturating loss, Adam(2e-4, 0.5).
          {'model.d_norm': 'spectral_norm'},
          {'model.d_norm': 'none', 'penalty.r1': 1.0, 'penalty.interval': 4},
          {'model.d_norm': 'none', 'penalty.r1': 10.0, 'penalty.interval': 4},
          # Wider networks (channels of G's last hidden layer, D's first; each doubles inward).
          {'model.g_features': 128},
          {'model.g_features': 128, 'model.d_features': 128},
      ],
      seeds=[0], metric='monitor/kid', mode='min')

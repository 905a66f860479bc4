"""Issue 40: the tuned MNIST recipe (configs/infogan_arch_mnist.py: Lucic et al.'s InfoGAN-style
networks, 18,750 steps of 64) on the goal's protocol, 3 seeds: FID, KID and precision/recall of
10,000 EMA samples against the 10,000 test digits at the end, all 60,000 training digits. The
recipe was chosen on held-out training digits (experiments/mnist_tuned_search.py); the test
split chose nothing.

python -m gan_jax.sweep experiments/infogan_arch_mnist.py --workdir runs/infogan_arch_mnist \
  --set data.manual_dir=../shared/data/mnist \
  --set inception_weights=../shared/data/inception/fid_inception_v3_tf2015_pool3.npz
python -m gan_jax.sweep experiments/infogan_arch_mnist.py --workdir runs/infogan_arch_mnist \
  --report --results experiments/results/infogan_arch_mnist

A seed on one CPU core: about 110 minutes of training (2.6-2.9 steps/s at stop 51; 59 minutes
on both cores, benchmarks/RESULTS.md), 15 of KID-2k and 13 of final FID (26 the first time,
when the test digits' Inception features are computed and cached).
"""


def get_sweep():
  return dict(config='configs/infogan_arch_mnist.py', variants=[{}], seeds=[0, 1, 2],
              metric='fid/fid', mode='min')

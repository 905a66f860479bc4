"""Improved GAN on permutation-invariant MNIST with 100 labels (Salimans et al. 2016): feature
matching, the paper's ablation with a non-saturating G, and the supervised-only control (the
same D on the 100 labels alone), 3 seeds each; each seed draws its own labelled set
(labels.seed follows config.seed) and its own weights.

python -m gan_jax.sweep experiments/improved_gan_mnist.py --workdir runs/improved_gan_mnist \
  --shard 0/2 --set data.manual_dir=../shared/data/mnist      (and --shard 1/2 on another core)
python -m gan_jax.sweep experiments/improved_gan_mnist.py --workdir runs/improved_gan_mnist --report

The paper's protocol (configs/improved_gan_mnist.py) but 100 epochs instead of 300: on one
CPU core a step takes ~90 ms, so a GAN trial is ~1.5 hours (the control ~0.5). Test error of
the EMA classifier on all 10,000 test images every 5 epochs; the numbers reported are the
last, not the best (no selection on the test set). The full protocol on a GPU:
python -m gan_jax.sweep experiments/improved_gan_mnist.py --workdir runs/improved_gan_mnist_300 \
  --set train.num_steps=180000
Published (test errors of 10,000, 100 labels): Improved GAN 93 +- 6.5; Ladder 106 +- 37;
supervised-only control about 20-25 %.
"""


def get_sweep():
  return dict(
      config='configs/improved_gan_mnist.py',
      fixed={'train.num_steps': 60_000},
      variants=[{'loss.generator': 'feature_matching'},
                {'loss.generator': 'non_saturating'},
                {'loss.generator': 'none'}],
      seeds=[0, 1, 2],
      metric='test/error',
      mode='min',
  )

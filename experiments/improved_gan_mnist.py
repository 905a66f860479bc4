"""Improved GAN on permutation-invariant MNIST with 100 labels (Salimans et al. 2016): feature
matching, the paper's ablation with a non-saturating G, and the supervised-only control (the
same D on the 100 labels alone), 3 seeds each; each seed draws its own labelled set
(labels.seed follows config.seed) and its own weights.

python -m gan_jax.sweep experiments/improved_gan_mnist.py --workdir runs/improved_gan_mnist \
  --shard 0/2 --set data.manual_dir=../shared/data/mnist      (and --shard 1/2 on another core)
python -m gan_jax.sweep experiments/improved_gan_mnist.py --workdir runs/improved_gan_mnist --report

The paper's protocol (configs/improved_gan_mnist.py) for 20 epochs (10 for the ablation), the
budget of one session on a 2-core CPU: a feature-matching trial takes ~25 minutes on one core,
the control ~5. Test error of the EMA classifier on all 10,000 test images every 5 epochs; the
numbers reported are the last, not the best (no selection on the test set). Results:
experiments/results/improved_gan_mnist/README.md. The paper's 300 epochs are the config's
default, one run per seed (a GPU's job):
python -m gan_jax.main --config configs/improved_gan_mnist.py --workdir runs/ig300/seed_0 \
  --config.seed=0 --config.data.manual_dir=../shared/data/mnist
Published (test errors of 10,000, 100 labels): Improved GAN 93 +- 6.5; Ladder 106 +- 37;
supervised-only control about 20-25 %.
"""

EPOCH = 600  # Steps of 100 images.


def get_sweep():
  return dict(
      config='configs/improved_gan_mnist.py',
      variants=[{'loss.generator': 'feature_matching', 'train.num_steps': 20 * EPOCH},
                {'loss.generator': 'non_saturating', 'train.num_steps': 10 * EPOCH},
                {'loss.generator': 'none', 'train.num_steps': 20 * EPOCH}],
      seeds=[0, 1, 2],
      metric='test/error',
      mode='min',
  )

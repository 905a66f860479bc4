"""Improved GAN on permutation-invariant Fashion-MNIST with 100 and 1,000 labels (10 and 100
per class): feature matching beside the supervised-only control. The MNIST protocol unchanged
(configs/improved_gan_mnist.py, experiments/improved_gan_mnist.py), for 10 epochs, one seed
(the CPU budget of one session); more seeds: add them to `seeds` (each seed draws its own
labelled set and its own weights).

python -m gan_jax.sweep experiments/improved_gan_fashion_mnist.py \
  --workdir runs/improved_gan_fashion_mnist --shard 0/2 \
  --set data.manual_dir=../shared/data/fashion_mnist       (and --shard 1/2 on another core)
python -m gan_jax.sweep experiments/improved_gan_fashion_mnist.py \
  --workdir runs/improved_gan_fashion_mnist --report

Salimans et al. did not run Fashion-MNIST (it appeared a year later): these are new numbers.
"""
EPOCH = 600  # Steps of 100 images.


def get_sweep():
  return dict(
      config='configs/improved_gan_mnist.py',
      fixed={'data.name': 'fashion_mnist', 'train.num_steps': 10 * EPOCH},
      grid={'labels.per_class': [10, 100], 'loss.generator': ['feature_matching', 'none']},
      seeds=[0],
      metric='test/error',
      mode='min',
  )

"""Issue 39: does the class-conditional MNIST DCGAN draw the digit it is asked for?
configs/cgan_pd_mnist.py (a 10-d class embedding joined to z, a projection D) and the same
networks with ACGAN's auxiliary classifier instead of the projection, the recipe's 15,000 steps
of 64, 3 seeds: label agreement of 10,000 EMA samples (gan_jax's MNIST classifier,
99.3% on the test digits) every 1,000 steps, and the Classification Accuracy Score at the
end. The final FID is skipped here (--set evals.fid.enabled=False: 12 CPU-minutes a trial),
and the monitor's KID-2k runs only at the end (4 CPU-minutes each).

python -m gan_jax.sweep experiments/conditional_mnist.py --workdir runs/conditional_mnist \
  --set data.manual_dir=../shared/data/mnist --set evals.fid.enabled=False \
  --set evals.monitor.every_steps=15000 \
  --set inception_weights=../shared/data/inception/fid_inception_v3_tf2015_pool3.npz
python -m gan_jax.sweep experiments/conditional_mnist.py --workdir runs/conditional_mnist \
  --report --results experiments/results/conditional_mnist
"""
SEEDS = [0, 1, 2]


def get_sweep():
  return dict(config='configs/cgan_pd_mnist.py',
              variants=[{'model.d_conditioning': 'projection'},
                        {'model.d_conditioning': 'acgan'}],
              seeds=SEEDS, metric='labels/agreement', mode='max')

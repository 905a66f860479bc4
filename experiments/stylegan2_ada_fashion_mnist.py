"""Issue 42: the ADA paper's limited-data finding (Karras et al. 2020, Fig. 1 and Table 2) at
CPU scale. configs/stylegan2_fashion_mnist.py (6,000 steps of 64 = 384,000 images, widths
32/16) on the first 1,000, 5,000 or all 60,000 training images x {no augmentation,
DiffAugment (color, translation, cutout), ADA ('bgc', target r_t = 0.6)}; seeds 0-2 for the
1,000-image row, seed 0 elsewhere. FID, KID and precision/recall of 10,000 EMA samples
against the 10,000 test images at the end; KID-2k against the first 2,000 training images
at steps 3,000 and 6,000; every 500 steps D's logits on 1,000 of its training images against
1,000 test images (evals.overfitting: the overfitting ADA treats). The report keeps as curves
p, ADA's r_t over each 4 steps, and each logged step's mean sign of D(real) (d_real_sign: r_t
for every variant).

A trial took 50 min of training (with the monitor's 2,000 training images' features) and
27 min of evaluation (the 10,000 test images' features computed once, then cached: 15 min)
on one core of the 2-core machine, two trials at once. Run the trials one per core:
python -m gan_jax.sweep experiments/stylegan2_ada_fashion_mnist.py --workdir runs/sg2_ada \
  --print_commands --set data.manual_dir=../shared/data/fashion_mnist \
  --set inception_weights=../shared/data/inception/fid_inception_v3_tf2015_pool3.npz
and each finished trial's row is committed by
python -m gan_jax.sweep experiments/stylegan2_ada_fashion_mnist.py --workdir runs/sg2_ada \
  --report --results experiments/results/stylegan2_ada_fashion_mnist
"""
SPLITS = ['train[:1000]', 'train[:5000]', 'train']
AUGMENTATIONS = [
    {'augment.ada_pipeline': 'bgc'},
    {'augment.ada_pipeline': ''},
    {'augment.ada_pipeline': '', 'augment.policy': 'color,translation,cutout'},
]


def get_sweep():
  return dict(config='configs/stylegan2_fashion_mnist.py',
              variants=[{'data.split': split, **aug} for split in SPLITS
                        for aug in AUGMENTATIONS],
              seeds=[0, 1, 2], metric='fid/fid', mode='min',
              train_series=['ada_p', 'ada_rt', 'd_real_sign'])

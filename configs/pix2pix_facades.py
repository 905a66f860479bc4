"""pix2pix (Isola et al. 2017) as the paper trains it on CMP Facades, labels -> photo: the
official side-by-side files (photo | label map, 256x256 each; 400 train, 100 val, 106 test)
from a folder, the label map (the right half) as the input. U-Net-256 G (8 levels, first width
64), 70x70 PatchGAN D (3 layers), instance norm (the paper's batch norm at batch 1), random
jitter (resize to 286, crop 256, mirror), adversarial + 100 L1, Adam 2e-4 (beta1 0.5) for 100
epochs then linearly to 0 over 100 more: 80,000 steps of 1. At the end: L1, PSNR and SSIM of
the 106 test translations against their photos, and FID/KID of them against the test photos.

python -m gan_jax.main --config configs/pix2pix_facades.py --workdir /tmp/pix2pix_facades \
  --config.data.path=/path/to/facades      (holding train/, val/, test/)
The files: http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/facades.tar.gz. A GPU run;
on CPU a step of 1 at 256x256 takes seconds.
"""
from gan_jax.eval import registry
from gan_jax.run import base

EPOCH = 400  # Training pairs.
TEST = 106


def get_config(arg=None):
  config = base.base_config('pix2pix')
  config.data.update(name='side_by_side', channels=3, input_side='right')
  config.model.update(g_depth=8, g_features=64, d_layers=3, d_features=64,
                      g_norm='instance_norm', d_norm='instance_norm')
  config.jitter.update(load_size=286, flip=True)
  config.optim.schedule = 'half_then_linear'
  config.train.update(batch_size=1, num_steps=200 * EPOCH, log_every_steps=EPOCH,
                      eval_every_steps=25 * EPOCH, checkpoint_every_steps=5 * EPOCH)
  config.evals.translation = registry.eval_config('translation', every_steps=0,
                                                  num_samples=TEST)
  config.evals.fid = registry.eval_config('inception', every_steps=0, num_samples=TEST,
                                          num_real=TEST, prdc_samples=TEST, kid_subset_size=50)
  config = base.maybe_tiny(config, arg)
  if arg:  # A seconds-long run: 32x32 pairs through a 2-level U-Net and a 16x16 PatchGAN.
    config.data.image_size, config.jitter.load_size = 32, 36
    config.model.update(g_depth=2, d_layers=1)
  return config

"""CycleGAN (Zhu et al. 2017) as the paper trains it on horse2zebra: tfds cycle_gan/horse2zebra
(1,067 horses in trainA, 1,334 zebras in trainB, 120 and 140 test), 256x256. ResNet Gs with
9 blocks (first width 64), 70x70 PatchGAN Ds (3 layers), instance norm, least-squares loss,
cycle weight 10, identity 0.5 x 10, pools of 50, random jitter (resize to 286, crop 256,
mirror), Adam 2e-4 (beta1 0.5) for 100 epochs then linearly to 0 over 100 more: 266,800
steps of 1 (an epoch: the larger domain's 1,334). At the end: FID/KID of the zebra -> horse
test translations against the test horses (no ground truth exists).

python -m gan_jax.main --config configs/cyclegan_horse2zebra.py --workdir /tmp/horse2zebra
Offline, from the official folders (trainA/, trainB/, testA/, testB/;
http://efrosgans.eecs.berkeley.edu/cyclegan/datasets/horse2zebra.zip):
  --config.data.name=unpaired_folder --config.data.path=/path/to/horse2zebra
A GPU run; on CPU a step at 256x256 takes seconds.
"""
from gan_jax.eval import registry
from gan_jax.run import base

EPOCH = 1_334
TEST = 120  # testA's horses; testB holds 140 zebras.


def get_config(arg=None):
  config = base.base_config('cyclegan')
  config.data.update(name='cycle_gan/horse2zebra', channels=3, image_size=256)
  config.model.update(g_blocks=9, g_features=64, d_layers=3, d_features=64)
  config.jitter.update(load_size=286, flip=True)
  config.train.update(batch_size=1, num_steps=200 * EPOCH, log_every_steps=EPOCH // 2,
                      eval_every_steps=25 * EPOCH, checkpoint_every_steps=5 * EPOCH)
  config.evals.fid = registry.eval_config('inception', every_steps=0, num_samples=TEST,
                                          num_real=TEST, prdc_samples=TEST, kid_subset_size=50)
  config = base.maybe_tiny(config, arg)
  if arg:  # A seconds-long run at 32x32.
    config.data.image_size, config.jitter.load_size = 32, 36
    config.model.d_layers = 1
  return config

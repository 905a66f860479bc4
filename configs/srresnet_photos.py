"""SRResNet (Ledig et al. 2017), stage 1, x4 on a folder of photographs: random 96x96 HR crops
of DIR/train (24x24 bicubic LR inputs), batch 16, pixel MSE, 20,000 steps; PSNR/SSIM on the
luma of every whole DIR/test image (cropped to a multiple of 4, a border of 4 cropped) beside
bicubic's. A GPU recipe (not trained here). Offline photographs from scikit-image and
scikit-learn, a small test set named as such (not Set5):

python -m gan_jax.tools.sample_photos --out /tmp/photos
python -m gan_jax.main --config configs/srresnet_photos.py --workdir /tmp/srresnet_photos \
  --config.data.path=/tmp/photos
Stage 2: configs/srgan_photos.py with --config.init_from.workdir=/tmp/srresnet_photos.
"""
from gan_jax.run import base
from gan_jax.tasks.srgan import config as srgan


def get_config(arg=None):
  return base.maybe_tiny(srgan.photo_recipe(base.base_config('srgan'), 'srresnet'), arg)

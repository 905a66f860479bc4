"""SRGAN (Ledig et al. 2017), stage 2, x4 on a folder of photographs: the SRResNet of
configs/srresnet_photos.py (config.init_from) trained on the content loss of the FID
Inception's Mixed_5d activations (ImageNet features, standing in for the paper's VGG54;
config.inception_weights) + 1e-3 x the VGG-style D's adversarial loss, no pixel loss; 20,000
steps of 16 random 96x96 crops. A GPU recipe (not trained here).

python -m gan_jax.main --config configs/srgan_photos.py --workdir /tmp/srgan_photos \
  --config.data.path=/tmp/photos --config.init_from.workdir=/tmp/srresnet_photos \
  --config.inception_weights=../shared/data/inception/fid_inception_v3_tf2015_pool3.npz
"""
from gan_jax.run import base
from gan_jax.tasks.srgan import config as srgan


def get_config(arg=None):
  config = srgan.photo_recipe(base.base_config('srgan'), 'srgan')
  config.init_from.parts = srgan.SRRESNET_PARTS
  return base.maybe_tiny(config, arg)

"""FID, KID and precision/recall of bicubic upsampling, the super-resolution baseline, by a
super-resolution config's own FID eval (config.evals.fid: its reference images, sample count
and cache): the bicubic upsampling of the first num_samples test inputs stands where the SR
outputs go. The in-run evaluators give bicubic's PSNR/SSIM and label accuracy beside G's; this
is the same for FID, one number per dataset and scale, as no weights enter it. Prints JSON.

python scripts/sr_bicubic_fid.py --config configs/srresnet_fashion_mnist.py \
  --config.data.manual_dir=../shared/data/fashion_mnist \
  --config.inception_weights=../shared/data/inception/fid_inception_v3_tf2015_pool3.npz
"""
import json

from absl import app, flags
from ml_collections import config_flags
import numpy as np

from gan_jax.data import paired
from gan_jax.eval import context
from gan_jax.eval.evaluators import inception_features, translation

config_flags.DEFINE_config_file('config', None, 'A super-resolution configs/*.py file.',
                                lock_config=True)


def bicubic_fid(config) -> tuple[dict, dict]:
  ev = config.evals.fid
  pairs = translation.split_pairs(config, 'test')
  scale = config.pairs.downsample_scale

  def samples(num: int):
    for batch in translation.pair_batches(pairs, min(num, pairs.num_examples)):
      yield np.clip(paired.upsample(batch['input'], scale), -1, 1)

  values, protocol = inception_features.evaluate(ev, samples, 'bicubic',
                                                 context.EvalContext(config))
  return values, {**protocol, 'samples': f'bicubic x{scale} upsampling of the test inputs'}


def main(argv):
  del argv
  values, protocol = bicubic_fid(flags.FLAGS.config)
  print(json.dumps({'values': values, 'protocol': protocol}, indent=1, default=str))


if __name__ == '__main__':
  app.run(main)

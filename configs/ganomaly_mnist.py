"""GANomaly (Akcay et al. 2018) on one-class MNIST: an encoder-decoder-encoder G and a DCGAN D
(batch norm in both, as the paper's) trained on the normal digit (config.data.classes, default
0) for 15 epochs of it (the paper's budget); a test image's score is the distance between
its code and its reconstruction's code. AUROC over the 10,000 MNIST test digits (the normal
digit normal, the other nine anomalous) at the end.

python -m gan_jax.main --config configs/ganomaly_mnist.py --workdir /tmp/ganomaly_0 \
  --config.data.manual_dir=../shared/data/mnist
Every test image's score: --mode score --config.evals.anomaly.generator=raw. Another digit:
--config.data.classes='(3,)'. The paper's own protocol is the reverse (one digit anomalous).
"""
from gan_jax.eval import registry
from gan_jax.run import base


def get_config(arg=None):
  config = base.base_config('anomaly')
  config.anomaly.method = 'ganomaly'
  m = config.model
  m.name, m.z_dim, m.g_features, m.d_features = 'dcgan', 100, 32, 32
  m.g_norm = m.d_norm = config.encoder.norm = 'batch_norm'
  config.encoder.features = 32
  config.optim.e_lr = config.optim.d_lr = 2e-4
  config.data.name = 'mnist'
  config.data.classes = (0,)
  config.train.batch_size = 64
  config.train.num_steps = 1_400  # 15 epochs of the ~5,900 training images of one digit.
  config.train.log_every_steps = 100
  config.train.eval_every_steps = 700
  config.train.checkpoint_every_steps = 700
  config.evals.anomaly = registry.eval_config('anomaly', every_steps=0,
                                              num_samples=10_000, generator='raw')
  # The non-GAN baseline on the same protocol in the same run (it reads only the data).
  config.evals.ocsvm = registry.eval_config('ocsvm', every_steps=0,
                                            num_samples=10_000)
  return base.maybe_tiny(config, arg)

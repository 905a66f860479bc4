"""Published recipes that configs/ build on: DCGAN (Radford et al.), SNGAN (Miyato et al.),
StyleGAN2 (Karras et al.), f-AnoGAN's WGAN-GP (Schlegl et al.)."""
import ml_collections

from gan_jax.eval import registry
from gan_jax.tasks.gan import config as gan_config

MONITOR_IMAGES = 2_000  # Of the periodic image-quality eval: ~75 s of Inception on 2 CPU cores.


def dcgan_recipe(config: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
  """Radford et al. 2016: batch norm in G and D, Adam 2e-4 with beta1 0.5, batch 64, z of 100."""
  config.model.name = 'dcgan'
  config.model.z_dim = 100
  config.model.g_features = 64
  config.model.d_features = 64
  config.model.g_norm = 'batch_norm'
  config.model.d_norm = 'batch_norm'
  config.optim.g_lr = 2e-4
  config.optim.d_lr = 2e-4
  config.optim.b1 = 0.5
  config.train.batch_size = 64
  config.train.num_steps = 5_000
  config.train.log_every_steps = 50
  config.train.eval_every_steps = 500
  config.train.checkpoint_every_steps = 500
  return measure_image_quality(config, monitor_every=2_500)


def conditional_mnist_recipe(config: ml_collections.ConfigDict,
                             d_conditioning: str) -> ml_collections.ConfigDict:
  """A class-conditional DCGAN on MNIST, 15,000 steps of 64: a learned class embedding joined
  to z at G's input (Mirza & Osindero 2014), D conditioned by `d_conditioning` ('projection'
  or 'acgan'). Beside the image-quality evals it measures how often samples are the digit
  asked for (evals.labels, every 1,000 steps) and, at the end, the Classification Accuracy
  Score (Ravuri & Vinyals 2019: gan_jax's classifier trained on 1,000 EMA samples per digit,
  tested on the 10,000 test digits, beside it trained on 1,000 real digits per class; and
  100 real digits per class alone vs with the samples added).

  Not conditional batch norm: DCGAN's G has two batch norms, whose per-class scale and
  shift are uniform over space and start at zero; with them the digit was left to the noise
  (13.6% label agreement after 3,000 steps, experiments/results/conditional_mnist/). The
  ResNet Gs keep them, as their papers do: there they act at every block's resolution."""
  config = dcgan_recipe(config)
  config.data.name = 'mnist'
  config.model.g_conditioning = 'concat'
  # A 10-d class embedding: at 5,000 steps 97.8% label agreement and every digit in many
  # styles; with 128 dimensions each class collapsed to one digit, and a one-hot (whose
  # share of G's input is 10 times smaller) reached 84.9% (experiments/results/
  # conditional_mnist/README.md).
  config.model.embedding_dim = 10
  config.model.d_conditioning = d_conditioning
  # 15,000 steps (16 epochs), not DCGAN's 5,000: at 5,000 no D regulariser or width tried
  # lifted CAS above 78-83%; the recipe itself reached 88.7% at 10,000 and 91.1% at 15,000
  # (held-out digits, experiments/results/conditional_mnist_search/).
  config.train.num_steps = 15_000
  config.evals.monitor.every_steps = 5_000  # KID-2k: 2.5 CPU-minutes each.
  config.evals.labels = registry.eval_config('label_agreement', every_steps=1_000,
                                             num_samples=10_000)
  config.evals.cas = registry.eval_config('cas', every_steps=0, num_samples=10_000,
                                          augment_real_per_class=100)
  return config


def sngan_recipe(config: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
  """Miyato et al. 2018 on CIFAR-10: ResNet G (256, batch norm) and D (128, spectral norm),
  hinge loss, 5 D updates per G update, Adam(2e-4, 0, 0.9) decayed linearly, batch 64, z 128."""
  config.data.name = 'cifar10'
  config.model.name = 'resnet'
  config.model.z_dim = 128
  config.model.g_features = 256
  config.model.d_features = 128
  config.model.g_norm = 'batch_norm'
  config.model.d_norm = 'spectral_norm'
  config.loss.name = 'hinge'
  config.optim.g_lr = config.optim.d_lr = 2e-4
  config.optim.b1, config.optim.b2 = 0.0, 0.9
  config.optim.schedule = 'linear'
  config.train.batch_size = 64
  config.train.n_critic = 5
  config.train.num_steps = 50_000
  config.train.log_every_steps = 100
  config.train.eval_every_steps = 2_000
  config.train.checkpoint_every_steps = 2_000
  return measure_image_quality(config, monitor_every=5_000)


def stylegan2_recipe(config: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
  """StyleGAN2 (Karras et al. 2020) as NVlabs/stylegan2-ada-pytorch's 'cifar' configuration
  trains it at 32x32: 2 mapping layers, no style mixing, the 'orig' D with the minibatch
  std over groups of 32, the non-saturating loss, lazy R1 (gamma 0.01, every 16th D
  update), Adam(0.0025, 0, 0.99), batch 64, z and w of 512; narrowed for a CPU
  (channel_max 32, channel_base 512: 4x4-16x16 32 wide, 32x32 16; 17 GFLOP a step with
  R1, about 0.31 s on one CPU core with ADA at p = 0.3, benchmarks/RESULTS.md), 6,000 steps
  (384,000 images), and G's EMA with a half-life of 20,000 images ('auto''s 10 x batch / 32
  kimg; 'cifar''s 500 kimg with a ramp suits its 100,000 kimg, not a CPU's few hundred).
  With ADA as sg2-ada's default: the 'bgc' pipeline, p from 0 toward r_t = 0.6. Every 500
  steps, evals.overfitting compares D's logits on 1,000 of its training images with 1,000
  test images (the ADA paper's overfitting symptom; a few seconds)."""
  config.model.name = 'stylegan2'
  config.model.z_dim = 512
  sg2 = config.model.stylegan2
  sg2.w_dim = 512
  sg2.mapping_layers = 2
  sg2.d_mapping_layers = 2
  sg2.channel_base = 512
  sg2.channel_max = 32
  sg2.style_mixing_prob = 0.0
  sg2.d_architecture = 'orig'
  sg2.mbstd_group_size = 32
  config.data.image_size = 32
  config.loss.name = 'non_saturating'
  config.penalty.r1 = 0.01
  config.penalty.interval = 16
  config.augment.ada_pipeline = 'bgc'
  config.optim.g_lr = config.optim.d_lr = 0.0025
  config.optim.b1, config.optim.b2 = 0.0, 0.99
  config.train.ema_halflife_images = 20_000
  config.train.batch_size = 64
  config.train.num_steps = 6_000
  config.train.log_every_steps = 50
  config.train.eval_every_steps = 500
  config.train.checkpoint_every_steps = 500
  config.evals.overfitting = registry.eval_config('d_overfitting', every_steps=500,
                                                  num_samples=1_000)
  return measure_image_quality(config, monitor_every=3_000)


def measure_image_quality(config: ml_collections.ConfigDict,
                          monitor_every: int) -> ml_collections.ConfigDict:
  """What every image recipe measures (Heusel et al.'s protocol at Lucic et al.'s size):
  - evals.fid, at the end: FID, KID and precision/recall of 10,000 EMA samples against the
    10,000 test images;
  - evals.monitor, every `monitor_every` steps: the same of 2,000 EMA samples against the
    first 2,000 training images. KID is unbiased at this size (FID is not), so the best
    checkpoint is kept by it; and the test split never chooses a checkpoint."""
  final, monitor = gan_config.IMAGE_QUALITY_EVALS
  config.evals[final] = registry.eval_config('inception', every_steps=0, num_samples=10_000)
  config.evals[monitor] = registry.eval_config(
      'inception', every_steps=monitor_every, num_samples=MONITOR_IMAGES, split='train',
      num_real=MONITOR_IMAGES, prdc_samples=MONITOR_IMAGES)
  config.best.metric = f'{monitor}/kid'
  config.best.mode = 'min'
  return config


def fanogan_model(model: ml_collections.ConfigDict) -> None:
  """f-AnoGAN's GAN, as a DCGAN: G with batch norm, a layer-normalised critic (WGAN-GP
  forbids batch norm in D), z ~ N(0, I) of 128. Both stages (the GAN, then its encoder) use it."""
  model.name = 'dcgan'
  model.z_dim = 128
  model.g_features = 32
  model.d_features = 32
  model.g_norm = 'batch_norm'
  model.d_norm = 'layer_norm'


def wgan_gp_recipe(config: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
  """Gulrajani et al. 2017: Wasserstein loss with a gradient penalty of 10, 5 critic updates
  per G update, Adam(1e-4, 0, 0.9), batch 64."""
  config.loss.name = 'wasserstein'
  config.penalty.gp = 10.0
  config.train.n_critic = 5
  config.optim.g_lr = config.optim.d_lr = 1e-4
  config.optim.b1, config.optim.b2 = 0.0, 0.9
  config.train.batch_size = 64
  return config

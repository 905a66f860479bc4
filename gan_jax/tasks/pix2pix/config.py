"""The pix2pix task's config groups (Isola et al. 2017): the pairs (config.pairs: the input
derived from each image), the U-Net G and PatchGAN D (config.model), the loss (adversarial +
L1) and the optimisers; its `:tiny` shrink and its checks."""
import ml_collections

from gan_jax.config import fields
from gan_jax.config.errors import ConfigError
from gan_jax.data import jitter, paired
from gan_jax.models import layers, patchgan
from gan_jax.objectives import losses
from gan_jax.training import optimizers, updates

# Translation keeps the image's size: a derivation that changes it is super-resolution's.
DERIVATIONS = tuple(d for d in paired.DERIVATIONS if d != 'downsample')
ARCHITECTURE_FIELDS = ('model', 'pairs.derivation', 'data.name', 'data.image_size',
                       'data.channels')


def add_fields(config: ml_collections.ConfigDict) -> None:
  paired.add_fields(config, 'edges')
  jitter.add_fields(config)  # Random crop and mirror of the training images: off.

  config.model = ml_collections.ConfigDict()
  config.model.g_depth = 2  # U-Net 2x downsamplings (the paper: 8 at 256x256; 28x28: <= 2).
  # First widths (doubling per level, at most 512). The paper's 64 at 256x256 costs 40 GFLOP
  # a step of 64 28x28 pairs; 32 a quarter of that.
  config.model.g_features = 32  # U-Net.
  config.model.g_dropout_layers = 3  # Decoder layers with dropout, G's noise (the paper: 3).
  config.model.g_dropout_rate = 0.5
  config.model.d_layers = 1  # PatchGAN stride-2 layers: 1 -> 16x16 patches, 3 -> 70x70.
  config.model.d_features = 32  # PatchGAN.
  # Each network's: one of gan_jax.models.layers.CONV_NORMS ('instance_norm': the paper's at
  # batch 1).
  config.model.g_norm = 'batch_norm'
  config.model.d_norm = 'batch_norm'

  config.loss = ml_collections.ConfigDict()
  config.loss.name = 'non_saturating'  # D's and G's adversarial loss: any of losses.LOSSES.
  config.loss.l1_weight = 100.0  # lambda of L1(G(x), y) (0: the cGAN-only arm).
  # Weight of G's adversarial loss; 0: the L1-only arm, where D is neither run nor trained.
  config.loss.adversarial_weight = 1.0

  config.optim = ml_collections.ConfigDict()
  config.optim.g_lr = 2e-4  # Adam's, as the paper's.
  config.optim.d_lr = 2e-4
  optimizers.add_adam_fields(config.optim, b1=0.5)
  updates.add_ema_fields(config.train, decay=0.999)  # An EMA of G's weights.
  config.train.num_grid_samples = 16  # Training pairs shown: input | output | target rows.


FID_IMAGES = 2_000  # mnist_recipe's FID: this many test translations against as many images.


def mnist_recipe(config: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
  """28x28 pairs (MNIST, Fashion-MNIST): batch 64, 3,000 steps (3.2 epochs of 60,000); at
  the end L1, PSNR and SSIM of the 10,000 test translations against their targets (and of
  the inputs themselves), the label preservation of gan_jax's classifier of the dataset on
  them (trained and cached at the first run), and FID/KID of the first FID_IMAGES
  translations against the first FID_IMAGES test images."""
  from gan_jax.eval import registry  # Evaluator fields: only where a recipe is made.
  config.train.batch_size = 64
  config.train.num_steps = 3_000
  config.train.log_every_steps = 100
  config.train.eval_every_steps = 1_000
  config.train.checkpoint_every_steps = 1_000
  config.evals.translation = registry.eval_config('translation', every_steps=0,
                                                  num_samples=10_000)
  config.evals.label_preservation = registry.eval_config('label_preservation',
                                                         every_steps=0, num_samples=10_000)
  config.evals.fid = registry.eval_config('inception', every_steps=0, num_samples=FID_IMAGES,
                                          num_real=FID_IMAGES, prdc_samples=FID_IMAGES)
  return config


def tiny(config: ml_collections.ConfigDict) -> None:
  config.model.g_features = config.model.d_features = 8
  config.train.num_grid_samples = 4


def predictions(config: ml_collections.ConfigDict) -> tuple[str, ...]:
  """'translations' of input batches (the translation evaluator, --mode translate) and
  'images': the translations of the first test inputs (FID against the test images)."""
  del config
  return ('translations', 'images')


def check(config: ml_collections.ConfigDict) -> None:
  m = config.model
  jitter.check(config)
  paired.check(config, DERIVATIONS)
  fields.one_of('loss.name', config.loss.name, tuple(losses.LOSSES))
  fields.one_of('model.g_norm', m.g_norm, layers.CONV_NORMS)
  fields.one_of('model.d_norm', m.d_norm, layers.CONV_NORMS)
  fields.positive(config, 'model.g_depth', 'model.g_features', 'model.d_layers',
                  'model.d_features', 'optim.g_lr', 'optim.d_lr', 'train.num_grid_samples')
  fields.non_negative(config, 'model.g_dropout_layers', 'loss.l1_weight',
                      'loss.adversarial_weight')
  if not 0.0 <= m.g_dropout_rate < 1.0:
    raise ConfigError(f'config.model.g_dropout_rate={m.g_dropout_rate!r} must be in [0, 1).')
  if config.loss.l1_weight == 0 and config.loss.adversarial_weight == 0:
    raise ConfigError('config.loss.l1_weight and adversarial_weight are both 0: G would learn '
                      'nothing; set either > 0.')
  optimizers.check(config.optim, config.train.num_steps)
  updates.check_ema_fields(config)


def patch_grid(size: int, num_layers: int) -> int:
  """The PatchGAN's output size for `size` inputs (4x4 convolutions padded by 1)."""
  for _, stride in patchgan.layer_plan(num_layers, 1):
    size = (size + 2 * patchgan.PADDING - patchgan.KERNEL) // stride + 1
  return size


def check_patch_grid(d_layers: int, height: int, width: int) -> None:
  if patch_grid(min(height, width), d_layers) < 1:
    raise ConfigError(f'config.model.d_layers={d_layers}: a PatchGAN that deep has no '
                      f'output for {height}x{width} images; use fewer layers.')


def check_data(config: ml_collections.ConfigDict, shape: tuple) -> None:
  """The U-Net's and the PatchGAN's rules for the data's image size, and the derivation's."""
  height, width = shape[:2]
  m = config.model
  if height % 2 ** m.g_depth or width % 2 ** m.g_depth:
    raise ConfigError(f'config.model.g_depth={m.g_depth}: the U-Net halves the image that many '
                      f'times, so {height}x{width} must be divisible by {2 ** m.g_depth}.')
  check_patch_grid(m.d_layers, height, width)
  if config.data.name != 'side_by_side':  # Pairs of its own: nothing derived.
    paired.check_data(config.pairs, shape)
  jitter.check_data(config.jitter, shape)

"""The srgan task's config fields, recipe and checks (needing no data, then the data's)."""
import ml_collections

from gan_jax.config import fields
from gan_jax.config.errors import ConfigError
from gan_jax.data import paired
from gan_jax.eval import inception
from gan_jax.models import layers
from gan_jax.objectives import losses
from gan_jax.tasks.pix2pix import config as pix2pix_config
from gan_jax.training import optimizers, updates

ARCHITECTURE_FIELDS = ('model', 'pairs.downsample_scale', 'data.name', 'data.image_size',
                       'data.channels')
PIXEL_LOSSES = ('mse', 'l1')
CLASSIFIER_LAYERS = ('Conv_0', 'Conv_1', 'Conv_2', 'Conv_3', 'Dense_0')  # Its activations.
# The frozen feature networks of the content loss -> the layers loss.content_layer may name.
CONTENT_LAYERS = {'none': (), 'classifier': CLASSIFIER_LAYERS, 'inception': inception.LAYERS}
SCALES = (2, 4, 8)  # Sub-pixel upsamplings by 2.
# What stage 2 (SRGAN) takes from stage 1's checkpoint (config.init_from.parts): G and its EMA.
SRRESNET_PARTS = 'g_params,ema_g_params,g_batch_stats'


def add_fields(config: ml_collections.ConfigDict) -> None:
  paired.add_fields(config, 'downsample')  # LR inputs: PIL's antialiased bicubic.

  config.model = ml_collections.ConfigDict()
  config.model.g_blocks = 16  # SRResNet residual blocks (the paper's 16).
  config.model.g_features = 64
  config.model.g_norm = 'batch_norm'  # One of layers.CONV_NORMS (the paper: batch norm).
  config.model.d_stages = 4  # VGG-style D stages of two 3x3 convs (the paper's 4: 8 convs).
  config.model.d_features = 64
  config.model.d_norm = 'batch_norm'

  config.loss = ml_collections.ConfigDict()
  config.loss.name = 'non_saturating'  # D's and G's adversarial loss: any of losses.LOSSES.
  config.loss.pixel = 'mse'  # One of PIXEL_LOSSES, on [-1, 1] pixels.
  config.loss.pixel_weight = 1.0  # SRResNet: 1; SRGAN (the paper's VGG loss alone): 0.
  # The content loss: the mean square between a frozen network's activations of the output
  # and of the target, at layer content_layer. 'classifier': gan_jax's classifier of the
  # dataset (trained on its real images, gan_jax.eval.classifier); 'inception': the FID
  # Inception-v3 (config.inception_weights), on FID's 299x299 preprocessing, ImageNet's
  # features as the paper's VGG: FID of the outputs is then measured by the network G was
  # trained to match, and is biased in its favour; KID and precision/recall share that
  # network too, so the classifier's accuracy and PSNR/SSIM are the unbiased columns.
  config.loss.content = 'none'
  config.loss.content_layer = 'Conv_3'  # One of CONTENT_LAYERS[loss.content].
  config.loss.content_weight = 1.0
  config.loss.adversarial_weight = 1e-3  # The paper's; 0: SRResNet, D neither runs nor trains.

  config.optim = ml_collections.ConfigDict()
  config.optim.g_lr = 1e-4  # The paper's Adam 1e-4, beta1 0.9.
  config.optim.d_lr = 1e-4
  optimizers.add_adam_fields(config.optim, b1=0.9)
  updates.add_ema_fields(config.train, decay=0.999)
  config.train.num_grid_samples = 16  # Test images shown: LR | bicubic | SR | HR rows.


def mnist_recipe(config: ml_collections.ConfigDict, stage: str) -> ml_collections.ConfigDict:
  """pix2pix's 28x28 recipe (batch 64, 3,000 steps, its evals at the end) at x4 (7x7
  inputs); stage 'srresnet' (pixel MSE, no D) or 'srgan' (content + 1e-3 adversarial, no
  pixel loss). PSNR and SSIM with a border of 4 cropped, as SR papers, beside bicubic's.
  D's widths 16..128 instead of the paper's 64..512: an SRGAN step on one CPU core costs
  0.56 s (G alone: 0.37 s), at 32..256 0.95 s and at 64..512 3.7 s (gan_jax.benchmark)."""
  config = pix2pix_config.mnist_recipe(config)
  config.model.d_features = 16
  if stage == 'srresnet':
    config.loss.update(adversarial_weight=0.0, pixel_weight=1.0, content='none')
  else:
    config.loss.update(adversarial_weight=1e-3, pixel_weight=0.0, content='classifier')
  config.evals.translation.crop_border = config.pairs.downsample_scale
  return config


def photo_recipe(config: ml_collections.ConfigDict, stage: str) -> ml_collections.ConfigDict:
  """The paper's setting on a photo folder (config.data.path, e.g. gan_jax.tools.sample_photos'):
  random 96x96 HR crops (24x24 LR at x4) in batches of 16, Adam 1e-4; stage 'srresnet'
  (pixel MSE) or 'srgan' (the FID Inception's Mixed_5d as the content network, standing in
  for VGG19's, + 1e-3 adversarial). At the end: PSNR and SSIM of every whole test image on
  the luma (Y), a border of the scale cropped, beside bicubic's. A GPU recipe: the paper
  trains 10^6 updates; this is 20,000 a stage."""
  from gan_jax.eval import registry  # Evaluator fields: only where a recipe is made.
  scale = config.pairs.downsample_scale
  config.data.update(name='photo_folder', channels=3, crop_size=96, crop_multiple=scale)
  config.train.update(batch_size=16, num_steps=20_000, log_every_steps=100,
                      eval_every_steps=2_000, checkpoint_every_steps=2_000)
  config.evals.translation = registry.eval_config(
      'translation', every_steps=0, num_samples=10_000,
      crop_border=scale, luma=True)
  if stage == 'srresnet':
    config.loss.update(adversarial_weight=0.0, pixel_weight=1.0, content='none')
  else:
    config.loss.update(adversarial_weight=1e-3, pixel_weight=0.0, content='inception',
                       content_layer='Mixed_5d')
  return config


def tiny(config: ml_collections.ConfigDict) -> None:
  m = config.model
  m.g_blocks, m.g_features, m.d_stages, m.d_features = 1, 8, 2, 4
  if config.loss.content == 'inception':  # Its first block only: 299x299 passes cost.
    config.loss.content_layer = 'Conv2d_1a_3x3'
  config.train.num_grid_samples = 4


def predictions(config: ml_collections.ConfigDict) -> tuple[str, ...]:
  """'translations' of LR batches (the translation evaluator, --mode translate) and 'images':
  the SR outputs of the first test images (FID against the HR test images)."""
  del config
  return ('translations', 'images')


def check(config: ml_collections.ConfigDict) -> None:
  m, loss = config.model, config.loss
  fields.one_of('pairs.derivation', config.pairs.derivation, ('downsample',))
  fields.one_of('pairs.downsample_scale', config.pairs.downsample_scale, SCALES)
  fields.one_of('loss.name', loss.name, tuple(losses.LOSSES))
  fields.one_of('loss.pixel', loss.pixel, PIXEL_LOSSES)
  fields.one_of('loss.content', loss.content, tuple(CONTENT_LAYERS))
  if loss.content != 'none' and loss.content_layer not in CONTENT_LAYERS[loss.content]:
    raise ConfigError(f'config.loss.content_layer={loss.content_layer!r} is not a layer of '
                      f'config.loss.content={loss.content!r}; accepted: '
                      f'{CONTENT_LAYERS[loss.content]}.')
  fields.one_of('model.g_norm', m.g_norm, layers.CONV_NORMS)
  fields.one_of('model.d_norm', m.d_norm, layers.CONV_NORMS)
  fields.positive(config, 'model.g_features', 'model.d_stages', 'model.d_features',
                  'optim.g_lr', 'optim.d_lr', 'train.num_grid_samples')
  fields.non_negative(config, 'model.g_blocks', 'loss.pixel_weight', 'loss.content_weight',
                      'loss.adversarial_weight')
  content = loss.content_weight if loss.content != 'none' else 0.0
  if not (loss.pixel_weight or content or loss.adversarial_weight):
    raise ConfigError('config.loss.pixel_weight, the content loss (loss.content) and '
                      'adversarial_weight are all 0: G would learn nothing.')
  if loss.content == 'classifier':
    from gan_jax.eval import classifier  # Its datasets.
    if config.data.name not in classifier.DATASETS:
      raise ConfigError(f"config.loss.content='classifier' uses gan_jax's classifier of "
                        f'config.data.name={config.data.name!r}, but there are classifiers of '
                        f"{classifier.DATASETS} only; set loss.content='none'.")
  if loss.content == 'inception':
    check_inception_weights(config.inception_weights)
  scale = config.pairs.downsample_scale
  if config.data.name == 'photo_folder' and config.data.crop_multiple % scale:
    raise ConfigError(f'config.data.crop_multiple={config.data.crop_multiple}: the test '
                      'photographs are cropped to a multiple of it, which the scale '
                      f'config.pairs.downsample_scale={scale} must '
                      'divide; set it to the scale.')
  optimizers.check(config.optim, config.train.num_steps)
  updates.check_ema_fields(config)


def check_inception_weights(path: str | None) -> None:
  """A named weights file exists (None and no $GAN_JAX_INCEPTION_WEIGHTS: downloaded at start)."""
  from gan_jax.eval import feature_extraction  # The Inception port: only this content loss.
  try:
    feature_extraction.named_weights(path)
  except FileNotFoundError as error:
    raise ConfigError(f"config.loss.content='inception': {error}") from error


def check_data(config: ml_collections.ConfigDict, shape: tuple) -> None:
  """The scale divides the HR size; D's stride-2 convolutions leave it a pixel; the content
  classifier's input shape."""
  paired.check_data(config.pairs, shape)
  if min(shape[:2]) < 2 ** config.model.d_stages:
    raise ConfigError(f'config.model.d_stages={config.model.d_stages}: {shape[0]}x{shape[1]} '
                      f'images must be at least {2 ** config.model.d_stages} pixels a side.')
  if config.loss.content == 'classifier' and tuple(shape) != (28, 28, 1):
    raise ConfigError("config.loss.content='classifier': the classifier takes (28, 28, 1) "
                      f'images, but config.data gives {tuple(shape)}.')

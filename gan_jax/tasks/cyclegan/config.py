"""The CycleGAN task's config groups (Zhu et al. 2017): the two domains (config.unpaired and
the derivation that makes domain B, config.pairs), the ResNet Gs and PatchGAN Ds
(config.model), the loss (adversarial + cycle + identity), the history pool and the
optimisers; its `:tiny` shrink and its checks."""
import ml_collections

from gan_jax.config import fields
from gan_jax.config.errors import ConfigError
from gan_jax.data import jitter, paired, unpaired
from gan_jax.models import layers
from gan_jax.objectives import losses
from gan_jax.tasks.pix2pix import config as pix2pix_config
from gan_jax.training import optimizers, updates

ARCHITECTURE_FIELDS = ('model', 'pairs.derivation', 'data.name', 'data.image_size',
                       'data.channels')
# The networks run several times a step on different inputs (a, G(a), F(G(a)), ...): batch
# statistics would mix them, and spectral norm's power iteration would advance once a call:
# only normalizations without state (the paper's: instance norm).
NORMS = tuple(n for n in layers.CONV_NORMS if 'batch_norm' not in n and 'spectral' not in n)


def add_fields(config: ml_collections.ConfigDict) -> None:
  paired.add_fields(config, 'thicken')  # Domain B: the derivation of the other half's images.
  jitter.add_fields(config)  # Random crop and mirror of the training images: off.
  config.unpaired = ml_collections.ConfigDict()
  # Seeds the cut of the training split into domain A's half and domain B's (fixed across
  # config.seed, so every run's domains hold the same images).
  config.unpaired.split_seed = 0

  config.model = ml_collections.ConfigDict()
  config.model.g_features = 32  # ResNet G's first width (the paper: 64 at 256x256).
  config.model.g_downsamplings = 2  # Stride-2 layers (the paper's 2; 28x28 -> 7x7).
  config.model.g_blocks = 6  # Residual blocks at the bottleneck (the paper: 6 or 9).
  config.model.d_layers = 1  # PatchGAN stride-2 layers: 1 -> 16x16 patches, 3 -> 70x70.
  config.model.d_features = 32
  config.model.g_norm = 'instance_norm'  # One of NORMS (CONV_NORMS without batch norm).
  config.model.d_norm = 'instance_norm'

  config.loss = ml_collections.ConfigDict()
  config.loss.name = 'least_squares'  # The adversarial loss of both Ds and Gs: losses.LOSSES.
  # G's adversarial weight. 2: gan_jax's least-squares G loss is half the mean square the
  # paper's code uses, so 2 keeps its balance against the cycle and identity terms.
  config.loss.adversarial_weight = 2.0
  config.loss.cycle_weight = 10.0  # lambda of |F(G(a)) - a| + |G(F(b)) - b|.
  # Identity term |G(b) - b| + |F(a) - a|, weighted identity_weight x cycle_weight (the
  # paper's 0.5; 0: none).
  config.loss.identity_weight = 0.5
  config.loss.pool_size = 50  # Earlier fakes shown to each D (0: only the newest).

  config.optim = ml_collections.ConfigDict()
  config.optim.g_lr = 2e-4  # Adam's, as the paper's, for both Gs (one optimiser) and both Ds.
  config.optim.d_lr = 2e-4
  optimizers.add_adam_fields(config.optim, b1=0.5)
  config.optim.schedule = 'half_then_linear'  # The paper's: constant, then linear to 0.
  updates.add_ema_fields(config.train, decay=0.999)  # An EMA of both Gs' weights.
  config.train.num_grid_samples = 8  # Per domain: x | its translation | back, as rows.


def mnist_recipe(config: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
  """pix2pix's 28x28 recipe (batch 64 of each domain, 3,000 steps: 6.4 epochs of each
  30,000-image half; B -> A scored against the ground truth, by label preservation and by
  FID at the end), and the other direction, A -> B, scored the same way but for FID."""
  from gan_jax.eval import registry  # Evaluator fields: only where a recipe is made.
  config = pix2pix_config.mnist_recipe(config)
  for metric in ('translation', 'label_preservation'):
    config.evals[f'inverse_{metric}'] = registry.eval_config(
        metric, every_steps=0, num_samples=10_000, direction='inverse')
  return config


def tiny(config: ml_collections.ConfigDict) -> None:
  m = config.model
  m.g_features = m.d_features = 4
  m.g_blocks = 1
  config.loss.pool_size = 4
  config.train.num_grid_samples = 2


def predictions(config: ml_collections.ConfigDict) -> tuple[str, ...]:
  """'translations' (domain B -> A, as pix2pix's input -> image), 'inverse_translations'
  (A -> B) and 'images': the B -> A translations of the first test inputs (FID)."""
  del config
  return ('translations', 'inverse_translations', 'images')


def check(config: ml_collections.ConfigDict) -> None:
  m, loss = config.model, config.loss
  jitter.check(config)
  paired.check(config, pix2pix_config.DERIVATIONS)
  fields.one_of('loss.name', loss.name, tuple(losses.LOSSES))
  fields.one_of('model.g_norm', m.g_norm, NORMS)
  fields.one_of('model.d_norm', m.d_norm, NORMS)
  fields.positive(config, 'model.g_features', 'model.d_layers', 'model.d_features',
                  'optim.g_lr', 'optim.d_lr', 'train.num_grid_samples')
  fields.non_negative(config, 'model.g_downsamplings', 'model.g_blocks',
                      'loss.adversarial_weight', 'loss.cycle_weight', 'loss.identity_weight',
                      'loss.pool_size')
  if loss.adversarial_weight == 0:
    raise ConfigError('config.loss.adversarial_weight=0: with no adversarial term the Gs '
                      'learn the identity; set it > 0 (the default 2).')
  optimizers.check(config.optim, config.train.num_steps)
  updates.check_ema_fields(config)


def check_data(config: ml_collections.ConfigDict, specs: dict) -> None:
  """The domains' images share a size, which the ResNet G's downsamplings divide, and the
  PatchGAN has an output for; the derivation's rules."""
  shapes = {name: tuple(spec.shape) for name, spec in specs.items()}
  if shapes['a'][:2] != shapes['b'][:2]:
    where = (f' ({config.data.path}/{config.data.split}A and ...B)'
             if config.data.name == unpaired.FOLDER else '')
    raise ConfigError(f"Domain A's images are {shapes['a'][:2]} and domain B's "
                      f"{shapes['b'][:2]}{where}: CycleGAN's Gs keep the size; set "
                      'config.data.image_size to resize both.')
  height, width = shapes['a'][:2]
  factor = 2 ** config.model.g_downsamplings
  if height % factor or width % factor:
    raise ConfigError(f'config.model.g_downsamplings={config.model.g_downsamplings}: '
                      f'{height}x{width} images must be divisible by {factor}.')
  pix2pix_config.check_patch_grid(config.model.d_layers, height, width)
  if config.loss.identity_weight and shapes['a'][-1] != shapes['b'][-1]:
    raise ConfigError(f"config.loss.identity_weight={config.loss.identity_weight}: the identity "
                      f"term feeds each G the other domain's images, but A has {shapes['a'][-1]} "
                      f"channels and B {shapes['b'][-1]}; set it to 0.")
  if not unpaired.has_two_domains(config.data):  # Two datasets: nothing derived.
    paired.check_data(config.pairs, shapes['a'])
  jitter.check_data(config.jitter, shapes['a'])

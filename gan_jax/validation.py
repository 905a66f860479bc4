"""Config checks that run before any data preparation or compilation.

Each error names the config field, the value and what is accepted.
"""
import functools
import math

import ml_collections

from gan_jax import augment, losses, mixtures, optimizers, penalties
from gan_jax.models import IMAGE_MODELS, MODELS, resnet
from gan_jax.models.dcgan import upsamplings
from gan_jax.models.layers import CONDITIONINGS_D, CONDITIONINGS_G, NORMS, split_norm


class ConfigError(ValueError):
  """A config value gan_jax cannot run with."""


DIVERGENCE_ACTIONS = ('stop', 'restore')
PRECISIONS = ('float32', 'bfloat16')
DISTRIBUTED_MODES = ('auto', 'on', 'off')
# Fields that fix the shapes and meaning of the saved weights: a workdir's checkpoints
# only resume under the same values.
ARCHITECTURE_FIELDS = ('model', 'data.name', 'data.image_size', 'data.channels')


def _one_of(field: str, value, accepted) -> None:
  if value not in accepted:
    raise ConfigError(f'config.{field}={value!r} is not accepted; accepted: {tuple(accepted)}.')


def _positive(config: ml_collections.ConfigDict, *fields: str) -> None:
  for field in fields:
    value = functools.reduce(getattr, field.split('.'), config)
    if not (value > 0 and math.isfinite(value)):
      raise ConfigError(f'config.{field}={value!r} must be > 0 (and finite).')


def _in_unit_interval(field: str, value: float) -> None:
  if not 0.0 <= value < 1.0:
    raise ConfigError(f'config.{field}={value!r} must be in [0, 1).')


def dcgan_sizes(limit: int = 1024) -> list[int]:
  return [s for s in range(1, limit + 1) if upsamplings(s) is not None]


def metric_name(eval_name: str, metric: str, generator: str) -> str:
  """The inverse of metric_name_parts: '<eval>/<metric>' for the EMA generator, else
  '<eval>/<metric>/<generator>'."""
  name = f'{eval_name}/{metric}'
  return name if generator == 'ema' else f'{name}/{generator}'


def metric_name_parts(text: str) -> tuple[str, str, str] | None:
  """'<eval>/<metric>' (the EMA generator's value) or '<eval>/<metric>/raw' -> (eval, metric,
  generator); None when the text is neither."""
  parts = text.split('/')
  if len(parts) == 2 and all(parts):
    return parts[0], parts[1], 'ema'
  if len(parts) == 3 and parts[0] and parts[1] and parts[2] == 'raw':
    return parts[0], parts[1], 'raw'
  return None


def check_metric_name(field: str, text: str, evals: ml_collections.ConfigDict) -> tuple:
  """metric_name_parts of `text`, which must name an eval of `evals` and a generator it runs."""
  parts = metric_name_parts(text)
  if parts is None or parts[0] not in evals:
    raise ConfigError(f"{field}={text!r} must be '<eval>/<metric>' (the EMA generator's value) or "
                      f"'<eval>/<metric>/raw', with an eval of config.evals: {tuple(evals)}.")
  name, metric, generator = parts
  evaluated = evals[name].generator
  if evaluated not in (generator, 'both'):
    other = metric_name(name, metric, evaluated)  # 'ema' or 'raw': not 'both' here.
    raise ConfigError(f"{field}={text!r} is the {generator} generator's value, but "
                      f'config.evals.{name}.generator={evaluated!r}; use {other!r}.')
  return parts


def check_config(config: ml_collections.ConfigDict) -> None:
  """Checks that need no data: names, ranges and combinations."""
  _one_of('model.name', config.model.name, MODELS)
  _one_of('model.g_norm', config.model.g_norm, NORMS)
  _one_of('model.d_norm', config.model.d_norm, NORMS)
  _one_of('model.g_conditioning', config.model.g_conditioning, CONDITIONINGS_G)
  _one_of('model.d_conditioning', config.model.d_conditioning, CONDITIONINGS_D)
  _one_of('loss.name', config.loss.name, losses.LOSSES)
  _one_of('optim.schedule', config.optim.schedule, optimizers.SCHEDULES)
  _one_of('train.precision', config.train.precision, PRECISIONS)
  _positive(config, 'model.z_dim', 'model.g_features', 'model.d_features', 'optim.g_lr',
            'optim.d_lr', 'train.batch_size', 'train.num_steps', 'train.n_critic',
            'train.log_every_steps', 'train.eval_every_steps', 'train.checkpoint_every_steps',
            'train.max_to_keep', 'train.num_grid_samples', 'data.prefetch', 'model.pack',
            'penalty.interval', 'model.embedding_dim')
  if config.model.name == 'mlp':
    _positive(config, 'model.g_layers', 'model.d_layers', 'model.d_maxout_pieces')
  elif config.model.d_maxout_pieces != 1:
    raise ConfigError(f'config.model.d_maxout_pieces={config.model.d_maxout_pieces!r} is for '
                      f"config.model.name='mlp' only (here {config.model.name!r}); use 1.")
  _in_unit_interval('optim.b1', config.optim.b1)
  _in_unit_interval('optim.b2', config.optim.b2)
  _in_unit_interval('train.ema_decay', config.train.ema_decay)
  if not 0 <= config.optim.warmup_steps < config.train.num_steps:
    raise ConfigError(f'config.optim.warmup_steps={config.optim.warmup_steps!r} must be in '
                      f'[0, config.train.num_steps={config.train.num_steps}).')
  _non_negative(config, 'data.in_memory_mb')
  _non_negative(config, *[f'penalty.{name}' for name in penalties.PENALTIES], 'loss.acgan_weight',
                'optim.d_weight_clip', 'train.ema_halflife_images', 'train.ema_start_step',
                'model.attention_resolution')
  try:
    augment.parse_policy(config.augment.policy)
  except ValueError as e:
    raise ConfigError(f'config.augment.policy={config.augment.policy!r}: {e}') from None
  check_combinations(config)
  if config.data.channels not in (None, 1, 3):
    raise ConfigError(f'config.data.channels={config.data.channels!r}; accepted: (None, 1, 3).')
  if config.data.image_size is not None:
    _positive(config, 'data.image_size')
  for name, ev in config.evals.items():
    check_eval(name, ev, config)
  if config.best.metric:
    check_metric_name('config.best.metric', config.best.metric, config.evals)
  _one_of('best.mode', config.best.mode, ('min', 'max'))
  if not 0 <= config.seed < 2**31:  # JAX keeps 32 bits: larger seeds would collide.
    raise ConfigError(f'config.seed={config.seed!r} must be in [0, 2**31).')
  _one_of('train.on_divergence', config.train.on_divergence, DIVERGENCE_ACTIONS)
  if not 0.0 < config.train.divergence_lr_factor < 1.0:
    raise ConfigError(f'config.train.divergence_lr_factor={config.train.divergence_lr_factor!r} '
                      'must be in (0, 1).')
  if config.train.max_divergence_restores < 0:
    raise ConfigError(f'config.train.max_divergence_restores='
                      f'{config.train.max_divergence_restores!r} must be >= 0.')
  check_distributed(config.distributed)


def _non_negative(config: ml_collections.ConfigDict, *fields: str) -> None:
  for field in fields:
    value = functools.reduce(getattr, field.split('.'), config)
    if not (value >= 0 and math.isfinite(value)):
      raise ConfigError(f'config.{field}={value!r} must be >= 0 (and finite).')


def check_combinations(config: ml_collections.ConfigDict) -> None:
  """Combinations of valid values that make no sense together."""
  m, penalty = config.model, config.penalty
  g_spectral, g_activation = split_norm(m.g_norm)
  d_spectral, d_activation = split_norm(m.d_norm)
  is_2d = config.data.name in mixtures.MIXTURES
  if is_2d and m.name in IMAGE_MODELS:
    raise ConfigError(f'config.model.name={m.name!r} needs images, but config.data.name='
                      f"{config.data.name!r} is 2D points; accepted: ('mlp',).")
  if (m.g_conditioning == 'none') != (m.d_conditioning == 'none'):
    raise ConfigError(
        f'config.model.g_conditioning={m.g_conditioning!r} and config.model.d_conditioning='
        f"{m.d_conditioning!r}: a class-conditional GAN needs both set, or both 'none'.")
  if m.g_conditioning == 'cond_batch_norm' and g_activation != 'batch_norm':
    raise ConfigError(f"config.model.g_conditioning='cond_batch_norm' makes G's batch norms "
                      f'conditional, but config.model.g_norm={m.g_norm!r} has none; accepted '
                      "g_norm: 'batch_norm', 'spectral_norm+batch_norm'.")
  if m.name == 'biggan':
    if g_activation != 'batch_norm':
      raise ConfigError(f"config.model.name='biggan' feeds its z chunks through G's batch norms"
                        f', but config.model.g_norm={m.g_norm!r} has none; accepted g_norm: '
                        "'batch_norm', 'spectral_norm+batch_norm'.")
    if m.g_conditioning == 'concat':
      raise ConfigError("config.model.name='biggan' conditions G through its shared class "
                        "embedding: config.model.g_conditioning must be 'cond_batch_norm' or "
                        "'none', not 'concat'.")
  if m.pack > 1 and m.d_conditioning != 'none':
    raise ConfigError(f'config.model.pack={m.pack} shows D several samples of different classes '
                      f'at once, so config.model.d_conditioning={m.d_conditioning!r} cannot '
                      "apply; use pack=1 or d_conditioning='none'.")
  if m.attention_resolution and m.name not in ('resnet', 'biggan'):
    raise ConfigError(f'config.model.attention_resolution={m.attention_resolution} is for '
                      f"model.name 'resnet' or 'biggan', not {m.name!r}; set it to 0.")
  input_gradients = [n for n in penalties.INPUT_GRADIENT_PENALTIES if penalty[n] > 0]
  if input_gradients and d_activation == 'batch_norm':
    raise ConfigError(f'config.penalty.{input_gradients[0]} > 0 needs per-example critic '
                      f'outputs, which batch norm breaks: config.model.d_norm={m.d_norm!r}; '
                      "accepted: 'none', 'layer_norm', 'spectral_norm', 'spectral_norm+layer_norm'.")
  lipschitz = (any(penalty[n] > 0 for n in penalties.LIPSCHITZ_PENALTIES) or d_spectral
               or config.optim.d_weight_clip > 0)
  if config.loss.name == 'wasserstein' and not lipschitz:
    raise ConfigError("config.loss.name='wasserstein' needs a Lipschitz constraint on D: set "
                      'config.penalty.gp > 0 (WGAN-GP uses 10), config.penalty.dragan > 0, '
                      "config.optim.d_weight_clip > 0 (WGAN: 0.01), or a 'spectral_norm' d_norm.")
  if is_2d and (config.augment.policy or penalty.bcr > 0):
    field = 'augment.policy' if config.augment.policy else 'penalty.bcr'
    raise ConfigError(f'config.{field} transforms images, but config.data.name='
                      f'{config.data.name!r} is 2D points; turn it off.')


def check_distributed(distributed: ml_collections.ConfigDict) -> None:
  _one_of('distributed.mode', distributed.mode, DISTRIBUTED_MODES)
  n, i = distributed.num_processes, distributed.process_id
  if n is not None and n < 1:
    raise ConfigError(f'config.distributed.num_processes={n!r} must be >= 1.')
  if i is not None and not 0 <= i < (n if n is not None else float('inf')):
    raise ConfigError(f'config.distributed.process_id={i!r} must be in [0, num_processes={n}).')


def _flatten(tree: dict, prefix: str = '') -> dict:
  flat = {}
  for key, value in tree.items():
    if isinstance(value, dict):
      flat.update(_flatten(value, f'{prefix}{key}.'))
    else:
      flat[f'{prefix}{key}'] = value
  return flat


def _is_architecture(field: str) -> bool:
  return any(field == f or field.startswith(f + '.') for f in ARCHITECTURE_FIELDS)


def check_same_architecture(saved: dict, config: ml_collections.ConfigDict,
                            saved_path: str) -> None:
  """Resuming in a workdir: the architecture must match the saved config's.

  Fields only one side has (a field added to gan_jax since) are not compared.
  """
  old, new = _flatten(saved), _flatten(config.to_dict())
  differences = [f'{field}: saved {old[field]!r}, now {new[field]!r}'
                 for field in sorted(old.keys() & new.keys())
                 if _is_architecture(field) and old[field] != new[field]]
  if differences:
    raise ConfigError(
        f'The checkpoints in this workdir are of another architecture ({saved_path}): '
        + '; '.join(differences) + '. Use a new --workdir, or set these fields back; '
        'nothing was written.')


def check_eval(name: str, ev: ml_collections.ConfigDict, config: ml_collections.ConfigDict):
  """One entry of config.evals."""
  from gan_jax import evaluation  # It imports the Inception port; only checks need it here.
  _one_of(f'evals.{name}.metric', ev.metric, evaluation.METRICS)
  _one_of(f'evals.{name}.generator', ev.generator, evaluation.GENERATORS)
  for field in ('every_steps', 'num_samples', 'num_real', 'kid_subsets', 'prdc_samples'):
    if not ev[field] > 0:
      raise ConfigError(f'config.evals.{name}.{field}={ev[field]!r} must be > 0.')
  if ev.metric == 'inception' and not 2 <= ev.kid_subset_size <= min(ev.num_samples, ev.num_real):
    raise ConfigError(f'config.evals.{name}.kid_subset_size={ev.kid_subset_size} must be in '
                      f'[2, min(num_samples, num_real) = {min(ev.num_samples, ev.num_real)}].')
  if ev.metric == 'inception' and min(ev.num_samples, ev.num_real, ev.prdc_samples) < 4:
    raise ConfigError(f'config.evals.{name}: precision/recall (k=3) needs >= 4 samples per set.')
  if ev.metric == 'mode_coverage' and config.data.name not in mixtures.MIXTURES:
    raise ConfigError(f"config.evals.{name}.metric='mode_coverage' needs 2D data; accepted "
                      f'config.data.name: {mixtures.MIXTURES}.')
  if ev.metric in ('inception', 'stacked_mnist') and config.data.name in mixtures.MIXTURES:
    raise ConfigError(f'config.evals.{name}.metric={ev.metric!r} needs images, but '
                      f'config.data.name={config.data.name!r} is 2D points.')


def check_data_fit(config: ml_collections.ConfigDict, data_shape: tuple[int, ...],
                   num_classes: int | None, process_count: int, local_device_count: int) -> None:
  """Checks that need the data's shape and classes, and the device layout."""
  m = config.model
  if m.name in IMAGE_MODELS:
    height, width = data_shape[:2]
    if height != width or upsamplings(height) is None:
      raise ConfigError(
          f'config.model.name={m.name!r} cannot produce {height}x{width} images; set '
          f'config.data.image_size to one of {dcgan_sizes()} (4 or 7 times 2**k, k >= 2).')
    if m.name == 'infogan' and upsamplings(height) != 2:
      raise ConfigError(f"config.model.name='infogan' makes 16x16 or 28x28 images; the data is "
                        f'{height}x{width}: set config.data.image_size to 16 or 28.')
    if m.attention_resolution and m.name in ('resnet', 'biggan'):
      sizes = sorted(set(resnet.resolutions(height)['g']) & set(resnet.resolutions(height)['d']))
      if m.attention_resolution not in sizes:
        raise ConfigError(f'config.model.attention_resolution={m.attention_resolution} is not a '
                          f'resolution both {height}x{width} networks pass; accepted: 0, {sizes}.')
  if m.g_conditioning != 'none' and not num_classes:
    raise ConfigError(f'config.model.g_conditioning={m.g_conditioning!r} needs class labels, but '
                      f'config.data.name={config.data.name!r} has none.')
  devices = process_count * local_device_count
  if config.train.batch_size % devices:
    raise ConfigError(f'config.train.batch_size={config.train.batch_size} is not divisible by '
                      f'the {devices} devices ({process_count} host(s) x {local_device_count}); '
                      f'accepted: multiples of {devices}.')
  per_device = config.train.batch_size // devices
  if per_device % m.pack:
    raise ConfigError(f'config.model.pack={m.pack} must divide the per-device batch '
                      f'({config.train.batch_size} / {devices} devices = {per_device}).')

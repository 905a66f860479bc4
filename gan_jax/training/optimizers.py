"""Learning-rate schedules: linear warm-up, then constant, linear or cosine decay."""
import ml_collections
import optax

from gan_jax.config import fields
from gan_jax.config.errors import ConfigError

SCHEDULES = ('constant', 'linear', 'cosine', 'half_then_linear')


def learning_rate_schedule(peak_lr: float, optim: ml_collections.ConfigDict, num_steps: int,
                           updates_per_step: int = 1) -> optax.Schedule:
  """Linear warm-up to `peak_lr`, then constant or a decay to 0 at `num_steps`.

  Optax counts updates; `updates_per_step` converts train steps into them.
  """
  warmup_updates = optim.warmup_steps * updates_per_step
  decay_steps = max((num_steps - optim.warmup_steps) * updates_per_step, 1)
  if optim.schedule == 'constant':
    decay = optax.constant_schedule(peak_lr)
  elif optim.schedule == 'linear':
    decay = optax.linear_schedule(peak_lr, 0.0, decay_steps)
  elif optim.schedule == 'cosine':
    decay = optax.cosine_decay_schedule(peak_lr, decay_steps)
  elif optim.schedule == 'half_then_linear':  # CycleGAN's: the peak for half, then to 0.
    hold = decay_steps // 2
    decay = optax.join_schedules([optax.constant_schedule(peak_lr),
                                  optax.linear_schedule(peak_lr, 0.0, decay_steps - hold)],
                                 [hold])
  else:
    raise ValueError(f'Unknown config.optim.schedule {optim.schedule!r}; accepted: {SCHEDULES}.')
  if warmup_updates == 0:
    return decay
  warmup = optax.linear_schedule(0.0, peak_lr, warmup_updates)
  return optax.join_schedules([warmup, decay], [warmup_updates])


def adam(peak_lr: float, optim: ml_collections.ConfigDict, num_steps: int,
         updates_per_step: int = 1, **adam_options) -> optax.GradientTransformation:
  """Adam with config.optim's b1, b2 (add_adam_fields) and learning-rate schedule, peaking at
  `peak_lr`; `adam_options`: optax.adam's others (eps, eps_root)."""
  return optax.adam(learning_rate_schedule(peak_lr, optim, num_steps, updates_per_step),
                    b1=optim.b1, b2=optim.b2, **adam_options)


def add_adam_fields(optim: ml_collections.ConfigDict, b1: float, b2: float = 0.999) -> None:
  """The Adam and schedule fields of a config.optim group; the task adds its learning rates."""
  optim.b1 = b1  # Adam beta1.
  optim.b2 = b2  # Adam beta2.
  # After warm-up: 'constant', 'linear' (to 0), 'cosine' (to 0) or 'half_then_linear' (the
  # peak for half of the steps, then linear to 0: CycleGAN's).
  optim.schedule = 'constant'
  optim.warmup_steps = 0  # Linear warm-up steps from 0 to the peak rate.


def check(optim: ml_collections.ConfigDict, num_steps: int) -> None:
  """The fields of add_adam_fields (any task's config.optim)."""
  fields.in_unit_interval('optim.b1', optim.b1)
  fields.in_unit_interval('optim.b2', optim.b2)
  fields.one_of('optim.schedule', optim.schedule, SCHEDULES)
  if not 0 <= optim.warmup_steps < num_steps:
    raise ConfigError(f'config.optim.warmup_steps={optim.warmup_steps!r} must be in '
                      f'[0, config.train.num_steps={num_steps}).')

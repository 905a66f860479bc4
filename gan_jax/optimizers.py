"""Optax optimizer of each network, from `config.optim`."""
import ml_collections
import optax

SCHEDULES = ('constant', 'linear', 'cosine')


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
  else:
    raise ValueError(f'Unknown config.optim.schedule {optim.schedule!r}; accepted: {SCHEDULES}.')
  if warmup_updates == 0:
    return decay
  warmup = optax.linear_schedule(0.0, peak_lr, warmup_updates)
  return optax.join_schedules([warmup, decay], [warmup_updates])


def create_optimizers(config: ml_collections.ConfigDict):
  """Returns (g_tx, d_tx): Adam with each network's own schedule (D: n_critic updates a step)."""
  optim, train = config.optim, config.train
  g_lr = learning_rate_schedule(optim.g_lr, optim, train.num_steps)
  d_lr = learning_rate_schedule(optim.d_lr, optim, train.num_steps, train.n_critic)
  g_tx = optax.adam(g_lr, b1=optim.b1, b2=optim.b2)
  d_tx = optax.adam(d_lr, b1=optim.b1, b2=optim.b2)
  return g_tx, d_tx

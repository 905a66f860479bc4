"""A sweep's trials and their progress, read from their workdirs (sweep and report share it)."""
import dataclasses
import json
from pathlib import Path

from gan_jax.training import checkpointing


@dataclasses.dataclass(frozen=True)
class Trial:
  """One training run: a variant with one seed."""
  index: int
  name: str  # Its folder: the varied fields and the seed, e.g. 'loss.name=hinge,seed=1'.
  variant: str  # The name without the seed; 'base' for a variant that changes nothing.
  fields: dict  # Every field the sweep varies -> its value here (the base config's if unset).
  seed: int
  overrides: dict  # What its command line sets: fixed, variant and seed.
  workdir: Path
  num_steps: int
  command: list


@dataclasses.dataclass(frozen=True)
class Sweep:
  file: str
  config: str
  varied: list  # The fields the variants set, in order of appearance.
  seeds: list
  metric: str  # '' when neither the sweep nor the base config names one.
  mode: str
  trials: list
  train_series: list = dataclasses.field(default_factory=list)  # Train metrics kept as curves.


def is_finished(trial: Trial) -> bool:
  """Its last step is checkpointed by a run of this length (config.json).

  Exit statuses are not evidence: a trial stopped by SIGTERM also exits 0.
  """
  saved = trial.workdir / 'config.json'
  return (saved.exists() and checkpointing.latest_saved_step(trial.workdir) == trial.num_steps
          == json.loads(saved.read_text())['train']['num_steps'])


def trial_status(trial: Trial) -> str:
  if is_finished(trial):
    return 'finished'
  step = checkpointing.latest_saved_step(trial.workdir)
  return 'not started' if step is None else f'unfinished (step {step} of {trial.num_steps})'

"""Sweeps and ablations: one experiments/*.py file -> one training run per variant and seed.

python -m gan_jax.sweep experiments/NAME.py --workdir runs/NAME [--shard i/n]
  [--print_commands | --report [--results experiments/results/NAME]] [--set field=value ...]

A sweep file defines `get_sweep()`, returning a dict:
  config          base config, as for --config: 'configs/default.py' or 'configs/default.py:tiny'.
  fixed           {field: value} set in every trial, e.g. {'train.num_steps': 5000}.
  variants        [{field: value, ...}, ...]: hand-written variants (ablations; may couple fields).
  grid            {field: [value, ...]}: every combination.
  random          {field: [value, ...] (a choice) or (low, high, 'linear' | 'log') (a range)},
  random_samples  with this many samples, drawn with
  random_seed     this seed (default 0); float samples keep 3 significant digits.
  seeds           [int, ...] -> config.seed of each variant's trials.
  metric, mode    '<eval>/<metric>' and 'min' | 'max': the report's ranking (default:
                  the base config's best.metric and best.mode).
  train_series    [name, ...]: train metrics (train_metrics.jsonl, e.g. 'ada_p',
                  'd_real_sign') the report keeps as 'train/<name>' curves beside the evals.
  init_from       a second stage: each trial's config.init_from.workdir, a template of
                  {root} (this sweep's --workdir) and {trial} (the trial's name), e.g.
                  '{root}/../gan/{trial}' for the trial of the same name of a first-stage
                  sweep run with --workdir runs/NAME/gan (the same variants and seeds).
The variants are the product of `variants`, `grid` and `random` (each optional). Every
trial is a normal run of gan_jax.main in WORKDIR/<trial name>, e.g.
runs/NAME/loss.name=hinge,seed=1. `--set field=value` adds this machine's settings to every
trial's command without making them part of the experiment or its trial names: local data
and weights, e.g. --set data.manual_dir=../shared/data/mnist.
"""
import copy
import datetime
import importlib.util
import itertools
import json
import math
import os
import random
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import ml_collections
from absl import app, flags
from ml_collections.config_flags import config_path

from gan_jax.config.errors import ConfigError
from gan_jax.eval import metric_names
from gan_jax.run import checks
from gan_jax.tools.trials import Sweep, Trial, is_finished, trial_status

KEYS = ('config', 'fixed', 'variants', 'grid', 'random', 'random_samples', 'random_seed',
        'seeds', 'metric', 'mode', 'init_from', 'train_series')
REQUIRED_KEYS = ('config', 'seeds')
SCALES = ('linear', 'log')
MODES = ('min', 'max')
MAX_NAME_LENGTH = 200  # Trial names are folder names; most filesystems stop at 255 bytes.


class SweepError(ValueError):
  """A sweep file or a flag gan_jax.sweep cannot run with."""


# ---------------------------------------------------------------- loading


def load_module(path: str, what: str):
  if not Path(path).is_file():
    raise SweepError(f'{what} {path!r} not found (relative paths start at the current '
                     'directory, usually the repository root).')
  spec = importlib.util.spec_from_file_location(f'gan_jax_sweep_{Path(path).stem}', path)
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module


def load_config(config_arg: str) -> ml_collections.ConfigDict:
  """As --config does: 'path.py' or 'path.py:arg' -> get_config() or get_config(arg)."""
  path, colon, arg = config_arg.partition(':')
  module = load_module(path, 'config file')
  return module.get_config(arg) if colon else module.get_config()


def field_type(config: ml_collections.ConfigDict, field: str, where: str) -> type:
  """The type of a leaf field of `config`; SweepError naming the fields that exist."""
  node = config
  for depth, key in enumerate(field.split('.')):
    parent = '.'.join(field.split('.')[:depth]) or 'the config'
    if not isinstance(node, ml_collections.ConfigDict):
      raise SweepError(f'{where}: {field!r} is not a field of the base config; {parent} is a '
                       'value, not a group.')
    if key not in node:
      raise SweepError(f'{where}: {field!r} is not a field of the base config; {parent} has: '
                       f'{sorted(node)}.')
    node = node[key]
  if isinstance(node, ml_collections.ConfigDict):
    raise SweepError(f'{where}: {field!r} is a group; name one of its fields: {sorted(node)}.')
  return config_path.get_type(field, config)


def check_value(kind: type, value, where: str) -> None:
  """Values must be of the field's type (ints are fine for float fields), as the flags parse."""
  fits = (isinstance(value, (int, float)) if kind is float else
          type(value) is int if kind is int else isinstance(value, kind))
  if (isinstance(value, bool) and kind is not bool) or not fits:
    raise SweepError(f'{where}: {value!r} is a {type(value).__name__}; the field is a '
                     f'{kind.__name__}.')


def check_field(config: ml_collections.ConfigDict, field: str, values: list, where: str) -> None:
  if field == 'seed':
    raise SweepError(f"{where}: set config.seed with the sweep's 'seeds' list.")
  kind = field_type(config, field, where)
  for value in values:
    check_value(kind, value, f'{where}[{field!r}]')


def is_range(value) -> bool:
  return isinstance(value, tuple) and len(value) == 3 and value[2] in SCALES


def check_random_axis(config: ml_collections.ConfigDict, field: str, axis, where: str) -> None:
  """A list of choices, or (low, high, scale) over a numeric field."""
  if is_range(axis):
    low, high, scale = axis
    if field_type(config, field, where) not in (int, float):
      raise SweepError(f'{where}[{field!r}]: a range needs a numeric field; give a list of '
                       'choices instead.')
    check_field(config, field, [low, high], where)
    if not (low < high and (scale == 'linear' or low > 0)):
      raise SweepError(f'{where}[{field!r}]={axis!r}: need low < high (and low > 0 for log).')
  elif isinstance(axis, list) and axis:
    check_field(config, field, axis, where)
  else:
    raise SweepError(f'{where}[{field!r}]={axis!r}: expected a non-empty list of choices or '
                     f"(low, high, scale) with scale in {SCALES}.")


def check_axes(spec: dict, config: ml_collections.ConfigDict, file: str) -> None:
  """Every field exists and holds values of its type; each field is set in one place only."""
  for field, value in spec.get('fixed', {}).items():
    check_field(config, field, [value], f'{file}: fixed')
  variants = spec.get('variants', [{}])
  for i, variant in enumerate(variants):
    for field, value in variant.items():
      check_field(config, field, [value], f'{file}: variants[{i}]')
  for field, values in spec.get('grid', {}).items():
    if not isinstance(values, list) or not values:
      raise SweepError(f'{file}: grid[{field!r}] must be a non-empty list of values.')
    check_field(config, field, values, f'{file}: grid')
  for field, axis in spec.get('random', {}).items():
    check_random_axis(config, field, axis, f'{file}: random')
  places = {'fixed': set(spec.get('fixed', {})), 'grid': set(spec.get('grid', {})),
            'random': set(spec.get('random', {})),
            'variants': set().union(*(v.keys() for v in variants))}
  for (a, fields_a), (b, fields_b) in itertools.combinations(places.items(), 2):
    if fields_a & fields_b:
      raise SweepError(f'{file}: {sorted(fields_a & fields_b)} set in both {a} and {b}.')


def check_spec(spec, file: str) -> None:
  """The keys and their shapes; the fields are checked against the config by check_axes."""
  if not isinstance(spec, dict):
    raise SweepError(f'{file}: get_sweep() must return a dict, not {type(spec).__name__}.')
  unknown = sorted(set(spec) - set(KEYS))
  missing = [key for key in REQUIRED_KEYS if key not in spec]
  if unknown or missing:
    raise SweepError(f'{file}: unknown keys {unknown}, missing keys {missing}; accepted: {KEYS}.')
  for key in ('fixed', 'grid', 'random'):
    if not isinstance(spec.get(key, {}), dict):
      raise SweepError(f'{file}: {key} must be a dict of {{field: ...}}.')
  variants = spec.get('variants', [{}])
  if not (isinstance(variants, list) and variants and all(isinstance(v, dict) for v in variants)):
    raise SweepError(f'{file}: variants must be a non-empty list of {{field: value}} dicts.')
  has_random = 'random' in spec
  if has_random != ('random_samples' in spec) or ('random_seed' in spec and not has_random):
    raise SweepError(f'{file}: random needs random_samples (a count), and random_samples and '
                     'random_seed need random.')
  samples = spec.get('random_samples', 1)
  if type(samples) is not int or samples < 1 or type(spec.get('random_seed', 0)) is not int:
    raise SweepError(f'{file}: random_samples must be an int >= 1 and random_seed an int.')
  seeds = spec['seeds']
  if (not isinstance(seeds, list) or not seeds or len(set(seeds)) != len(seeds)
      or any(type(s) is not int for s in seeds)):
    raise SweepError(f'{file}: seeds must be a non-empty list of distinct ints, not {seeds!r}.')
  if 'init_from' in spec and not (isinstance(spec['init_from'], str)
                                  and '{trial}' in spec['init_from']):
    raise SweepError(f"{file}: init_from must be a folder template with {{trial}}, e.g. "
                     f"'{{root}}/../gan/{{trial}}', not {spec['init_from']!r}.")
  if spec.get('mode', 'min') not in MODES:
    raise SweepError(f"{file}: mode={spec['mode']!r}; accepted: {MODES}.")
  train_series = spec.get('train_series', [])
  if not (isinstance(train_series, list) and all(isinstance(n, str) and n and '/' not in n
                                                 for n in train_series)):
    raise SweepError(f"{file}: train_series must be a list of train metric names (as in "
                     f"train_metrics.jsonl, e.g. ['ada_p']), not {train_series!r}.")


def check_metric(metric: str, config: ml_collections.ConfigDict, file: str) -> None:
  """'<eval>/<metric>' or '<eval>/<metric>/raw', of an eval and generator `config` runs."""
  try:
    metric_names.check_metric_name('metric', metric, config.evals)
  except ConfigError as e:
    raise SweepError(f'{file}: {e}') from None


# ---------------------------------------------------------------- variants and trials


def sample_value(rng: random.Random, axis, kind: type):
  if not is_range(axis):
    return rng.choice(axis)
  low, high, scale = axis
  x = (rng.uniform(low, high) if scale == 'linear' else
       math.exp(rng.uniform(math.log(low), math.log(high))))
  return round(x) if kind is int else float(f'{x:.3g}')  # Trial names show the exact value.


def random_variants(axes: dict, samples: int, seed: int,
                    config: ml_collections.ConfigDict) -> list[dict]:
  """Deterministic: the same file always gives the same samples."""
  rng = random.Random(seed)
  kinds = {field: config_path.get_type(field, config) for field in axes}
  return [{field: sample_value(rng, axis, kinds[field]) for field, axis in axes.items()}
          for _ in range(samples)]


def expand_variants(spec: dict, config: ml_collections.ConfigDict) -> list[dict]:
  """The product of the hand-written variants, the grid and the random samples."""
  grid = spec.get('grid', {})
  grid_points = [dict(zip(grid, values)) for values in itertools.product(*grid.values())]
  samples = (random_variants(spec['random'], spec['random_samples'], spec.get('random_seed', 0),
                             config) if 'random' in spec else [{}])
  return [a | b | c for a, b, c in itertools.product(spec.get('variants', [{}]), grid_points,
                                                     samples)]


def safe_name(text: str) -> str:
  """Letters, digits and . _ = , + - only: a folder name no shell or filesystem trips on."""
  return re.sub(r'[^A-Za-z0-9._=,+-]', '_', text)


def variant_name(variant: dict) -> str:
  return safe_name(','.join(f'{field}={value}' for field, value in variant.items())) or 'base'


def trial_name(variant: dict, seed: int) -> str:
  return safe_name(','.join([*(f'{f}={v}' for f, v in variant.items()), f'seed={seed}']))


def trial_command(config_arg: str, workdir: Path, overrides: dict) -> list[str]:
  """The gan_jax.main call; str() of a value is what its flag parser reads back."""
  return [sys.executable, '-m', 'gan_jax.main', f'--config={config_arg}', f'--workdir={workdir}',
          *(f'--config.{field}={value}' for field, value in overrides.items())]


def parse_settings(settings: list[str], config: ml_collections.ConfigDict) -> dict:
  """--set 'field=value' strings -> {field: value string}, each field checked to exist."""
  parsed = {}
  for setting in settings:
    field, equals, value = setting.partition('=')
    if not equals:
      raise SweepError(f'--set {setting!r}: expected field=value, e.g. '
                       '--set data.manual_dir=../shared/data/mnist.')
    if field == 'seed':
      raise SweepError("--set seed: set config.seed with the sweep's 'seeds' list.")
    field_type(config, field, f'--set {setting!r}')
    parsed[field] = value
  return parsed


def apply_overrides(config: ml_collections.ConfigDict,
                    overrides: dict) -> ml_collections.ConfigDict:
  config = copy.deepcopy(config)  # Placeholders keep their type, unlike a to_dict() copy.
  for field, value in overrides.items():
    *groups, leaf = field.split('.')
    node = config
    for group in groups:
      node = node[group]
    node[leaf] = value
  return config


def make_trials(spec: dict, config: ml_collections.ConfigDict, root: Path, file: str,
                metric: str = '', settings: dict | None = None) -> list:
  """Variant-major: trial index = variant index * len(seeds) + seed index.

  Each trial's config must be valid and evaluate `metric` (its fixed fields and variant
  may set the generator an eval runs). `settings` (parse_settings) go last on every
  command; validation sees the experiment alone.
  """
  variants = expand_variants(spec, config)
  varied = list(dict.fromkeys(field for v in variants for field in v))
  trials, names = [], {}
  for variant, seed in itertools.product(variants, spec['seeds']):
    name = trial_name(variant, seed)
    if name in names:
      raise SweepError(f'{file}: trials {names[name]} and {len(trials)} are both {name!r}; '
                       'make the variants differ (random: fewer samples or wider ranges).')
    if len(name) > MAX_NAME_LENGTH:
      raise SweepError(f'{file}: trial name {name[:60]!r}... is {len(name)} characters, over '
                       f'{MAX_NAME_LENGTH}; vary fewer fields per variant.')
    names[name] = len(trials)
    overrides = {**spec.get('fixed', {}), **variant, 'seed': seed}
    if 'init_from' in spec:  # The first stage's trial of the same name.
      overrides['init_from.workdir'] = spec['init_from'].format(root=root, trial=name)
    trial_config = apply_overrides(config, overrides)
    try:
      checks.check_config(trial_config)
    except ConfigError as e:
      raise SweepError(f'{file}: trial {name!r}: {e}') from None
    if metric:
      check_metric(metric, trial_config, f'{file}: trial {name!r}')
    workdir = root / name
    trials.append(Trial(
        index=len(trials), name=name, variant=variant_name(variant),
        fields={f: config_path.get_value(f, trial_config) for f in varied}, seed=seed,
        overrides=overrides, workdir=workdir, num_steps=trial_config.train.num_steps,
        command=trial_command(spec['config'], workdir, {**overrides, **(settings or {})})))
  return trials


def load_sweep(file: str, root: Path, settings: list[str] = ()) -> Sweep:
  """Reads and checks a sweep file; its trials' workdirs are under `root`; `settings` as --set."""
  module = load_module(file, 'sweep file')
  if not hasattr(module, 'get_sweep'):
    raise SweepError(f'{file} defines no get_sweep().')
  spec = module.get_sweep()
  check_spec(spec, file)
  config = load_config(spec['config'])
  check_axes(spec, config, file)
  metric = spec.get('metric', config.best.metric)
  trials = make_trials(spec, config, root, file, metric, parse_settings(list(settings), config))
  varied = list(trials[0].fields)
  return Sweep(file=file, config=spec['config'], varied=varied, seeds=spec['seeds'],
               metric=metric, mode=spec.get('mode', config.best.mode), trials=trials,
               train_series=spec.get('train_series', []))


def parse_shard(text: str) -> tuple[int, int]:
  match = re.fullmatch(r'(\d+)/(\d+)', text)
  if not match or not int(match[1]) < int(match[2]):
    raise SweepError(f'--shard={text!r}: expected i/n with 0 <= i < n, e.g. --shard=0/4.')
  return int(match[1]), int(match[2])


def shard_trials(trials: list, shard: tuple[int, int] | None) -> list:
  if shard is None:
    return trials
  i, n = shard
  return [t for t in trials if t.index % n == i]


def write_manifest(sweep: Sweep, root: Path) -> None:
  """root/sweep.json: every trial's overrides and command. Atomic: shards write it concurrently."""
  manifest = {'sweep_file': sweep.file, 'config': sweep.config, 'metric': sweep.metric,
              'mode': sweep.mode, 'trials': [
                  {'index': t.index, 'name': t.name, 'variant': t.variant, 'seed': t.seed,
                   'overrides': t.overrides, 'workdir': str(t.workdir), 'num_steps': t.num_steps,
                   'command': shlex.join(t.command)} for t in sweep.trials]}
  root.mkdir(parents=True, exist_ok=True)
  tmp = root / f'sweep.json.tmp.{socket.gethostname()}.{os.getpid()}'
  tmp.write_text(json.dumps(manifest, indent=2))
  os.replace(tmp, root / 'sweep.json')


class TrialRunner:
  """Runs trial commands one at a time, passing SIGTERM and SIGINT on to the running one.

  The trial saves a checkpoint and exits (gan_jax.training.preemption ignores a repeated
  signal, such as a Ctrl-C that reaches it from the terminal too); then the sweep stops.
  """

  def __init__(self):
    self.process = None
    self.signal_name = None

  def _forward(self, signum, frame):
    del frame
    self.signal_name = signal.Signals(signum).name
    if self.process is not None:
      self.process.send_signal(signum)

  def __enter__(self):
    self.previous = {s: signal.signal(s, self._forward) for s in (signal.SIGTERM, signal.SIGINT)}
    return self

  def __exit__(self, *exc):
    for s, handler in self.previous.items():
      signal.signal(s, handler)

  def run(self, command: list[str]) -> int:
    self.process = subprocess.Popen(command)
    try:
      return self.process.wait()
    finally:
      self.process = None


def format_eta(durations: list[float], left: int) -> str:
  if not durations:
    return 'unknown'
  return str(datetime.timedelta(seconds=round(sum(durations) / len(durations) * left)))


def run_trials(trials: list) -> int:
  """Runs the unfinished trials in order; the exit status for the sweep (0: all finished)."""
  todo = []
  for trial in trials:
    if is_finished(trial):
      print(f'skip {trial.name}: finished (step {trial.num_steps})', flush=True)
    else:
      todo.append(trial)
  done = len(trials) - len(todo)
  print(f'{len(trials)} trials: {done} finished already, {len(todo)} to run.', flush=True)
  failures, durations = [], []
  with TrialRunner() as runner:
    for k, trial in enumerate(todo, 1):
      if runner.signal_name:
        break
      left = len(todo) - k + 1
      print(f'[{k}/{len(todo)}] trial {trial.name} (done {done}, left {left}, '
            f'ETA {format_eta(durations, left)})', flush=True)
      start = time.monotonic()
      status = runner.run(trial.command)
      durations.append(time.monotonic() - start)
      if runner.signal_name:  # The trial got it too: it saved a checkpoint and stopped.
        print(f'Stopped by {runner.signal_name} in trial {trial.name} '
              f'({trial_status(trial)}); run the same command to resume.', flush=True)
      elif status != 0:
        failures.append(f'{trial.name}: exit status {status}')
      elif not is_finished(trial):
        failures.append(f'{trial.name}: exit status 0 but {trial_status(trial)}; stopped by a '
                        'signal? Run the sweep again to resume it.')
      else:
        done += 1
  for failure in failures:
    print(f'FAILED {failure}', flush=True)
  print(f'{done} of {len(trials)} trials finished, {len(failures)} failed.', flush=True)
  return 1 if failures or runner.signal_name else 0


# ---------------------------------------------------------------- command line


def sweep_command(file: str, root: Path, shard: str | None = None, print_commands: bool = False,
                  report: bool = False, settings: list[str] = (),
                  results: str | None = None) -> int:
  """What the command line does; the exit status."""
  if report and (print_commands or shard):
    raise SweepError('--report reads every trial; it takes neither --print_commands nor --shard.')
  if results and not report:
    raise SweepError('--results is where --report merges and writes; add --report.')
  selected = parse_shard(shard) if shard else None  # Before the slow part: loading the sweep.
  sweep = load_sweep(file, root, settings)
  if report:
    from gan_jax.tools import sweep_report
    for path in sweep_report.write_report(sweep, root, Path(results) if results else None):
      print(path)
    return 0
  trials = shard_trials(sweep.trials, selected)
  write_manifest(sweep, root)
  if print_commands:
    for trial in trials:
      print(shlex.join(trial.command))
    return 0
  return run_trials(trials)


def main(argv):
  if len(argv) != 2:
    raise app.UsageError('Usage: python -m gan_jax.sweep experiments/NAME.py --workdir runs/NAME '
                         '[--shard i/n] [--print_commands | --report [--results DIR]] '
                         '[--set field=value ...]')
  try:
    sys.exit(sweep_command(argv[1], Path(FLAGS.workdir), FLAGS.shard, FLAGS.print_commands,
                           FLAGS.report, FLAGS.set, FLAGS.results))
  except SweepError as e:
    sys.exit(f'gan_jax.sweep: {e}')


if __name__ == '__main__':
  FLAGS = flags.FLAGS
  flags.DEFINE_string('workdir', None, "The sweep's folder: trial workdirs, sweep.json, results.")
  flags.DEFINE_bool('print_commands', False,
                    'Print one shell command per trial (for a cluster scheduler); run nothing.')
  flags.DEFINE_string('shard', None, "'i/n': only the trials whose index % n == i (machine i/n).")
  flags.DEFINE_bool('report', False,
                    "No training: results.csv, results.md and plots/ from the trials' metrics.")
  flags.DEFINE_string('results', None,
                      "--report: merge each finished trial's record into this committed folder's "
                      'trials/ (experiments/results/NAME) and write the tables there from all '
                      'of them, the trials run elsewhere included.')
  flags.DEFINE_multi_string('set', [], "'field=value': this machine's setting for every trial "
                            '(local data or weights), outside the trial names.')
  flags.mark_flag_as_required('workdir')
  app.run(main)

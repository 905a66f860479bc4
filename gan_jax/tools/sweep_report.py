"""`gan_jax.sweep --report`: the trials' metrics.jsonl -> results.csv, results.md and plots/.

With --results DIR (a folder under experiments/results/, committed) the report merges: each
trial finished in runs/ writes its record, DIR/trials/<trial>.json (its status, last step,
every metric's series and protocols), replacing the one there; a trial not finished in runs/
(or whose runs/ is gone, e.g. on another machine) is read from its committed record. The
tables are then written in DIR from the merged records, so a study's table grows over
sessions and machines, one finished trial at a time.

A metric is named '<eval>/<metric>' for the EMA generator's records and
'<eval>/<metric>/raw' for the raw generator's. results.csv has a row per trial
(any status) with each metric's last value and, for the sweep's metric, its
best (by the sweep's mode), for other metrics its min and max, each with its
step. results.md and the plots use the finished trials that have metrics: a
variant's cell is the mean ± std over those seeds of the metric's final value.
"""
import csv
import json
import statistics
from pathlib import Path

import matplotlib

matplotlib.use('Agg')  # Headless: figures are only ever written to files.
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from gan_jax.eval import metric_names  # noqa: E402
from gan_jax.tools import trials  # noqa: E402
from gan_jax.training import checkpointing, history  # noqa: E402


def read_metrics(workdir: Path, train_series: list[str] = ()
                 ) -> tuple[dict[str, dict[int, float]], dict[str, dict]]:
  """({metric: {step: value}}, {eval: protocol without step and generator}) of one trial;
  with `train_series`, those train metrics too, as 'train/<name>'."""
  series, protocols = {}, {}
  # A run resumed from an older checkpoint logs some steps again: the last record wins.
  for record in history.records(workdir / 'metrics.jsonl'):
    key = metric_names.metric_name(record['eval'], record['metric'], record['generator'])
    series.setdefault(key, {})[record['step']] = record['value']
    protocols[record['eval']] = {k: v for k, v in record['protocol'].items()
                                 if k not in ('step', 'generator')}
  logged = history.read(workdir / 'train_metrics.jsonl') if train_series else {}
  for step, record in logged.items():
    for name in train_series:
      if name in record:
        series.setdefault(f'train/{name}', {})[step] = record[name]
  return {k: dict(sorted(v.items())) for k, v in series.items()}, protocols


def summarize(series: dict[str, dict[int, float]], metric: str, mode: str) -> dict:
  """Per metric: last value and step; best (the sweep's metric) or min and max, with steps."""
  row = {}
  for key, values in series.items():
    last_step = max(values)
    row[f'{key}/last'], row[f'{key}/last_step'] = values[last_step], last_step
    for direction in (mode,) if key == metric else ('min', 'max'):
      step = (min if direction == 'min' else max)(values, key=values.get)  # Ties: the earliest.
      label = 'best' if key == metric else direction
      row[f'{key}/{label}'], row[f'{key}/{label}_step'] = values[step], step
  return row


def run_record(trial: trials.Trial, train_series: list[str] = ()) -> dict:
  """What one trial's workdir says: status, last saved step, metric series (and the
  `train_series` train metrics') and protocols."""
  series, protocols = read_metrics(trial.workdir, train_series)
  return {'trial': trial.name, 'status': trials.trial_status(trial),
          'step': checkpointing.latest_saved_step(trial.workdir), 'series': series,
          'protocols': protocols}


def read_record(path: Path) -> dict:
  record = json.loads(path.read_text())
  record['series'] = {key: {int(step): value for step, value in values.items()}
                      for key, values in record['series'].items()}  # JSON keys are strings.
  return record


def merged_records(sweep: trials.Sweep, results: Path | None) -> dict[str, dict]:
  """Trial name -> its record: from runs/ if it finished there (then also committed to
  results/trials/), else the committed one if any, else what runs/ says (unfinished, or not
  started)."""
  records = {}
  for trial in sweep.trials:
    record = run_record(trial, sweep.train_series)
    saved = results / 'trials' / f'{trial.name}.json' if results else None
    if saved and record['status'] == 'finished':
      saved.parent.mkdir(parents=True, exist_ok=True)
      saved.write_text(json.dumps(record, indent=1, sort_keys=True) + '\n')
    elif saved and saved.exists():
      record = read_record(saved)
    records[trial.name] = record
  return records


def trial_row(trial: trials.Trial, sweep: trials.Sweep, record: dict) -> dict:
  return {'trial': trial.name, 'variant': trial.variant, **trial.fields, 'seed': trial.seed,
          'status': record['status'], 'step': record['step'],
          **summarize(record['series'], sweep.metric, sweep.mode),
          **{f'{name}/protocol': json.dumps(p, sort_keys=True)
             for name, p in record['protocols'].items()}}


def write_csv(rows: list[dict], varied: list[str], path: Path) -> None:
  """The trial's identity first, then the metric columns in alphabetical order."""
  head = ['trial', 'variant', *varied, 'seed', 'status', 'step']
  columns = head + sorted({column for row in rows for column in row} - set(head))
  with open(path, 'w', newline='') as f:
    writer = csv.DictWriter(f, columns)
    writer.writeheader()
    writer.writerows(rows)


def by_variant(sweep: trials.Sweep, rows: list[dict], series: dict) -> dict[str, list[dict]]:
  """Variant -> the rows of its finished trials with metrics, in the sweep's order.

  A variant without any keeps an empty list, so the table still shows it.
  """
  groups = {trial.variant: [] for trial in sweep.trials}
  for trial, row in zip(sweep.trials, rows):
    if row['status'] == 'finished' and series[trial.name]:
      groups[trial.variant].append(row)
  return groups


def mean_std(values: list[float], fmt: str = '{:.4g}', std_fmt: str = '{:.2g}') -> str:
  """'mean ± sample std' (ddof 1) of a table cell; the mean alone for one seed, '–' for none."""
  if not values:
    return '–'
  if len(values) == 1:
    return fmt.format(values[0])
  return f'{fmt.format(statistics.mean(values))} ± {std_fmt.format(statistics.stdev(values))}'


def best_variant(groups: dict[str, list[dict]], metric: str, mode: str) -> str | None:
  """The variant whose seeds have the best mean final value of `metric`."""
  means = {variant: statistics.mean(values) for variant, rows in groups.items()
           if (values := [r[f'{metric}/last'] for r in rows if f'{metric}/last' in r])}
  if not means:
    return None
  return (min if mode == 'min' else max)(means, key=means.get)


def markdown(sweep: trials.Sweep, rows: list[dict], groups: dict[str, list[dict]],
             metrics: list[str]) -> str:
  """The table of variants, the best one in bold, and the trials without results."""
  best = best_variant(groups, sweep.metric, sweep.mode) if sweep.metric else None
  columns = [(key, 'last', key) for key in metrics]
  if sweep.metric in metrics:
    columns.append((sweep.metric, 'best', f'{sweep.metric} best ({sweep.mode})'))
  num_seeds = len(sweep.seeds)
  lines = [f'# Sweep {Path(sweep.file).stem}', '',
           f'Sweep file `{sweep.file}`, base config `{sweep.config}`: {len(groups)} variants x '
           f'{num_seeds} seeds. A cell is the mean ± std (sample, ddof 1) over the variant\'s '
           "seeds of the metric's final value; a 'best' column, of each seed's best value in "
           'training. Seeds: the finished trials with metrics.', '',
           '| variant | seeds | ' + ' | '.join(title for _, _, title in columns) + ' |',
           '| --- | --- |' + ' --- |' * len(columns)]
  for variant, group in groups.items():
    cells = []
    for key, statistic, _ in columns:
      values = [row[f'{key}/{statistic}'] for row in group if f'{key}/{statistic}' in row]
      cell = mean_std(values)
      is_ranked = variant == best and (key, statistic) == (sweep.metric, 'last')
      cells.append(f'**{cell}**' if is_ranked else cell)
    name = f'**{variant}**' if variant == best else variant
    seeds = str(len(group)) if len(group) == num_seeds else f'{len(group)} of {num_seeds}'
    lines.append(f'| {name} | {seeds} | ' + ' | '.join(cells) + ' |')
  lines.append('')
  if best is not None:
    extreme = 'lowest' if sweep.mode == 'min' else 'highest'
    lines.append(f'**Best variant: `{best}`**, by the {extreme} mean final {sweep.metric}.')
  elif sweep.metric:
    lines.append(f'No finished trial has {sweep.metric}; metrics found: {metrics}.')
  else:
    lines.append('No metric ranks the variants: set metric and mode in the sweep file.')
  in_table = {row['trial'] for group in groups.values() for row in group}
  missing = [f'- `{row["trial"]}`: ' + (row['status'] if row['status'] != 'finished' else
                                        'finished, but metrics.jsonl has no records')
             for row in rows if row['trial'] not in in_table]
  lines += ['', '## Missing trials', '', *(missing or ['None: every trial has results.']), '']
  return '\n'.join(lines)


def plot_metric(groups: dict[str, list[dict]], series: dict, key: str, path: Path) -> None:
  """Mean over seeds against the step, one line per variant, shaded between min and max."""
  fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
  for variant, rows in groups.items():
    curves = [series[row['trial']][key] for row in rows if key in series[row['trial']]]
    if not curves:
      continue
    steps = sorted(set().union(*curves))
    values = [[curve[s] for curve in curves if s in curve] for s in steps]
    line, = ax.plot(steps, [np.mean(v) for v in values], marker='o',
                    label=f'{variant} (n={len(curves)})')
    ax.fill_between(steps, [min(v) for v in values], [max(v) for v in values],
                    color=line.get_color(), alpha=0.2)
  ax.set_xlabel('step')
  ax.set_ylabel(key)
  ax.set_title(f'{key}: mean over seeds, band from min to max')
  ax.grid(alpha=0.3)
  ax.legend(fontsize='small')
  fig.tight_layout()
  path.parent.mkdir(parents=True, exist_ok=True)
  fig.savefig(path)
  plt.close(fig)


def write_report(sweep: trials.Sweep, root: Path, results: Path | None = None) -> list[Path]:
  """Writes results.csv, results.md and plots/<eval>.<metric>.png in `root`, or, merged with
  the committed records, in `results`; their paths."""
  records = merged_records(sweep, results)
  root = results or root
  series = {name: record['series'] for name, record in records.items()}
  rows = [trial_row(trial, sweep, records[trial.name]) for trial in sweep.trials]
  groups = by_variant(sweep, rows, series)
  metrics = sorted({key for group in groups.values() for row in group
                    for key in series[row['trial']]})
  root.mkdir(parents=True, exist_ok=True)
  paths = [root / 'results.csv', root / 'results.md']
  write_csv(rows, sweep.varied, paths[0])
  paths[1].write_text(markdown(sweep, rows, groups, metrics))
  for key in metrics:
    paths.append(root / 'plots' / f'{key.replace("/", ".")}.png')
    plot_metric(groups, series, key, paths[-1])
  return paths

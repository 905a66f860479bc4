"""The one-class benchmark's table and plot from its sweeps' trials (experiments/anomaly_*):
per normal class, each method's final AUROC (mean ± std over the seeds that finished) beside
the published rows, and a plot of per-class AUROC. Run from the repository root:

  python scripts/anomaly_table.py runs/anomaly_mnist --dataset mnist \
    --out experiments/results/anomaly_mnist

For each of the dataset's sweeps, experiments/anomaly_<dataset>_<sweep>.py with its trials
under <root>/<sweep>, the sweep report merges (gan_jax.sweep --report --results
<out>/<sweep>): each trial finished in runs/ writes its committed record,
<out>/<sweep>/trials/<trial>.json, so a table outlives runs/ and grows over sessions; that
sweep's results.md and plots are written beside. The table (<out>/table.md) and plot
(<out>/auroc_per_class.png) are then made from every committed record. With --hardest SWEEP,
also <out>/hardest.png: per normal class (a row each), the 8 normal test images SWEEP's
method scored highest, then the 8 anomalous ones it scored lowest, from each trial's
--mode score output in runs/ (the first seed).
"""
import argparse
import json
import statistics
import sys
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # gan_jax, run from anywhere.

from gan_jax.common import plots  # noqa: E402
from gan_jax.eval import context  # noqa: E402
from gan_jax.run import standalone  # noqa: E402
from gan_jax.tools import sweep as sweep_tool  # noqa: E402
from gan_jax.tools import sweep_report  # noqa: E402

HARDEST = 8  # Images of each kind per row of hardest.png.

SWEEPS = ('gan', 'fanogan', 'ganomaly')  # experiments/anomaly_<dataset>_<sweep>.py
# (sweep, metric) of each record holding a method's AUROC. The SVM reads only the data, so its
# runs in two sweeps with the same trial name give the same number.
METHODS = {'AnoGAN (ours)': [('gan', 'anogan/auroc/raw')],
           'f-AnoGAN (ours)': [('fanogan', 'anomaly/auroc')],
           'GANomaly (ours)': [('ganomaly', 'anomaly/auroc/raw')],
           'OC-SVM, raw pixels (ours)': [('gan', 'ocsvm/auroc'), ('ganomaly', 'ocsvm/auroc')]}
# ../shared/APPLICATIONS.md §2, AUROC % per normal class 0..9.
PUBLISHED = {
    'mnist': {
        'Deep SVDD (paper)': [98.0, 99.7, 91.7, 91.9, 94.9, 88.5, 98.3, 94.6, 93.9, 96.5],
        'AnoGAN (Deep SVDD\'s table)': [96.6, 99.2, 85.0, 88.7, 89.4, 88.3, 94.7, 93.5, 84.9,
                                        92.4],
        'OCGAN (as cited)': [99.8, 99.9, 94.2, 96.3, 97.5, 98.0, 99.1, 98.1, 93.9, 98.1]},
    'fashion_mnist': {
        'GEOM (as cited)': [99.4, 97.6, 91.1, 89.9, 92.1, 93.4, 83.3, 98.9, 90.8, 99.2]},
}


def merge_sweeps(root: Path, dataset: str, out: Path) -> None:
  """The sweep report of each sweep: trials finished under root/<sweep> -> out/<sweep>/trials/."""
  for name in SWEEPS:
    sweep = sweep_tool.load_sweep(f'experiments/anomaly_{dataset}_{name}.py', root / name)
    sweep_report.write_report(sweep, root / name, out / name)


def committed_records(out: Path) -> dict[str, list[dict]]:
  """{sweep: its committed trial records}."""
  return {name: [sweep_report.read_record(path)
                 for path in sorted((out / name / 'trials').glob('*.json'))] for name in SWEEPS}


def collect(records: dict[str, list[dict]]) -> dict[str, dict[str, float]]:
  """{method: {trial name: final AUROC %}} of the finished trials' records."""
  results = {}
  for method, sources in METHODS.items():
    for name, metric in sources:
      for record in records.get(name, []):
        values = record['series'].get(metric)
        if record['status'] == 'finished' and values:
          results.setdefault(method, {})[record['trial']] = round(100 * values[max(values)], 3)
  return {method: dict(sorted(trials.items())) for method, trials in results.items()}


def normal_class(trial_name: str) -> int:
  """'data.classes=_3,_,seed=1' -> 3."""
  return int(trial_name.split('=')[1].strip('_,').split(',')[0].strip('_'))


def per_class(aurocs: dict) -> dict[str, dict[int, list[float]]]:
  """{method: {normal class: [AUROC % of each seed]}}."""
  return {method: {c: [v for name, v in trials.items() if normal_class(name) == c]
                   for c in sorted({normal_class(name) for name in trials})}
          for method, trials in aurocs.items()}


def cell(values: list[float]) -> str:
  """AUROC % as mean ± std over seeds, to 0.1."""
  return sweep_report.mean_std(values, '{:.1f}', '{:.1f}')


def table(results: dict, dataset: str) -> str:
  lines = ['| AUROC % (normal class) | ' + ' | '.join(map(str, range(10))) + ' | mean | seeds |',
           '| --- |' + ' --- |' * 12]
  for method, by_class in results.items():
    means = [statistics.mean(by_class[c]) for c in range(10) if c in by_class]
    mean = f'{statistics.mean(means):.1f}' if len(means) == 10 else '–'
    seeds = sorted({len(v) for v in by_class.values()})
    lines.append(f'| {method} | ' + ' | '.join(cell(by_class.get(c, [])) for c in range(10))
                 + f' | {mean} | {"/".join(map(str, seeds))} |')
  for method, row in PUBLISHED[dataset].items():
    lines.append(f'| {method} | ' + ' | '.join(f'{v:.1f}' for v in row)
                 + f' | {statistics.mean(row):.1f} | |')
  return '\n'.join(lines) + '\n'


def plot(results: dict, dataset: str, path: Path) -> None:
  fig, ax = plt.subplots(figsize=(8, 4.5))
  for method, by_class in results.items():
    classes = sorted(by_class)
    ax.plot(classes, [statistics.mean(by_class[c]) for c in classes], 'o-', label=method)
  for method, row in PUBLISHED[dataset].items():
    ax.plot(range(10), row, 'x--', alpha=0.6, label=method)
  ax.set_xticks(range(10))
  ax.set_xlabel('normal class')
  ax.set_ylabel('AUROC %')
  ax.set_title(f'One-class {dataset}: AUROC per normal class')
  ax.grid(alpha=0.3)
  ax.legend(fontsize=7, loc='lower left')
  fig.tight_layout()
  fig.savefig(path, dpi=120)
  plt.close(fig)


def hardest_row(trial: Path) -> np.ndarray:
  """The HARDEST highest-scoring normal, then lowest-scoring anomalous, test images."""
  scored = np.load(sorted(trial.glob('scores_step_*/scores.npz'))[-1])
  config = standalone.saved_config(trial)
  source = context.reference_source(config, 'test', all_classes=True)
  scores, anomalous = scored['scores'], scored['is_anomaly']
  normal = np.flatnonzero(~anomalous)[np.argsort(-scores[~anomalous])][:HARDEST]
  outliers = np.flatnonzero(anomalous)[np.argsort(scores[anomalous])][:HARDEST]
  return source.read(np.concatenate([normal, outliers]))[0]


def hardest_picture(sweep_dir: Path, path: Path) -> None:
  trials = {}
  for trial in sorted(sweep_dir.glob('data.classes=*,seed=*')):
    if list(trial.glob('scores_step_*/scores.npz')):
      trials.setdefault(trial.name.split(',seed=')[0], trial)
  rows = [hardest_row(trial) for trial in trials.values()]
  plots.save_png(plots.image_rows(np.concatenate(rows), len(rows)), path)


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument('root', type=Path)
  parser.add_argument('--dataset', choices=sorted(PUBLISHED), required=True)
  parser.add_argument('--out', type=Path, required=True)
  parser.add_argument('--hardest', choices=SWEEPS,
                      help="the sweep whose trials' scores.npz make hardest.png")
  args = parser.parse_args()
  merge_sweeps(args.root, args.dataset, args.out)
  aurocs = collect(committed_records(args.out))
  results = per_class(aurocs)
  (args.out / 'table.md').write_text(table(results, args.dataset))
  plot(results, args.dataset, args.out / 'auroc_per_class.png')
  if args.hardest:
    hardest_picture(args.root / args.hardest, args.out / 'hardest.png')
  print(table(results, args.dataset))


if __name__ == '__main__':
  main()

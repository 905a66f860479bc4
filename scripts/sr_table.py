"""The super-resolution experiment's table (experiments/sr_*): bicubic, SRResNet and SRGAN on
PSNR, SSIM, label accuracy, FID, KID and precision/recall, mean ± std over the seeds that
finished, from the committed trial records, so it grows over sessions without runs/:

  python scripts/sr_table.py experiments/results/sr_fashion_mnist

reads <results>/srresnet/trials/ and <results>/srgan/trials/ (gan_jax.sweep --report
--results) and <results>/bicubic_fid.json (scripts/sr_bicubic_fid.py), and writes and prints
<results>/table.md: that table, then each seed's SRResNet beside its SRGAN. Bicubic's PSNR,
SSIM and accuracy come from the same runs' evaluators.
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # gan_jax, run from anywhere.

from gan_jax.tools import sweep_report  # noqa: E402

STAGES = {'srresnet': 'SRResNet (pixel MSE)', 'srgan': 'SRGAN (content + adversarial)'}
# (metric, its bicubic counterpart, format, scale) of each column after the seeds.
COLUMNS = [('translation/psnr', 'translation/bicubic_psnr', '{:.2f}', 1),
           ('translation/ssim', 'translation/bicubic_ssim', '{:.3f}', 1),
           ('label_preservation/accuracy', 'label_preservation/bicubic_accuracy', '{:.1f}', 100),
           ('fid/fid', 'fid', '{:.1f}', 1), ('fid/kid', 'kid', '{:.4f}', 1),
           ('fid/precision', 'precision', '{:.3f}', 1), ('fid/recall', 'recall', '{:.3f}', 1)]
HEADER = ('| 10,000 test images | seeds | PSNR (dB) | SSIM | label accuracy (%) | FID (2k) | '
          'KID (2k) | precision | recall |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |')


def finished_records(results: Path, stage: str) -> list[dict]:
  paths = sorted((results / stage / 'trials').glob('*.json'))
  return [r for r in map(sweep_report.read_record, paths) if r['status'] == 'finished']


def final(record: dict, metric: str) -> float:
  series = record['series'][metric]
  return series[max(series)]


def cell(values: list[float], fmt: str) -> str:
  """mean ± std over seeds, both in the column's format."""
  return sweep_report.mean_std(values, fmt, fmt)


def same_in_every_run(runs: list[dict], metric: str, fmt: str, scale: float) -> str:
  """A value that does not depend on the seed (bicubic's, the originals'), shown once: equal
  to the column's precision in every run."""
  shown = {fmt.format(final(r, metric) * scale) for r in runs}
  if len(shown) != 1:
    raise ValueError(f'{metric} differs between the runs ({sorted(shown)}): they did not '
                     'score the same test images.')
  return shown.pop()


def table(records: dict[str, list[dict]], bicubic_fid: dict) -> str:
  """The markdown table; bicubic's in-run values from the SRResNet runs (SRGAN's if none)."""
  runs = records['srresnet'] or records['srgan']
  bicubic = [same_in_every_run(runs, key, fmt, scale) if '/' in key
             else fmt.format(bicubic_fid[key]) for _, key, fmt, scale in COLUMNS]
  lines = [HEADER, '| bicubic | – | ' + ' | '.join(bicubic) + ' |']
  for stage, name in STAGES.items():
    cells = [cell([final(r, metric) * scale for r in records[stage]], fmt)
             for metric, _, fmt, scale in COLUMNS]
    lines.append(f'| {name} | {len(records[stage])} | ' + ' | '.join(cells) + ' |')
  target = same_in_every_run(runs, 'label_preservation/target_accuracy', '{:.1f}', 100)
  lines.append(f'| the originals | – | ∞ | 1 | {target} | 0 | 0 | 1 | 1 |')
  return '\n'.join(lines) + '\n'


def paired(records: dict[str, list[dict]]) -> str:
  """Per seed finished in both stages, SRResNet's and SRGAN's PSNR and FID side by side: each
  SRGAN starts from its seed's SRResNet, so the seed-to-seed spread cancels in the change."""
  by_seed = {stage: {r['trial']: r for r in records[stage]} for stage in STAGES}
  lines = ['| trial | PSNR SRResNet → SRGAN (dB) | FID (2k) SRResNet → SRGAN |',
           '| --- | --- | --- |']
  for trial in sorted(by_seed['srresnet'].keys() & by_seed['srgan'].keys()):
    before, after = by_seed['srresnet'][trial], by_seed['srgan'][trial]
    lines.append(f"| {trial} | {final(before, 'translation/psnr'):.2f} → "
                 f"{final(after, 'translation/psnr'):.2f} | {final(before, 'fid/fid'):.1f} → "
                 f"{final(after, 'fid/fid'):.1f} |")
  return '\n'.join(lines) + '\n'


def main():
  results = Path(sys.argv[1])
  records = {stage: finished_records(results, stage) for stage in STAGES}
  text = (table(records, json.loads((results / 'bicubic_fid.json').read_text())['values'])
          + '\n' + paired(records))
  (results / 'table.md').write_text(text)
  print(text)


if __name__ == '__main__':
  main()

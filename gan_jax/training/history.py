"""Scalars and evaluation records as JSON lines in the workdir; the loss curve reads them back.

Append-only, so a kill can at most cut the last line, which reading skips; a
resumed run re-logs the same steps and the last record of a step wins.
"""
import json
from pathlib import Path


def append(path: Path, record: dict) -> None:
  """One JSON object per line (metrics.jsonl holds evaluation records the same way)."""
  with open(path, 'a') as f:
    f.write(json.dumps(record) + '\n')


def read(path: Path) -> dict[int, dict[str, float]]:
  records = {}
  if path.exists():
    for line in path.read_text().splitlines():
      try:
        record = json.loads(line)
      except json.JSONDecodeError:
        continue  # A line cut by a kill.
      records[record.pop('step')] = record
  return dict(sorted(records.items()))

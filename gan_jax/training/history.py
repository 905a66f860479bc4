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


def records(path: Path) -> list[dict]:
  """Every record of a JSON-lines file, in order (none if it is missing)."""
  kept = []
  for line in path.read_text().splitlines() if path.exists() else []:
    try:
      kept.append(json.loads(line))
    except json.JSONDecodeError:
      continue  # A line cut by a kill.
  return kept


def read(path: Path) -> dict[int, dict[str, float]]:
  """Scalars by step, the last record of a step winning."""
  by_step = {}
  for record in records(path):
    by_step[record.pop('step')] = record
  return dict(sorted(by_step.items()))

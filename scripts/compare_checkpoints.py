"""Leaf-by-leaf comparison of the latest checkpoints of two workdirs (regression checks).

PYTHONPATH=. python scripts/compare_checkpoints.py RUN_A RUN_B
Prints, per pair, the step, the leaves compared and how many differ bitwise; exit 1 if any do.
"""
import sys
from pathlib import Path

import jax
import numpy as np

from gan_jax.training import checkpointing


def main(a: str, b: str) -> int:
  (step_a, state_a), (step_b, state_b) = (checkpointing.restore_saved(Path(a), None),
                                          checkpointing.restore_saved(Path(b), None))
  leaves_a = dict(jax.tree_util.tree_leaves_with_path(state_a))
  leaves_b = dict(jax.tree_util.tree_leaves_with_path(state_b))
  keys = sorted(set(leaves_a) | set(leaves_b), key=jax.tree_util.keystr)
  differing = [jax.tree_util.keystr(k) for k in keys
               if k not in leaves_a or k not in leaves_b
               or np.asarray(leaves_a[k]).tobytes() != np.asarray(leaves_b[k]).tobytes()
               or np.asarray(leaves_a[k]).dtype != np.asarray(leaves_b[k]).dtype]
  print(f'{a} (step {step_a}) vs {b} (step {step_b}): {len(keys)} leaves, '
        f'{len(differing)} differ{": " + ", ".join(differing[:10]) if differing else ""}')
  return int(bool(differing) or step_a != step_b)


if __name__ == '__main__':
  sys.exit(main(*sys.argv[1:]))

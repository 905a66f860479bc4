"""Atomic writes: a kill leaves either the old file or the new one, never half of one."""
import json
import os
import zipfile
from pathlib import Path

import numpy as np


def write_json(path: Path, payload) -> None:
  tmp = path.with_name(path.name + '.tmp')
  tmp.write_text(json.dumps(payload, indent=2, sort_keys=True))
  os.replace(tmp, path)


def write_npz(path: Path, **arrays: np.ndarray) -> None:
  tmp = path.with_suffix('.tmp')
  with open(tmp, 'wb') as f:  # A file object: np.savez would append '.npz' to a name.
    np.savez(f, **arrays)
  os.replace(tmp, path)


def write_npz_stream(path: Path, name: str, batches, num: int) -> None:
  """Writes the stream of arrays `batches` as array `name` of an .npz, one batch at a time.

  Never holds more than one batch (a 50,000-sample npz needs no 50,000-sample array).
  """
  tmp, first = path.with_suffix('.tmp'), None
  with zipfile.ZipFile(tmp, 'w', zipfile.ZIP_STORED, allowZip64=True) as archive:
    with archive.open(f'{name}.npy', 'w', force_zip64=True) as f:
      for batch in batches:
        if first is None:
          first = batch
          header = {'descr': np.lib.format.dtype_to_descr(batch.dtype), 'fortran_order': False,
                    'shape': (num,) + batch.shape[1:]}
          np.lib.format.write_array_header_2_0(f, header)
        f.write(np.ascontiguousarray(batch).tobytes())
  os.replace(tmp, path)

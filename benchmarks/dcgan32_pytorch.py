"""The PyTorch peer of `python -m gan_jax.benchmark --config configs/dcgan_cifar10.py`.

The same DCGAN-32 and the same step as gan_jax: G z=100 -> 4x4x256 -> 128 -> 64 -> 3
(4x4 transposed convolutions, batch norm + ReLU, tanh), D 3 -> 64 (LReLU 0.2) -> 128 -> 256
(+ batch norm) -> 4x4 valid conv to one logit; batch 64, non-saturating loss, Adam 2e-4
(beta1 0.5); per step one D update (real and fake in separate forward passes) and one G
update that reuses the step's fake batch. Eager mode, as the official PyTorch DCGAN example.

  pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
  python benchmarks/dcgan32_pytorch.py [--steps 50] [--threads N]

Prints one summary line: images/s, ms/step, threads.
"""
import argparse
import os
import time

import torch
from torch import nn


def generator(z_dim=100, width=64, channels=3):
  return nn.Sequential(
      nn.ConvTranspose2d(z_dim, width * 4, 4, 1, 0, bias=False), nn.BatchNorm2d(width * 4),
      nn.ReLU(True),
      nn.ConvTranspose2d(width * 4, width * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(width * 2),
      nn.ReLU(True),
      nn.ConvTranspose2d(width * 2, width, 4, 2, 1, bias=False), nn.BatchNorm2d(width),
      nn.ReLU(True),
      nn.ConvTranspose2d(width, channels, 4, 2, 1), nn.Tanh())


def discriminator(width=64, channels=3):
  return nn.Sequential(
      nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2, True),
      nn.Conv2d(width, width * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(width * 2),
      nn.LeakyReLU(0.2, True),
      nn.Conv2d(width * 2, width * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(width * 4),
      nn.LeakyReLU(0.2, True),
      nn.Conv2d(width * 4, 1, 4, 1, 0), nn.Flatten())


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument('--steps', type=int, default=50)
  parser.add_argument('--warmup', type=int, default=5)
  parser.add_argument('--batch', type=int, default=64)
  parser.add_argument('--threads', type=int, default=os.cpu_count())
  args = parser.parse_args()
  torch.set_num_threads(args.threads)
  torch.manual_seed(0)
  net_g, net_d = generator(), discriminator()
  opt_g = torch.optim.Adam(net_g.parameters(), lr=2e-4, betas=(0.5, 0.999))
  opt_d = torch.optim.Adam(net_d.parameters(), lr=2e-4, betas=(0.5, 0.999))
  bce = nn.BCEWithLogitsLoss()
  real = torch.rand(args.batch, 3, 32, 32) * 2 - 1  # Synthetic: the step alone is measured.
  ones, zeros = torch.ones(args.batch, 1), torch.zeros(args.batch, 1)

  def step():
    net_d.zero_grad(set_to_none=True)
    d_real = bce(net_d(real), ones)
    fake = net_g(torch.randn(args.batch, 100, 1, 1))
    d_fake = bce(net_d(fake.detach()), zeros)
    (d_real + d_fake).backward()
    opt_d.step()
    net_g.zero_grad(set_to_none=True)
    g_loss = bce(net_d(fake), ones)  # Non-saturating; the same fake batch.
    g_loss.backward()
    opt_g.step()

  for _ in range(args.warmup):
    step()
  start = time.perf_counter()
  for _ in range(args.steps):
    step()
  seconds = (time.perf_counter() - start) / args.steps
  print(f'pytorch {torch.__version__} eager DCGAN-32: {args.batch / seconds:.1f} images/s, '
        f'{seconds * 1e3:.1f} ms/step, {torch.get_num_threads()} threads')


if __name__ == '__main__':
  main()

"""Writes tests/data/stylegan2_golden.npz, the values tests/test_stylegan2_parity.py checks
gan_jax's StyleGAN2 against: NVlabs/stylegan2-ada-pytorch's own reference (non-CUDA) ops
and networks, imported from a checkout of it, on fixed random inputs.

- ops/: upfirdn2d (up, down, and an odd case with negative padding and a gain), the
  convolutions with 2x up- and down-sampling, the modulated convolution (fused, as the
  reference evaluates it; gan_jax runs it unfused) with and without up-sampling, and the
  minibatch standard deviation of one group.
- G/, G_psi/: a small conditional G (z 8, w 16, 3 classes, 16x16 RGB, channel_base 128,
  channel_max 16, 2 mapping layers, conv_clamp 4), every parameter and buffer redrawn
  N(0, 1) so biases, noise strengths and w_avg all matter, in eval mode with its constant
  noise, at truncation psi 1 and 0.7.
- D/: a conditional 'resnet' D (16x16, channel_base 128, channel_max 16, mbstd group 4,
  2 mapping layers, conv_clamp 2); D_orig/: an unconditional 'orig' D, likewise.
- ada/: the augmentation pipeline 'bgc' (every geometric and colour transformation) on
  RGB and grey 16x16 images with its fixed-parameter mode (debug_percentile 0.3 and 0.8),
  and 'bg' (geometric only) at 0.8.
State dicts are stored under their reference names (NCHW, OIHW layouts).

Needs torch, kept out of the project's venv, and the reference's code:

  python3 -m venv /work/torchenv && /work/torchenv/bin/pip install torch numpy requests scipy
  git clone https://github.com/NVlabs/stylegan2-ada-pytorch /work/sg2ada
  /work/torchenv/bin/python scripts/make_stylegan2_golden.py --reference /work/sg2ada
"""
import argparse
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / 'tests' / 'data' / 'stylegan2_golden.npz'
SEED = 2020
SMALL = dict(channel_base=128, channel_max=16)


def randomize(module, torch) -> None:
  """Every parameter and buffer (but the fixed FIR filters) redrawn N(0, 1)."""
  with torch.no_grad():
    for name, tensor in list(module.named_parameters()) + list(module.named_buffers()):
      if not name.endswith('resample_filter'):
        tensor.copy_(torch.randn_like(tensor))


def state(prefix: str, module) -> dict:
  return {f'{prefix}/{name}': t.detach().numpy() for name, t in module.state_dict().items()
          if not name.endswith('resample_filter')}


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument('--reference', required=True,
                      help='a checkout of NVlabs/stylegan2-ada-pytorch')
  args = parser.parse_args()
  sys.path.insert(0, args.reference)
  import torch
  from torch_utils.ops import conv2d_resample, upfirdn2d
  from training import augment, networks

  torch.manual_seed(SEED)
  out = {}
  f = upfirdn2d.setup_filter([1, 3, 3, 1])
  x = torch.randn(2, 3, 8, 8)
  w3 = torch.randn(5, 3, 3, 3)
  w1 = torch.randn(5, 3, 1, 1)
  styles = torch.randn(2, 3)
  out.update({'ops/x': x, 'ops/w3': w3, 'ops/w1': w1, 'ops/styles': styles})
  out['ops/upsample2d'] = upfirdn2d.upsample2d(x, f, impl='ref')
  out['ops/downsample2d'] = upfirdn2d.downsample2d(x, f, impl='ref')
  out['ops/upfirdn2d_odd'] = upfirdn2d.upfirdn2d(x, f, up=2, padding=[2, -1, 1, 0], gain=3,
                                                 impl='ref')
  out['ops/upfirdn2d_down'] = upfirdn2d.upfirdn2d(x, f, down=2, padding=[1, 2, 0, 1],
                                                  impl='ref')
  # As the reference's layers call it: flip_weight = (up == 1).
  out['ops/conv_up'] = conv2d_resample.conv2d_resample(x, w3, f, up=2, padding=1,
                                                       flip_weight=False)
  out['ops/conv_down'] = conv2d_resample.conv2d_resample(x, w3, f, down=2, padding=1)
  out['ops/conv1_down'] = conv2d_resample.conv2d_resample(x, w1, f, down=2)
  out['ops/modconv'] = networks.modulated_conv2d(x, w3, styles, padding=1, fused_modconv=True)
  out['ops/modconv_up'] = networks.modulated_conv2d(x, w3, styles, up=2, padding=1,
                                                    resample_filter=f, flip_weight=False,
                                                    fused_modconv=True)
  out['ops/modconv_nodemod'] = networks.modulated_conv2d(x, w1, styles, demodulate=False,
                                                         fused_modconv=True)
  mb = torch.randn(4, 6, 4, 4)
  out['ops/mbstd_x'] = mb
  out['ops/mbstd'] = networks.MinibatchStdLayer(group_size=4, num_channels=2)(mb)

  classes = 3
  z = torch.randn(4, 8)
  labels = torch.tensor([0, 2, 1, 2])
  c = torch.nn.functional.one_hot(labels, classes).float()
  out.update({'z': z, 'labels': labels})
  g = networks.Generator(z_dim=8, c_dim=classes, w_dim=16, img_resolution=16, img_channels=3,
                         mapping_kwargs=dict(num_layers=2),
                         synthesis_kwargs=dict(conv_clamp=4, **SMALL)).eval()
  randomize(g, torch)
  out.update(state('G', g))
  out['G/images'] = g(z, c, noise_mode='const')
  out['G_psi/images'] = g(z, c, truncation_psi=0.7, noise_mode='const')

  images = torch.randn(4, 3, 16, 16)
  out['D/input'] = images
  d = networks.Discriminator(c_dim=classes, img_resolution=16, img_channels=3,
                             architecture='resnet', conv_clamp=2, **SMALL,
                             mapping_kwargs=dict(num_layers=2),
                             epilogue_kwargs=dict(mbstd_group_size=4)).eval()
  randomize(d, torch)
  out.update(state('D', d))
  out['D/logits'] = d(images, c)
  d_orig = networks.Discriminator(c_dim=0, img_resolution=16, img_channels=3,
                                  architecture='orig', **SMALL,
                                  epilogue_kwargs=dict(mbstd_group_size=4)).eval()
  randomize(d_orig, torch)
  out.update(state('D_orig', d_orig))
  out['D_orig/logits'] = d_orig(images, None)

  bg = dict(xflip=1, rotate90=1, xint=1, scale=1, rotate=1, aniso=1, xfrac=1)
  bgc = dict(bg, brightness=1, contrast=1, lumaflip=1, hue=1, saturation=1)
  for name, channels in (('rgb', 3), ('grey', 1)):
    images = torch.randn(2, channels, 16, 16)
    out[f'ada/{name}'] = images
    for percentile in (0.3, 0.8):
      out[f'ada/{name}_bgc_{percentile}'] = augment.AugmentPipe(**bgc)(
          images, debug_percentile=percentile)
    out[f'ada/{name}_bg_0.8'] = augment.AugmentPipe(**bg)(images, debug_percentile=0.8)

  arrays = {k: (v.detach().numpy() if torch.is_tensor(v) else v) for k, v in out.items()}
  np.savez_compressed(OUT, **{k: np.asarray(v) for k, v in arrays.items()})
  print(f'Wrote {len(arrays)} arrays, {OUT.stat().st_size:,} bytes, to {OUT}.')


if __name__ == '__main__':
  main()

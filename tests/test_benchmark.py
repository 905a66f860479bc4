"""Model FLOPs counted by hand, and the benchmark command end to end."""
import re
import subprocess
import sys

import flax.linen as nn
import jax
import jax.numpy as jnp
import pytest

from conftest import REPO
from gan_jax import models
from gan_jax.models.layers import SubPixelConvTranspose
from gan_jax.run import base
from gan_jax.tasks.gan import recipes
from gan_jax.tools import flops


def dcgan32(part):
  config = recipes.dcgan_recipe(base.base_config())
  generator, discriminator = models.create_models(config.model, (32, 32, 3))
  if part == 'G':
    module, x = generator, jnp.zeros((1, 100))
  else:
    module, x = discriminator, jnp.zeros((1, 32, 32, 3))
  labels = jnp.zeros((1,), jnp.int32)
  variables = module.init(jax.random.PRNGKey(0), x, labels, train=False)
  return lambda x: module.apply(variables, x, labels, train=False), x


# Multiply-accumulates per image, layer by layer (output pixels x output channels x input
# channels x kernel taps that touch real inputs: 4 of 16 for a stride-2 4x4 transposed conv).
G_MACS = (100 * 4 * 4 * 256          # z -> 4x4x256 (a dense layer)
          + 8 * 8 * 128 * 256 * 4    # ConvT 256 -> 128, 8x8 out
          + 16 * 16 * 64 * 128 * 4   # ConvT 128 -> 64, 16x16 out
          + 32 * 32 * 3 * 64 * 4)    # ConvT 64 -> 3, 32x32 out
D_MACS = (16 * 16 * 64 * 3 * 16      # conv 3 -> 64, 4x4 stride 2, 16x16 out
          + 8 * 8 * 128 * 64 * 16    # conv 64 -> 128, 8x8 out
          + 4 * 4 * 256 * 128 * 16   # conv 128 -> 256, 4x4 out
          + 4 * 4 * 256)             # 4x4 valid conv -> 1 logit


@pytest.mark.parametrize('part,macs', [('G', G_MACS), ('D', D_MACS)])
def test_dcgan32_forward_flops_by_hand(part, macs):
  fn, x = dcgan32(part)
  assert flops.flops(fn, x) == 2 * macs


def test_transposed_conv_counts_no_inserted_zeros():
  """flax's ConvTranspose is a conv over a zero-dilated input; the sub-pixel form has no
  zeros. Both count the same real products."""
  x = jnp.zeros((2, 8, 8, 16))
  counts = []
  for layer in (nn.ConvTranspose(32, (4, 4), strides=(2, 2), padding='SAME'),
                SubPixelConvTranspose(32)):
    params = layer.init(jax.random.PRNGKey(0), x)
    counts.append(flops.flops(lambda v: layer.apply(params, v), x))
  assert counts[0] == counts[1] == 2 * 2 * 16 * 16 * 32 * 16 * 4


def test_gradient_of_a_strided_conv_is_twice_its_forward():
  """Input gradient (a zero-dilated conv) and weight gradient each cost one forward."""
  x, w = jnp.zeros((3, 16, 16, 8)), jnp.zeros((4, 4, 8, 12))
  conv = lambda x, w: jax.lax.conv_general_dilated(x, w, (2, 2), 'SAME',
                                                   dimension_numbers=('NHWC', 'HWIO', 'NHWC'))
  forward = flops.flops(conv, x, w)
  assert forward == 2 * 3 * 8 * 8 * 12 * 8 * 16
  loss = lambda x, w: jnp.sum(jnp.sin(conv(x, w)))
  assert flops.flops(jax.grad(loss, argnums=(0, 1)), x, w) == 3 * forward


def test_a_scan_counts_its_body_length_times():
  matmul = lambda x: x @ x
  x = jnp.zeros((8, 8))
  looped = lambda x: jax.lax.scan(lambda c, _: (matmul(c), None), x, None, length=5)[0]
  assert flops.flops(looped, x) == 5 * flops.flops(matmul, x) == 5 * 2 * 8 ** 3


@pytest.mark.parametrize('config', ['dcgan_mnist', 'pix2pix_mnist_inpainting',
                                    'cyclegan_mnist_thicken', 'srresnet_fashion_mnist'])
def test_benchmark_command(config, mnist_data_dir, mnist_manual_dir):
  """A GAN, a paired task (its synthetic batch has an input beside each image), an unpaired
  one (two streams; its pools' scan counted) and super-resolution (a smaller input), each on
  MNIST."""
  result = subprocess.run(
      [sys.executable, '-m', 'gan_jax.benchmark', '--config', f'configs/{config}.py:tiny',
       '--steps', '3', '--warmup', '1', '--matmul_size', '256', '--config.data.name=mnist',
       f'--config.data.data_dir={mnist_data_dir}', f'--config.data.manual_dir={mnist_manual_dir}'],
      cwd=REPO, capture_output=True, text=True, timeout=300)
  assert result.returncode == 0, result.stderr[-3000:]
  summary = result.stdout.strip().splitlines()[-1]
  assert re.match(r'SUMMARY cpu x4 .*: compile [\d.]+ s; [\d.]+ ms/step, \d+ images/s; '
                  r'[\d.]+ GFLOP/step at [\d.]+ GFLOP/s = \d+% of matmul .*; real data [\d.]+ '
                  r'ms/step \([+-][\d.]+%\)', summary), summary


def test_a_conditional_counts_its_most_expensive_branch():
  """A lazy regulariser's cond: the FLOPs of a step on which it runs (2 x 8^3 for x @ x)."""
  x = jnp.ones((8, 8))
  fn = lambda x, run: jax.lax.cond(run, lambda: x @ x, lambda: x)
  assert flops.flops(fn, x, True) == 2 * 8**3

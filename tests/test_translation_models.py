"""pix2pix's U-Net and PatchGAN: shapes and parameter counts by hand, the U-Net's dropout
noise, and the PatchGAN's receptive field, computed and measured by its input gradient."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gan_jax.models import patchgan, unet
from gan_jax.models.layers import LayerSpec, doubling_widths


def num_params(variables) -> int:
  return sum(x.size for x in jax.tree_util.tree_leaves(variables['params']))


def test_unet_shapes_parameters_and_dropout_noise():
  g = unet.UNetGenerator(out_channels=1, depth=2, features=4)
  x = jnp.asarray(np.random.default_rng(0).uniform(-1, 1, (3, 28, 28, 1)), jnp.float32)
  variables = g.init(jax.random.PRNGKey(0), x)
  # conv 1->4 (4x4, bias): 68; conv 4->8: 520; up 8->4: 516; up (4 + 4 skip)->1: 129.
  assert num_params(variables) == 68 + 520 + 516 + 129
  keys = jax.random.split(jax.random.PRNGKey(2), 3)
  out = g.apply(variables, x, keys)
  assert out.shape == (3, 28, 28, 1) and float(jnp.abs(out).max()) < 1
  other = g.apply(variables, x, jax.random.split(jax.random.PRNGKey(3), 3))
  assert not np.allclose(out, other)  # Dropout is the noise,
  # drawn per example: the first two examples alone get the same noise.
  np.testing.assert_allclose(g.apply(variables, x[:2], keys[:2]), out[:2], rtol=1e-6)
  np.testing.assert_array_equal(g.apply(variables, x), g.apply(variables, x))  # No keys.


def test_unet_with_batch_norm_and_the_papers_widths():
  g = unet.UNetGenerator(out_channels=3, depth=4, features=64, spec=LayerSpec('batch_norm'))
  x = jnp.zeros((2, 32, 32, 3))
  variables = g.init(jax.random.PRNGKey(0), x)
  assert doubling_widths(8, 64) == [64, 128, 256, 512, 512, 512, 512, 512]  # The paper's U-Net.
  # Encoder 3->64 (bias), 64->128 and 128->256 (batch norm: no bias, scale and shift),
  # 256->512 (innermost, bias); decoder 512->256, 512->128, 256->64 (batch norm), 128->3.
  expected = (16 * 3 * 64 + 64) + (16 * 64 * 128 + 2 * 128) + (16 * 128 * 256 + 2 * 256) + (
      16 * 256 * 512 + 512) + (16 * 512 * 256 + 2 * 256) + (16 * 512 * 128 + 2 * 128) + (
      16 * 256 * 64 + 2 * 64) + (16 * 128 * 3 + 3)
  assert num_params(variables) == expected
  out, _ = g.apply(variables, x, jax.random.split(jax.random.PRNGKey(2), 2),
                   mutable=['batch_stats'])
  assert out.shape == (2, 32, 32, 3)


@pytest.mark.parametrize('num_layers,field', [(1, 16), (2, 34), (3, 70), (5, 286)])
def test_patchgan_receptive_field_is_the_papers(num_layers, field):
  """The paper's 16x16, 70x70 and 286x286 PatchGANs (and the 34x34 one MNIST can use)."""
  assert patchgan.receptive_field(num_layers) == field


def test_patchgan_measured_receptive_field_shapes_and_parameters():
  d = patchgan.PatchGANDiscriminator(num_layers=1, features=2)
  x = jnp.zeros((1, 64, 64, 2))
  variables = d.init(jax.random.PRNGKey(0), x)
  # conv 2->2 stride 2: 66; conv 2->4 stride 1: 132; conv 4->1: 65 (4x4 kernels, biases).
  assert num_params(variables) == 66 + 132 + 65
  logits = d.apply(variables, x)
  assert logits.shape == (1, 30, 30, 1)  # 64 -> 32 (stride 2) -> 31 -> 30 (stride 1).
  # The input pixels the centre logit depends on: a 16x16 square.
  grad = jax.grad(lambda x: d.apply(variables, x)[0, 15, 15, 0])(
      jax.random.normal(jax.random.PRNGKey(1), x.shape))
  rows, columns = np.nonzero(np.abs(np.asarray(grad)[0]).sum(-1))
  assert np.ptp(rows) + 1 == 16 and np.ptp(columns) + 1 == 16
  big = patchgan.PatchGANDiscriminator(num_layers=3, spec=LayerSpec('batch_norm'))
  shape = jax.eval_shape(lambda: big.init(jax.random.PRNGKey(0), jnp.zeros((1, 256, 256, 6))))
  logits = jax.eval_shape(lambda v, x: big.apply(v, x, train=False), shape,
                          jax.ShapeDtypeStruct((1, 256, 256, 6), jnp.float32))
  assert logits.shape == (1, 30, 30, 1)  # pix2pix's 30x30 patches of a 256x256 pair.


def test_instance_norm_is_per_example_and_channel_and_only_for_convolutional_networks():
  import flax.linen as nn
  from gan_jax.run.checks import check_config
  from gan_jax.config.errors import ConfigError
  from test_train import load_config

  class Normalize(nn.Module):
    @nn.compact
    def __call__(self, x):
      return LayerSpec('instance_norm').normalize(x, train=True)

  x = jnp.asarray(np.random.default_rng(0).normal(3.0, 2.0, (2, 5, 6, 3)), jnp.float32)
  x = x * jnp.arange(1, 4)  # Each channel its own scale.
  variables = Normalize().init(jax.random.PRNGKey(0), x)
  y = np.asarray(Normalize().apply(variables, x))
  np.testing.assert_allclose(y.mean(axis=(1, 2)), 0, atol=1e-5)
  np.testing.assert_allclose(y.var(axis=(1, 2)), 1, atol=1e-3)  # Up to the epsilon.
  with pytest.raises(ValueError, match=r'instance_norm normalises images \[N, H, W, C\]'):
    Normalize().init(jax.random.PRNGKey(0), jnp.zeros((2, 8)))
  g = unet.UNetGenerator(1, 3, 4, spec=LayerSpec('instance_norm'))
  images = jnp.zeros((2, 16, 16, 1))
  assert g.apply(g.init(jax.random.PRNGKey(0), images), images).shape == (2, 16, 16, 1)
  config = load_config('dcgan_mnist')  # The GAN zoo's networks have dense layers: refused.
  config.model.g_norm = 'instance_norm'
  with pytest.raises(ConfigError, match="config.model.g_norm='instance_norm' is not accepted"):
    check_config(config)

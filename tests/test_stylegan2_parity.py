"""gan_jax's StyleGAN2 ops and networks against NVlabs/stylegan2-ada-pytorch's reference ops,
through the goldens scripts/make_stylegan2_golden.py wrote with it (tests/data/
stylegan2_golden.npz; no PyTorch needed here). The reference is NCHW with OIHW weights and
[out, in] FC weights; ours NHWC, HWIO and [in, out]."""
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import traverse_util

from gan_jax.common import upfirdn
from gan_jax.models import style_layers, stylegan2

GOLDEN = np.load(Path(__file__).parent / 'data' / 'stylegan2_golden.npz')
FILTER = upfirdn.fir_filter((1, 3, 3, 1))


def nhwc(name: str) -> jax.Array:
  return jnp.asarray(GOLDEN[name].transpose(0, 2, 3, 1))


def hwio(name: str) -> jax.Array:
  return jnp.asarray(GOLDEN[name].transpose(2, 3, 1, 0))


def close(ours, name: str):
  reference = GOLDEN[name]
  ours = np.asarray(ours)
  if ours.ndim == 4:
    ours = ours.transpose(0, 3, 1, 2)
  np.testing.assert_allclose(ours, reference, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('name, op', [
    ('upsample2d', lambda x: upfirdn.upsample2d(x, FILTER)),
    ('downsample2d', lambda x: upfirdn.downsample2d(x, FILTER)),
    ('upfirdn2d_odd', lambda x: upfirdn.upfirdn2d(x, FILTER, up=2, padding=(2, -1, 1, 0),
                                                  gain=3)),
    ('upfirdn2d_down', lambda x: upfirdn.upfirdn2d(x, FILTER, down=2, padding=(1, 2, 0, 1))),
    ('conv_up', lambda x: upfirdn.conv2d_resample(x, hwio('ops/w3'), FILTER, up=2)),
    ('conv_down', lambda x: upfirdn.conv2d_resample(x, hwio('ops/w3'), FILTER, down=2)),
    ('conv1_down', lambda x: upfirdn.conv2d_resample(x, hwio('ops/w1'), FILTER, down=2)),
    ('modconv', lambda x: style_layers.modulated_conv2d(x, hwio('ops/w3'), GOLDEN['ops/styles'],
                                                        demodulate=True)),
    ('modconv_up', lambda x: style_layers.modulated_conv2d(
        x, hwio('ops/w3'), GOLDEN['ops/styles'], demodulate=True, up=2)),
    ('modconv_nodemod', lambda x: style_layers.modulated_conv2d(
        x, hwio('ops/w1'), GOLDEN['ops/styles'], demodulate=False)),
])
def test_op_matches_reference(name, op):
  close(op(nhwc('ops/x')), f'ops/{name}')


def test_minibatch_std_of_one_group_matches_reference():
  close(style_layers.minibatch_std(nhwc('ops/mbstd_x'), group_size=4, num_channels=2),
        'ops/mbstd')


def reference_variables(prefix: str, rename: dict | None = None) -> dict:
  """The reference's state dict under `prefix` as Flax variables of our modules: a module
  path by the reference's dotted name ('b4.conv' -> rename), weights in our layouts, and
  the buffers (w_avg, noise_const) in 'batch_stats'."""
  params, stats = {}, {}
  for key in GOLDEN.files:
    if not key.startswith(prefix + '/') or key.count('.') == 0:
      continue
    dotted = key[len(prefix) + 1:]
    for old, new in (rename or {}).items():
      dotted = dotted.replace(old, new)
    path = tuple(dotted.split('.'))
    value = GOLDEN[key]
    if path[-1] == 'weight':
      value = value.transpose(2, 3, 1, 0) if value.ndim == 4 else value.T
    elif path[-1] == 'const':
      value = value.transpose(1, 2, 0)
    target = stats if path[-1] in ('w_avg', 'noise_const') else params
    target[path] = jnp.asarray(value)
  variables = {'params': traverse_util.unflatten_dict(params)}
  if stats:
    variables['batch_stats'] = traverse_util.unflatten_dict(stats)
  return variables


GENERATOR = stylegan2.StyleGAN2Generator(image_size=16, channels=3, z_dim=8, w_dim=16,
                                         mapping_layers=2, channel_base=128, channel_max=16,
                                         num_classes=3, clamp=4.0, conditioning='concat')


@pytest.mark.parametrize('psi, name', [(1.0, 'G/images'), (0.7, 'G_psi/images')])
def test_generator_matches_reference(psi, name):
  variables = reference_variables('G')
  images = GENERATOR.clone(truncation_psi=psi).apply(
      variables, jnp.asarray(GOLDEN['z']), jnp.asarray(GOLDEN['labels']), train=False)
  close(images, name)


def test_generator_parameters_are_exactly_the_references():
  """Every reference tensor has a place in ours and nothing of ours is left unloaded."""
  ours = GENERATOR.init(jax.random.PRNGKey(0), jnp.zeros((1, 8)), jnp.zeros((1,), jnp.int32),
                        train=False)
  loaded = reference_variables('G')
  shapes = lambda tree: jax.tree.map(jnp.shape, tree)
  assert shapes(ours) == shapes(loaded)


D_RENAME = {'b4.conv.': 'b4_conv.', 'b4.fc.': 'b4_fc.', 'b4.out.': 'b4_out.'}


@pytest.mark.parametrize('prefix, discriminator, labels', [
    ('D', stylegan2.StyleGAN2Discriminator(16, 128, 16, num_classes=3, architecture='resnet',
                                           mapping_layers=2, clamp=2.0,
                                           conditioning='projection'), 'labels'),
    ('D_orig', stylegan2.StyleGAN2Discriminator(16, 128, 16, architecture='orig'), None),
])
def test_discriminator_matches_reference(prefix, discriminator, labels):
  variables = reference_variables(prefix, D_RENAME)
  labels = jnp.asarray(GOLDEN[labels]) if labels else jnp.zeros((4,), jnp.int32)
  ours = discriminator.init(jax.random.PRNGKey(0), nhwc('D/input'), labels, train=False)
  assert jax.tree.map(jnp.shape, ours) == jax.tree.map(jnp.shape, variables)
  logits, class_logits = discriminator.apply(variables, nhwc('D/input'), labels, train=False)
  assert class_logits is None
  close(logits, f'{prefix}/logits')

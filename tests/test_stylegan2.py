"""StyleGAN2's ops and networks against closed forms and by-hand values, and its config rules.
(Parity with the official implementation: tests/test_stylegan2_parity.py.)"""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gan_jax import models
from gan_jax.common import upfirdn
from gan_jax.config.errors import ConfigError
from gan_jax.data.sources import DataSpec
from gan_jax.models import style_layers, stylegan2
from gan_jax.tasks.gan import config as gan_config
from test_train import load_config, set_fields


def upfirdn_by_definition(x, f, up, down, pad):
  """One channel, loops: zeros after each pixel, pad (a negative pad crops), a true
  convolution (valid), stride."""
  h, w = x.shape
  u = np.zeros((h * up, w * up))
  u[::up, ::up] = x
  x0, x1, y0, y1 = pad
  u = np.pad(u, ((max(y0, 0), max(y1, 0)), (max(x0, 0), max(x1, 0))))
  u = u[max(-y0, 0):u.shape[0] - max(-y1, 0), max(-x0, 0):u.shape[1] - max(-x1, 0)]
  fh, fw = f.shape
  out = np.zeros((u.shape[0] - fh + 1, u.shape[1] - fw + 1))
  for i in range(out.shape[0]):
    for j in range(out.shape[1]):
      out[i, j] = np.sum(u[i:i + fh, j:j + fw] * f[::-1, ::-1])
  return out[::down, ::down]


def asymmetric_filter(separable: bool) -> np.ndarray:
  """Asymmetric, so a flipped filter would show; separable (rank 1) takes the two-pass path."""
  rng = np.random.default_rng(1)
  if separable:
    return np.outer(rng.normal(size=3), rng.normal(size=4)).astype(np.float32)
  return rng.normal(size=(3, 4)).astype(np.float32)


@pytest.mark.parametrize('separable', [False, True])
@pytest.mark.parametrize('up, down, pad', [(2, 1, (2, 1, 2, 1)), (1, 2, (1, 1, 1, 1)),
                                           (2, 2, (0, 3, 1, 2)), (2, 1, (-1, 2, 1, -2))])
def test_upfirdn2d_is_its_definition(up, down, pad, separable):
  x = np.random.default_rng(0).normal(size=(5, 6)).astype(np.float32)
  f = asymmetric_filter(separable)
  ours = upfirdn.upfirdn2d(jnp.asarray(x)[None, :, :, None], f, up, down, pad)[0, :, :, 0]
  np.testing.assert_allclose(ours, upfirdn_by_definition(x, f, up, down, pad), atol=1e-5)


@pytest.mark.parametrize('up, down, pad', [(2, 1, (2, 1)), (1, 2, (-1, 2)), (2, 2, (3, -1))])
def test_resample_matrix_is_upfirdn_along_one_axis(up, down, pad):
  """Rows through its matrix, columns through another: upfirdn2d with their outer product."""
  rng = np.random.default_rng(2)
  x = rng.normal(size=(5, 6))
  taps_y, taps_x = rng.normal(size=3), rng.normal(size=4)
  rows = upfirdn.resample_matrix(5, taps_y, up, down, pad, gain=1.5)
  cols = upfirdn.resample_matrix(6, taps_x, up, down, pad[::-1])
  expected = upfirdn_by_definition(x, 1.5 * np.outer(taps_y, taps_x), up, down,
                                   pad[::-1] + pad)  # (x0, x1, y0, y1).
  np.testing.assert_allclose(rows @ x @ cols.T, expected, atol=1e-10)


def test_fir_filter_keeps_a_constant_image():
  constant = jnp.full((1, 8, 8, 2), 3.0)
  f = upfirdn.fir_filter()
  np.testing.assert_allclose(upfirdn.upsample2d(constant, f)[0, 2:-2, 2:-2], 3.0, rtol=1e-6)
  np.testing.assert_allclose(upfirdn.downsample2d(constant, f)[0, 1:-1, 1:-1], 3.0, rtol=1e-6)


def test_demodulated_convolution_keeps_unit_variance():
  """Each output is a sum of unit-variance inputs with weights whose squares sum to 1."""
  keys = jax.random.split(jax.random.PRNGKey(0), 3)
  x = jax.random.normal(keys[0], (32, 16, 16, 32))
  weight = jax.random.normal(keys[1], (3, 3, 32, 24)) * 5.0
  styles = jnp.exp(jax.random.normal(keys[2], (32, 32)))  # Far from 1, per example.
  out = style_layers.modulated_conv2d(x, weight, styles, demodulate=True)
  interior = out[:, 1:-1, 1:-1]  # Zero padding lowers the border's variance.
  assert abs(float(jnp.var(interior)) - 1.0) < 0.03
  assert float(jnp.var(style_layers.modulated_conv2d(x, weight, styles, False))) > 10


def test_minibatch_std_by_hand():
  """Groups of consecutive examples; one feature map per group: the std of each feature
  over the group, averaged over features and positions."""
  x = np.arange(4 * 2 * 2 * 2, dtype=np.float32).reshape(4, 2, 2, 2) ** 1.5
  out = np.asarray(style_layers.minibatch_std(jnp.asarray(x), group_size=2))
  for members in (slice(0, 2), slice(2, 4)):
    expected = np.mean(np.sqrt(np.var(x[members], axis=0) + 1e-8))
    np.testing.assert_allclose(out[members, :, :, 2], expected, rtol=1e-6)
  np.testing.assert_array_equal(out[..., :2], x)


def small_generator(**overrides):
  fields = dict(image_size=16, channels=1, z_dim=8, w_dim=8, mapping_layers=2,
                channel_base=64, channel_max=8)
  return stylegan2.StyleGAN2Generator(**(fields | overrides))


def init(generator, batch=4):
  z = jax.random.normal(jax.random.PRNGKey(1), (batch, 8))
  labels = jnp.zeros((batch,), jnp.int32)
  return generator.init(jax.random.PRNGKey(0), z, labels, train=False), z, labels


def test_w_avg_tracks_the_batch_mean_of_w_by_hand():
  generator = small_generator()
  variables, z, labels = init(generator)
  mapping = stylegan2.MappingNetwork(8, 2)
  mapping_vars = {'params': variables['params']['mapping'],
                  'batch_stats': {'w_avg': jnp.full((8,), 0.5)}}
  w, mutated = mapping.apply(mapping_vars, z, labels, train=True, mutable=['batch_stats'])
  mean = np.mean(np.asarray(w), axis=0)
  np.testing.assert_allclose(mutated['batch_stats']['w_avg'], mean + 0.995 * (0.5 - mean),
                             rtol=1e-6)


def test_truncation_psi_zero_draws_the_average_w_for_every_z():
  generator = small_generator()
  variables, z, labels = init(generator)
  images = generator.clone(truncation_psi=0.0).apply(variables, z, labels, train=False)
  np.testing.assert_allclose(images, jnp.broadcast_to(images[:1], images.shape), atol=1e-6)
  assert float(jnp.std(generator.apply(variables, z, labels, train=False), axis=0).mean()) > 0


def test_an_evaluation_sample_does_not_depend_on_its_batch():
  generator = small_generator()
  variables, z, labels = init(generator)
  alone = generator.apply(variables, z[:1], labels[:1], train=False)
  # Up to float rounding: XLA picks its convolution algorithm by batch size.
  np.testing.assert_allclose(alone, generator.apply(variables, z, labels, train=False)[:1],
                             rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('prob, differs', [(0.0, False), (1.0, True)])
def test_style_mixing_draws_the_later_styles_from_another_z(prob, differs):
  """At initialisation the noise strengths are 0, so in training only style mixing makes
  two 'noise' keys give different images."""
  generator = small_generator(style_mixing_prob=prob)
  variables, z, labels = init(generator)
  run = lambda key: generator.apply(variables, z, labels, train=True, mutable=['batch_stats'],
                                    rngs={'noise': jax.random.PRNGKey(key)})[0]
  assert bool(jnp.any(jnp.abs(run(1) - run(2)) > 1e-4)) == differs


def test_training_noise_reaches_the_images_once_its_strength_is_learned():
  generator = small_generator()
  variables, z, labels = init(generator)
  params = jax.tree_util.tree_map_with_path(
      lambda path, p: jnp.ones_like(p) if 'noise_strength' in str(path[-1]) else p,
      variables['params'])
  run = lambda key: generator.apply({**variables, 'params': params}, z, labels, train=True,
                                    mutable=['batch_stats'],
                                    rngs={'noise': jax.random.PRNGKey(key)})[0]
  assert float(jnp.abs(run(1) - run(2)).max()) > 1e-3
  np.testing.assert_array_equal(run(1), run(1))


def test_widths_follow_channel_base_and_channel_max():
  assert [stylegan2.width(r, 2048, 128) for r in (4, 8, 16, 32)] == [128, 128, 128, 64]
  assert stylegan2.num_ws(32) == 8


def stylegan2_config(**fields):
  return set_fields(load_config('stylegan2_fashion_mnist'), fields)


@pytest.mark.parametrize('fields, named', [
    ({'model.g_norm': 'batch_norm'}, 'config.model.g_norm'),
    ({'model.g_conditioning': 'cond_batch_norm', 'model.d_conditioning': 'projection'},
     'config.model.g_conditioning'),
    ({'model.g_conditioning': 'concat', 'model.d_conditioning': 'acgan'},
     'config.model.d_conditioning'),
    ({'model.stylegan2.d_architecture': 'skip'}, 'model.stylegan2.d_architecture'),
    ({'model.stylegan2.style_mixing_prob': 1.5}, 'config.model.stylegan2.style_mixing_prob'),
    ({'model.stylegan2.mbstd_channels': 3}, 'config.model.stylegan2.mbstd_channels'),
    ({'train.precision': 'bfloat16'}, 'config.train.precision'),
])
def test_bad_stylegan2_fields_are_named(fields, named):
  with pytest.raises(ConfigError, match=named.replace('.', r'\.')):
    gan_config.check(stylegan2_config(**fields))


@pytest.mark.parametrize('size, base_, named', [(28, 128, 'config.data.image_size'),
                                                (32, 16, 'config.model.stylegan2.channel_base')])
def test_sizes_that_do_not_fit_are_named(size, base_, named):
  config = stylegan2_config(**{'model.stylegan2.channel_base': base_})
  with pytest.raises(ConfigError, match=named.replace('.', r'\.')):
    models.check_image_size(config.model, size, size)


def test_a_minibatch_std_group_that_does_not_divide_the_device_batch_is_named():
  config = stylegan2_config(**{'model.stylegan2.mbstd_group_size': 3})
  with pytest.raises(ConfigError, match=r'config\.model\.stylegan2\.mbstd_group_size=3'):
    gan_config.check_data(config, {'data': DataSpec((32, 32, 1), 10)}, devices=4)

"""Adaptive discriminator augmentation: the pipeline against stylegan2-ada-pytorch's own (its
fixed-parameter mode, through tests/data/stylegan2_golden.npz), p = 0 is the identity,
each transformation's rate is p, G's gradient flows through it, and p's adjustment."""
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.special import erfinv

from gan_jax import models
from gan_jax.objectives import ada
from gan_jax.run import base
from gan_jax.tasks.gan import builder, step as gan_step
from gan_jax.tasks.gan.state import create_state
from gan_jax.training import parallel

GOLDEN = np.load(Path(__file__).parent / 'data' / 'stylegan2_golden.npz')


def reference_fixed_parameters(percentile: float, batch: int, transforms) -> dict:
  """The reference's debug_percentile values: every transformation in `transforms` applied
  at the value of that percentile (post-rotation 0), the rest at identity."""
  q = 2 * percentile - 1
  fixed = {'xflip': np.floor(percentile * 2), 'rotate90': np.floor(percentile * 4),
           'xint': np.full(2, q * ada.XINT_MAX), 'scale': 2**(erfinv(q) * ada.SCALE_STD),
           'rotate_pre': q * np.pi * ada.ROTATE_MAX, 'rotate_post': 0.0,
           'aniso': 2**(erfinv(q) * ada.ANISO_STD), 'xfrac': np.full(2, erfinv(q) * ada.XFRAC_STD),
           'brightness': erfinv(q) * ada.BRIGHTNESS_STD,
           'contrast': 2**(erfinv(q) * ada.CONTRAST_STD), 'lumaflip': np.floor(percentile * 2),
           'hue': q * np.pi * ada.HUE_MAX, 'saturation': 2**(erfinv(q) * ada.SATURATION_STD)}
  params = ada.identity_parameters(batch)
  for name in transforms:
    for key in (('rotate_pre', 'rotate_post') if name == 'rotate' else (name,)):
      params[key] = jnp.broadcast_to(jnp.asarray(fixed[key], jnp.float32), params[key].shape)
  return params


@pytest.mark.parametrize('name', ['rgb_bgc_0.3', 'rgb_bgc_0.8', 'rgb_bg_0.8', 'grey_bgc_0.3',
                                  'grey_bgc_0.8', 'grey_bg_0.8'])
def test_pipeline_matches_reference(name):
  channels, pipeline, percentile = name.split('_')
  images = jnp.asarray(GOLDEN[f'ada/{channels}'].transpose(0, 2, 3, 1))
  transforms = ada.PIPELINES[pipeline]
  params = reference_fixed_parameters(float(percentile), images.shape[0], transforms)
  ours = ada.apply(images, params, transforms)
  np.testing.assert_allclose(np.asarray(ours).transpose(0, 3, 1, 2), GOLDEN[f'ada/{name}'],
                             rtol=1e-5, atol=1e-5)


def test_p_zero_is_the_identity():
  images = jax.random.normal(jax.random.PRNGKey(0), (8, 16, 16, 3))
  out = ada.augment(images, jax.random.PRNGKey(1), jnp.float32(0.0), ada.PIPELINES['bgc'], None)
  np.testing.assert_array_equal(out, images)


def test_an_identity_warp_is_the_identity():
  """The orthogonal sym6 pair: up-sampling then down-sampling through it gives the image back."""
  images = jax.random.normal(jax.random.PRNGKey(0), (2, 16, 16, 1))
  np.testing.assert_allclose(ada.warp(images, jnp.broadcast_to(jnp.eye(3), (2, 3, 3))), images,
                             atol=1e-4)


@pytest.mark.parametrize('p', [0.2, 0.7])
def test_each_transformation_is_applied_with_probability_p(p):
  """Over 4,000 examples a rate's standard error is under 0.008; 5 of them is the bound.
  Rotation: before or after the anisotropic scaling, so p in all."""
  params = ada.draw(jax.random.PRNGKey(3), 4_000, jnp.float32(p), ada.PIPELINES['bgc'], None)
  identity = ada.identity_parameters(1)
  for name in ('xflip', 'rotate90', 'xint', 'scale', 'aniso', 'xfrac', 'brightness',
               'contrast', 'lumaflip', 'hue', 'saturation', 'rotate'):
    if name == 'rotate':
      changed = (params['rotate_pre'] != 0) | (params['rotate_post'] != 0)
    else:
      value = params[name].reshape(4_000, -1)
      changed = jnp.any(value != identity[name].reshape(1, -1), axis=1)
    # x-flip, rot90 and luma flip draw an identity value (0) half, or 3/4, of the time.
    share = {'xflip': 0.5, 'lumaflip': 0.5, 'rotate90': 0.75}.get(name, 1.0)
    assert abs(float(jnp.mean(changed)) - p * share) < 5 * 0.008, name


def test_generator_gradient_flows_through_the_augmentation():
  images = jax.random.normal(jax.random.PRNGKey(0), (4, 16, 16, 3))
  loss = lambda x: jnp.sum(ada.augment(x, jax.random.PRNGKey(2), jnp.float32(1.0),
                                       ada.PIPELINES['bgc'], None) ** 2)
  grad = jax.grad(loss)(images)
  assert bool(jnp.all(jnp.isfinite(grad))) and float(jnp.abs(grad).mean()) > 0.1


def test_p_moves_toward_the_target_by_hand():
  """Every 2nd step p moves by batch x interval / speed images (4 x 2 / 80 = 0.1) in the
  direction of sign(r_t - target), r_t being the mean sign of D(real) over those steps."""
  config = base.base_config()
  config.data.name = 'mnist'
  config.model.update(name='dcgan', z_dim=8, g_features=8, d_features=8)
  config.augment.update(ada_pipeline='bgc', ada_p=0.5, ada_target=0.6, ada_interval=2,
                        ada_speed_images=80)
  config.train.batch_size = 4
  shape = (16, 16, 1)
  g_tx, d_tx = builder.create_optimizers(config)
  state = create_state(jax.random.PRNGKey(0), *models.create_models(config.model, shape), g_tx,
                       d_tx, config.model.z_dim, shape, config.augment.ada_p)
  step = parallel.pmap_step(gan_step.make_step_fn(
      config, *models.create_models(config.model, shape, axis_name=parallel.AXIS), g_tx, d_tx))
  rng = np.random.default_rng(0)
  replicated = parallel.replicate(state, jax.local_devices()[:1])
  history, p = [], 0.5
  for _ in range(4):
    batch = {'data': {'image': rng.uniform(-1, 1, (1, 1, 4) + shape).astype(np.float32),
                      'label': np.zeros((1, 1, 4), np.int32)}}
    replicated, metrics, _ = step(replicated, batch)
    history.append(jax.tree.map(float, parallel.unreplicate(metrics)))
  for i, metrics in enumerate(history):
    if i % 2 == 1:
      r_t = (history[i - 1]['d_real_sign'] + metrics['d_real_sign']) / 2
      assert metrics['ada_rt'] == pytest.approx(r_t, abs=1e-6)
      p = max(p + 0.1 * np.sign(r_t - 0.6), 0.0)
    assert metrics['ada_p'] == pytest.approx(p, abs=1e-6), i

"""D's regularisers against closed forms and finite differences, and their config weights in
the train step."""
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from jax.flatten_util import ravel_pytree

from gan_jax import models
from gan_jax.objectives import augment, penalties
from gan_jax.run import base
from gan_jax.tasks.gan import step as gan_step
from gan_jax.tasks.gan.state import create_state
from gan_jax.training import parallel


def keys(n, seed=0):
  return jax.random.split(jax.random.PRNGKey(seed), n)


def inputs(d_fn, real, fake, anchors=(0.0, 0.0), seed=0):
  labels = jnp.zeros((real.shape[0],), jnp.int32)
  return penalties.PenaltyInputs(d_fn, real, fake, labels, labels, d_fn(real, labels),
                                 d_fn(fake, labels), keys(real.shape[0], seed),
                                 jnp.asarray(anchors, jnp.float32))


def linear(w):
  return lambda x, labels: x.reshape((x.shape[0], -1)) @ w


W = jnp.array([3.0, 4.0])  # |W| = 5


@pytest.mark.parametrize('name', ['gp', 'dragan'])
def test_unit_norm_penalties_of_a_linear_critic(name):
  # D(x) = w.x has gradient w everywhere, wherever the penalty looks: (|w| - 1)^2 = 16.
  real, fake = jax.random.normal(jax.random.PRNGKey(1), (2, 6, 2))
  value = penalties.PENALTIES[name](inputs(linear(W), real, fake))
  np.testing.assert_allclose(value, 16.0, rtol=1e-6)


def test_gradient_penalty_interpolates_per_example():
  # D(x) = |x|^2 / 2 has gradient x_hat itself; x_hat = eps*real + (1-eps)*fake.
  d_fn = lambda x, labels: 0.5 * jnp.sum(x**2, axis=1)
  real, fake, labels = jnp.array([[2.0, 0.0], [0.0, 4.0]]), jnp.zeros((2, 2)), jnp.zeros(2)
  # x_hat = (1, 0) and (0, 1): norms 1, 1, penalty 0.
  value = penalties.interpolation_penalty(d_fn, real, fake, jnp.array([0.5, 0.25]), labels)
  np.testing.assert_allclose(value, 0.0, atol=1e-6)
  # x_hat = real: norms 2, 4 -> ((2-1)^2 + (4-1)^2) / 2 = 5.
  value = penalties.interpolation_penalty(d_fn, real, fake, jnp.ones(2), labels)
  np.testing.assert_allclose(value, 5.0, rtol=1e-5)


def test_dragan_looks_only_around_the_data():
  # Constant examples have std 0, so DRAGAN's perturbation vanishes and x_hat = x:
  # D = |x|^2 / 2 then gives norms |x| = 2 sqrt 2 and 0.5 sqrt 2, whatever fake is.
  d_fn = lambda x, labels: 0.5 * jnp.sum(x**2, axis=1)
  real = jnp.array([[2.0, 2.0], [0.5, 0.5]])
  value = penalties.dragan(inputs(d_fn, real, 100.0 * jnp.ones((2, 2))))
  expected = np.mean([(2 * np.sqrt(2) - 1)**2, (0.5 * np.sqrt(2) - 1)**2])
  np.testing.assert_allclose(value, expected, rtol=1e-5)


def finite_difference_gradients(f, x, h=1e-4):
  """Central differences in float64 of each example's own output."""
  x = np.asarray(x, np.float64)
  grads = np.zeros_like(x)
  for index in np.ndindex(x.shape[1:]):
    step = np.zeros_like(x)
    step[(slice(None),) + index] = h
    grads[(slice(None),) + index] = (f(x + step) - f(x - step)) / (2 * h)
  return grads.reshape((x.shape[0], -1))


@pytest.mark.parametrize('name,side', [('r1', 'real'), ('r2', 'fake')])
def test_r1_r2_equal_finite_difference_gradient_norms(name, side):
  rng = np.random.default_rng(0)
  w1, w2 = rng.normal(size=(12, 8)), rng.normal(size=(8,))
  d64 = lambda x: np.tanh(x.reshape((x.shape[0], -1)) @ w1) @ w2
  d_fn = lambda x, labels: jnp.tanh(x.reshape((x.shape[0], -1)) @ jnp.asarray(w1, jnp.float32)
                                    ) @ jnp.asarray(w2, jnp.float32)
  real, fake = (jnp.asarray(rng.normal(size=(5, 2, 2, 3)), jnp.float32) for _ in range(2))
  value = penalties.PENALTIES[name](inputs(d_fn, real, fake))
  grads = finite_difference_gradients(d64, real if side == 'real' else fake)
  np.testing.assert_allclose(value, 0.5 * np.mean(np.sum(grads**2, axis=1)), rtol=1e-4)


def test_bcr_is_zero_when_the_transform_is_the_identity():
  # 1-pixel-wide images: flipping changes nothing and the 1/8 translation rounds to 0 pixels.
  real, fake = jax.random.normal(jax.random.PRNGKey(2), (2, 4, 1, 1, 3))
  d_fn = lambda x, labels: jnp.sin(jnp.sum(x**3, axis=(1, 2, 3)))
  np.testing.assert_allclose(penalties.bcr(inputs(d_fn, real, fake)), 0.0, atol=1e-7)


def test_bcr_squares_the_change_of_d_under_the_transform():
  real, fake = jax.random.normal(jax.random.PRNGKey(3), (2, 4, 8, 8, 1))
  column = jnp.arange(8.0)[None, None, :, None]
  d_fn = lambda x, labels: jnp.sum(x * column, axis=(1, 2, 3))  # Sensitive to shifts and flips.
  batch = inputs(d_fn, real, fake)
  t_keys = jax.vmap(lambda k: jax.random.fold_in(k, 3))(batch.keys)
  change = lambda x: d_fn(x, None) - d_fn(augment.augment(x, t_keys, penalties.BCR_OPS), None)
  expected = np.mean(change(real)**2) + np.mean(change(fake)**2)
  assert expected > 1.0
  np.testing.assert_allclose(penalties.bcr(batch), expected, rtol=1e-5)


def test_lecam_by_hand():
  # Anchors: a_real = 0.5, a_fake = -1. Real logits 1, -2 -> relu(1 + 1)^2, relu(-2 + 1)^2 = 4, 0;
  # fake logits 0, 1 -> relu(0.5 - 0)^2, relu(0.5 - 1)^2 = 0.25, 0.
  logits = {2.0: jnp.array([1.0, -2.0]), 7.0: jnp.array([0.0, 1.0])}
  d_fn = lambda x, labels: logits[float(x[0, 0])]
  real, fake = jnp.full((2, 1), 2.0), jnp.full((2, 1), 7.0)
  value = penalties.lecam(inputs(d_fn, real, fake, anchors=(0.5, -1.0)))
  np.testing.assert_allclose(value, (4.0 + 0.0) / 2 + (0.25 + 0.0) / 2)


def test_lecam_anchors_are_an_ema_of_mean_logits():
  anchors = penalties.update_anchors(jnp.array([1.0, -1.0]), jnp.array([3.0, 5.0]),
                                     jnp.array([0.0, -2.0]))
  decay = penalties.LECAM_DECAY
  np.testing.assert_allclose(anchors, [decay * 1 + (1 - decay) * 4, decay * -1 + (1 - decay) * -1],
                             rtol=1e-6)


# ------------------------------------------------------------------ weights in the train step

def penalty_config(name, weight):
  """A tiny MLP GAN whose only regulariser is `name`, at `weight`."""
  config = base.base_config()
  config.model.update(name='mlp', z_dim=4, g_features=8, d_features=8, g_layers=1, d_layers=2)
  config.penalty[name] = weight
  return config


@pytest.mark.parametrize('name', list(penalties.PENALTIES))
def test_penalty_weight_adds_its_gradient_to_d_update_in_the_train_step(name):
  """config.penalty.<name> = w adds w x the penalty's gradient to D's update, downhill, and the
  step reports the unweighted penalty as metric <name>.

  With SGD, D's update at weight w minus that at weight 0 is -lr w grad(penalty): nonzero and
  doubling with w. A penalty left out of D's loss, its weight ignored or its sign flipped fails.
  """
  shape = (8, 8, 1) if name == 'bcr' else (2,)  # bCR flips and shifts: images only.
  sgd = optax.sgd(1e-2)
  model = penalty_config(name, 0.0).model
  state = create_state(jax.random.PRNGKey(0), *models.create_models(model, shape), sgd, sgd,
                       model.z_dim, shape)
  rng = np.random.default_rng(0)
  batch = {'data': {'image': rng.normal(size=(1, 1, 8) + shape).astype(np.float32),
                    'label': np.zeros((1, 1, 8), np.int32)}}
  steps = {w: parallel.pmap_step(gan_step.make_step_fn(
      penalty_config(name, w), *models.create_models(model, shape, axis_name=parallel.AXIS), sgd,
      sgd)) for w in (0.0, 1.0, 2.0)}

  def d_step(weight, start=state):
    """(D's parameters after the step, flat; the step's metrics)."""
    new, metrics, _ = steps[weight](parallel.replicate(start, jax.local_devices()[:1]), batch)
    new, metrics = parallel.unreplicate(new), parallel.unreplicate(metrics)
    return ravel_pytree(new.d_params)[0], metrics

  (plain, plain_metrics), (once, metrics), (twice, twice_metrics) = map(d_step, steps)
  assert set(metrics) - set(plain_metrics) == {name} == set(twice_metrics) - set(plain_metrics)
  assert np.isfinite(metrics[name]) and metrics[name] > 0
  np.testing.assert_allclose(twice_metrics[name], metrics[name], rtol=1e-6)  # Unweighted.
  assert np.abs(once - plain).max() > 1e-4
  np.testing.assert_allclose(twice - plain, 2 * (once - plain), atol=1e-6)
  # D moved by the penalty's own step alone is lower on the penalty (same inputs: same step).
  start, unravel = ravel_pytree(state.d_params)
  moved = state.replace(d_params=unravel(start + (once - plain)))
  assert d_step(1.0, moved)[1][name] < metrics[name]

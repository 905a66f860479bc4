"""The shared pieces of every task's step (gan_jax.training.updates), against direct forms."""
import jax
import jax.numpy as jnp
import numpy as np
import ml_collections
import optax

from gan_jax.training import parallel, updates


def one_device(fn):
  """fn inside a pmap over one device, as steps run (the helpers pmean over AXIS)."""
  return lambda *args: jax.tree.map(lambda x: x[0], jax.pmap(fn, axis_name=parallel.AXIS)(
      *jax.tree.map(lambda x: jnp.asarray(x)[None], args)))


def test_apply_gradients_is_the_optimizer_at_the_scaled_rate():
  params = {'w': jnp.array([1.0, -2.0, 3.0])}
  grads = {'w': jnp.array([0.5, 0.25, -1.0])}
  tx = optax.sgd(0.1)
  new, _ = one_device(lambda g, p, s, scale: updates.apply_gradients(g, p, s, tx, scale))(
      grads, params, tx.init(params), jnp.float32(0.5))
  np.testing.assert_allclose(new['w'], params['w'] - 0.1 * 0.5 * grads['w'], rtol=1e-6)


def test_two_player_grads_equal_each_players_own_gradient():
  """One pass gives D the gradient of d_loss and G that of g_loss, as two jax.grads do."""
  def loss_fn(d, g, x):
    fake = jnp.tanh(g['a'] * x)
    d_loss = jnp.mean((d['b'] * fake - 1.0)**2) + jnp.sum(d['b']**2)
    g_loss = -jnp.mean(d['b'] * fake) + 0.3 * jnp.mean((fake - x)**2)  # Needs more than D.
    return (d_loss, g_loss), {'fake_mean': jnp.mean(fake)}
  d, g, x = {'b': jnp.array([0.7, -1.2])}, {'a': jnp.array([0.4, 2.0])}, jnp.array([1.0, -0.5])
  (d_loss, g_loss), d_grads, g_grads, aux = updates.two_player_grads(loss_fn, d, g, x)
  expected_d = jax.grad(lambda d: loss_fn(d, g, x)[0][0])(d)
  expected_g = jax.grad(lambda g: loss_fn(d, g, x)[0][1])(g)
  np.testing.assert_allclose(d_grads['b'], expected_d['b'], rtol=1e-6)
  np.testing.assert_allclose(g_grads['a'], expected_g['a'], rtol=1e-6)
  assert not np.allclose(g_grads['a'], jax.grad(lambda g: loss_fn(d, g, x)[0][0])(g)['a'])
  np.testing.assert_allclose((d_loss, g_loss), loss_fn(d, g, x)[0], rtol=1e-6)
  np.testing.assert_allclose(aux['fake_mean'], jnp.mean(jnp.tanh(g['a'] * x)), rtol=1e-6)


def test_all_finite_reads_float_leaves_only():
  assert bool(updates.all_finite({}))  # Nothing to check: batch stats of a net without norms.
  assert bool(updates.all_finite({'count': jnp.int32(3), 'w': jnp.ones(2)}))
  assert not bool(updates.all_finite({'count': jnp.int32(3), 'w': jnp.array([1.0, jnp.inf])}))
  flags = updates.finite_flags({'loss': jnp.float32(jnp.nan)}, {'opt_state': {'mu': jnp.ones(1)}})
  assert {k: bool(v) for k, v in flags.items()} == {'loss': False, 'opt_state': True}


def test_ema_rampup_caps_the_half_life_by_the_images_seen():
  """stylegan2-ada's ramp-up: half-life min(1,000, 0.5 x 16 t) images at step t."""
  train = ml_collections.ConfigDict(dict(
      batch_size=16, ema_decay=0.999, ema_halflife_images=1_000, ema_rampup=0.5,
      ema_start_step=0, ema_warmup=False))
  for step, expected in ((0, 0.0), (1, 0.25), (2, 0.5), (3, 0.5**(2 / 3)),
                         (1_000, 0.5**(16 / 1_000))):
    assert float(updates.ema_decay_at(jnp.int32(step), train)) == np.float32(expected), step

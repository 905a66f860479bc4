"""CycleGAN's objective and step (Zhu et al. 2017). The Gs: G (A -> B) and F (B -> A) minimise
their adversarial losses + lambda (|F(G(a)) - a| + |G(F(b)) - b|) + the identity term, the
cycle's gradient flowing through both; each D tells its domain's real images from fakes
drawn through its history pool. Both sides' gradients come from one forward pass
(updates.two_player_grads): the paper's code also updates D on the fakes of G's weights
before G's update."""
from typing import Callable

import jax
import jax.numpy as jnp
import ml_collections
import optax

from gan_jax.common.device_axis import AXIS
from gan_jax.common.example_keys import per_example_keys
from gan_jax.data import jitter
from gan_jax.objectives import losses
from gan_jax.tasks.cyclegan import pool
from gan_jax.tasks.cyclegan.state import CycleGANState
from gan_jax.training import updates

# fold_in(PRNGKey(seed), this): the pools' draws, then the step, the domain; the same for the
# domains' random jitter.
POOL_STREAM, JITTER_STREAM = 0, 1


def global_pool_query(images, filled, fakes, key):
  """pool.query on the whole global batch (the same on every device, so the pool stays
  identical and 1 device = N), returning this device's share of the images D sees."""
  local = fakes.shape[0]
  everything = jax.lax.all_gather(fakes, AXIS, tiled=True)
  keys = jax.vmap(jax.random.fold_in, (None, 0))(key, jnp.arange(everything.shape[0]))
  shown, images, filled = pool.query(images, filled, everything, keys)
  mine = jax.lax.dynamic_slice_in_dim(shown, jax.lax.axis_index(AXIS) * local, local)
  return mine, images, filled


def make_loss_fn(generators: dict, discriminators: dict,
                 config: ml_collections.ConfigDict) -> Callable:
  """loss_fn(d_params, g_params, state, a, b, pool_key) -> ((d_loss, g_loss), (metrics,
  (pool_a, pool_b, pool_filled))); the networks in train mode (no running statistics)."""
  gan_loss, loss = losses.get_loss(config.loss.name), config.loss
  translate = lambda g_params, name, x: generators[name].apply({'params': g_params[name]}, x)
  judge = lambda d_params, name, x: discriminators[name].apply({'params': d_params[name]}, x)

  def loss_fn(d_params, g_params, state: CycleGANState, a, b, pool_key):
    fake_b, fake_a = translate(g_params, 'a_to_b', a), translate(g_params, 'b_to_a', b)
    terms = {
        'adversarial': (gan_loss.g_loss(judge(d_params, 'b', fake_b))
                        + gan_loss.g_loss(judge(d_params, 'a', fake_a))),
        'cycle': (jnp.mean(jnp.abs(translate(g_params, 'b_to_a', fake_b) - a))
                  + jnp.mean(jnp.abs(translate(g_params, 'a_to_b', fake_a) - b)))}
    g_loss = loss.adversarial_weight * terms['adversarial'] + loss.cycle_weight * terms['cycle']
    if loss.identity_weight:  # G(b) = b and F(a) = a: keeps colours (the paper's photos).
      terms['identity'] = (jnp.mean(jnp.abs(translate(g_params, 'a_to_b', b) - b))
                           + jnp.mean(jnp.abs(translate(g_params, 'b_to_a', a) - a)))
      g_loss = g_loss + loss.identity_weight * loss.cycle_weight * terms['identity']
    shown_a, pool_a, filled = global_pool_query(state.pool_a, state.pool_filled,
                                                jax.lax.stop_gradient(fake_a),
                                                jax.random.fold_in(pool_key, 0))
    shown_b, pool_b, _ = global_pool_query(state.pool_b, state.pool_filled,
                                           jax.lax.stop_gradient(fake_b),
                                           jax.random.fold_in(pool_key, 1))
    terms['d_loss_a'] = gan_loss.d_loss(judge(d_params, 'a', a), judge(d_params, 'a', shown_a))
    terms['d_loss_b'] = gan_loss.d_loss(judge(d_params, 'b', b), judge(d_params, 'b', shown_b))
    d_loss = terms['d_loss_a'] + terms['d_loss_b']
    return (d_loss, g_loss), (terms, (pool_a, pool_b, filled))
  return loss_fn


def make_step_fn(loss_fn: Callable, config: ml_collections.ConfigDict,
                 g_tx: optax.GradientTransformation,
                 d_tx: optax.GradientTransformation) -> Callable:
  """(state, batch) -> (state, metrics, finite), inside pmap over AXIS: one update of both
  Gs and one of both Ds on a batch of each domain (batch['a'], batch['b'])."""
  pool_key = jax.random.fold_in(jax.random.PRNGKey(config.seed), POOL_STREAM)
  jitter_key = jax.random.fold_in(jax.random.PRNGKey(config.seed), JITTER_STREAM)

  def jittered(images, step, domain: int):
    keys = per_example_keys(jax.random.fold_in(jax.random.fold_in(jitter_key, step), domain),
                            images.shape[0])
    return jitter.jitter_batch((images,), keys, config.jitter)[0]

  def train_step(state: CycleGANState, batch: dict):
    a = jittered(batch['a']['image'][0], state.step, 0)
    b = jittered(batch['b']['image'][0], state.step, 1)
    (d_loss, g_loss), d_grads, g_grads, (terms, pools) = updates.two_player_grads(
        loss_fn, state.d_params, state.g_params, state, a, b,
        jax.random.fold_in(pool_key, state.step))
    g_params, g_opt_state = updates.apply_gradients(g_grads, state.g_params, state.g_opt_state,
                                                    g_tx, state.lr_scale)
    d_params, d_opt_state = updates.apply_gradients(d_grads, state.d_params, state.d_opt_state,
                                                    d_tx, state.lr_scale)
    metrics = jax.lax.pmean({'g_loss': g_loss, 'd_loss': d_loss, **terms}, AXIS)
    pool_a, pool_b, filled = pools
    state = state.replace(
        step=state.step + 1, g_params=g_params, g_opt_state=g_opt_state,
        ema_g_params=updates.update_ema(state.ema_g_params, g_params, state.step, config.train),
        d_params=d_params, d_opt_state=d_opt_state, pool_a=pool_a, pool_b=pool_b,
        pool_filled=filled)
    return state, metrics, updates.finite_flags(metrics, {'g_params': g_params,
                                                          'd_params': d_params})
  return train_step

"""The pmapped GAN update: n_critic D updates, then one G update."""
from typing import Callable

import flax.linen as nn
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
from flax import jax_utils

from gan_jax import losses, penalties
from gan_jax.state import GANState

AXIS = 'batch'  # Name of the device axis of pmap.

# D outputs are reported as probabilities for the cross-entropy losses, raw otherwise.
_PROBABILITY_LOSSES = ('non_saturating', 'minimax')


def per_example_keys(key: jax.Array, batch: int) -> jax.Array:
  """One key per example, keyed by the example's index in the global batch.

  Device d holds global examples d*batch ... d*batch + batch - 1, so the noise
  (and hence the whole update) is the same on 1 device or N with the same
  global batch.
  """
  index = jax.lax.axis_index(AXIS) * batch + jnp.arange(batch)
  return jax.vmap(jax.random.fold_in, (None, 0))(key, index)


def per_example_normal(key: jax.Array, batch: int, shape: tuple[int, ...]) -> jax.Array:
  return jax.vmap(lambda k: jax.random.normal(k, shape))(per_example_keys(key, batch))


def per_example_uniform(key: jax.Array, batch: int) -> jax.Array:
  return jax.vmap(lambda k: jax.random.uniform(k, ()))(per_example_keys(key, batch))


def replicate(tree):
  """One copy per local device, laid out exactly as the pmapped step returns its state.

  flax.jax_utils.replicate's default mesh axis name differs from the step's, and
  the second step would then compile again for the new input sharding.
  """
  return jax_utils.replicate(tree, axis_name=AXIS)


def unreplicate(tree):
  """Host copy of the first local replica of a pmapped pytree (leading device axis dropped).

  flax.jax_utils.unreplicate keeps that axis for arrays on one device of several.
  """
  return jax.tree.map(lambda x: np.asarray(x.addressable_shards[0].data)[0], tree)


def scale_updates(updates, lr_scale: jax.Array):
  """Adam's update is linear in the learning rate: this is Adam at lr * lr_scale."""
  return jax.tree.map(lambda u: u * lr_scale.astype(u.dtype), updates)


def all_finite(tree) -> jax.Array:
  return jnp.all(jnp.stack([jnp.all(jnp.isfinite(x)) for x in jax.tree.leaves(tree)]))


def finite_flags(metrics: dict, state: GANState) -> dict[str, jax.Array]:
  """Whether each metric and each network's weights are free of NaN/Inf (the divergence guard).

  Weights are identical on all devices (their gradients are averaged), so a
  local check suffices.
  """
  return {**{k: jnp.isfinite(v) for k, v in metrics.items()},
          **{name: all_finite(getattr(state, name))
             for name in ('g_params', 'd_params', 'ema_g_params')}}


def _apply(module: nn.Module, params, batch_stats, x):
  """Train-mode forward; returns (output, new batch stats)."""
  out, updates = module.apply({'params': params, 'batch_stats': batch_stats}, x,
                              train=True, mutable=['batch_stats'])
  return out, updates.get('batch_stats', batch_stats)


def make_train_step(config: ml_collections.ConfigDict, generator: nn.Module,
                    discriminator: nn.Module, g_tx: optax.GradientTransformation,
                    d_tx: optax.GradientTransformation) -> Callable:
  """Returns train_step(state, batch) -> (state, metrics, finite), pmapped over local devices.

  `generator`/`discriminator` must be built with axis_name=AXIS. The state is
  replicated and donated; `batch['image']` is (devices, n_critic, batch per
  device, ...). The metrics and `finite` (see finite_flags) come back replicated.
  """
  return pmap_step(make_step_fn(config, generator, discriminator, g_tx, d_tx))


def pmap_step(step_fn: Callable) -> Callable:
  return jax.pmap(step_fn, axis_name=AXIS, donate_argnums=(0,))


def make_step_fn(config: ml_collections.ConfigDict, generator: nn.Module,
                 discriminator: nn.Module, g_tx: optax.GradientTransformation,
                 d_tx: optax.GradientTransformation) -> Callable:
  """The per-device train step, to run inside pmap over AXIS (see make_train_step).

  Each step: n_critic D updates, each on a fresh real batch and a fresh fake
  batch; then one G update. The last D update and the G update share one
  forward pass of G, as in PyTorch's DCGAN example: D learns from the fake
  batch, then G's gradient flows back through that same batch (into the
  updated D).
  """
  gan_loss = losses.get_loss(config.loss.name)
  gp_weight = config.loss.gp_weight
  z_dim = config.model.z_dim
  ema_decay = config.train.ema_decay
  as_probability = config.loss.name in _PROBABILITY_LOSSES

  def d_loss_fn(d_params, d_batch_stats, real, fake, eps):
    real_logits, d_batch_stats = _apply(discriminator, d_params, d_batch_stats, real)
    fake_logits, d_batch_stats = _apply(discriminator, d_params, d_batch_stats, fake)
    d_loss = gan_loss.d_loss(real_logits, fake_logits)
    gp = jnp.zeros(())
    if gp_weight > 0:  # Validation keeps batch norm out of D here.
      d_fn = lambda x: _apply(discriminator, d_params, d_batch_stats, x)[0]
      gp = penalties.gradient_penalty(d_fn, real, fake, eps)
    return d_loss + gp_weight * gp, (d_batch_stats, d_loss, gp, real_logits, fake_logits)

  def d_update(state: GANState, real: jax.Array, fake: jax.Array, key: jax.Array):
    eps = per_example_uniform(key, real.shape[0])
    grads, aux = jax.grad(d_loss_fn, has_aux=True)(
        state.d_params, state.d_batch_stats, real, fake, eps)
    grads = jax.lax.pmean(grads, AXIS)
    updates, d_opt_state = d_tx.update(grads, state.d_opt_state, state.d_params)
    updates = scale_updates(updates, state.lr_scale)
    d_batch_stats, d_loss, gp, real_logits, fake_logits = aux
    state = state.replace(d_params=optax.apply_updates(state.d_params, updates),
                          d_opt_state=d_opt_state, d_batch_stats=d_batch_stats)
    read = jax.nn.sigmoid if as_probability else (lambda t: t)
    metrics = {'d_loss': d_loss, 'gradient_penalty': gp,
               'd_real': jnp.mean(read(real_logits)), 'd_fake': jnp.mean(read(fake_logits))}
    return state, metrics

  def g_update(state: GANState, fake: jax.Array, g_vjp: Callable, g_batch_stats):
    def g_loss_of(fake):
      fake_logits, _ = _apply(discriminator, state.d_params, state.d_batch_stats, fake)
      return gan_loss.g_loss(fake_logits)
    g_loss, fake_grad = jax.value_and_grad(g_loss_of)(fake)
    (grads,) = g_vjp(fake_grad)
    grads = jax.lax.pmean(grads, AXIS)
    updates, g_opt_state = g_tx.update(grads, state.g_opt_state, state.g_params)
    updates = scale_updates(updates, state.lr_scale)
    g_params = optax.apply_updates(state.g_params, updates)
    # Warm-up as in tf.train.ExponentialMovingAverage(num_updates=step): early on the
    # average would otherwise be dominated by the random initial weights.
    decay = jnp.minimum(ema_decay, (1.0 + state.step) / (10.0 + state.step))
    ema = jax.tree.map(lambda e, p: decay * e + (1.0 - decay) * p, state.ema_g_params, g_params)
    state = state.replace(g_params=g_params, g_opt_state=g_opt_state,
                          g_batch_stats=g_batch_stats, ema_g_params=ema)
    return state, {'g_loss': g_loss}

  def train_step(state: GANState, batch: dict):
    step_key = jax.random.fold_in(state.rng, state.step)
    reals = batch['image']  # (n_critic, batch per device, ...)
    n_critic, per_device = reals.shape[:2]
    keys = [jax.random.fold_in(step_key, i) for i in range(n_critic)]
    noise = lambda key: per_example_normal(jax.random.fold_in(key, 0), per_device, (z_dim,))
    eps_key = lambda key: jax.random.fold_in(key, 1)
    # A Python loop, not lax.scan: n_critic is small, and XLA:CPU runs convolutions
    # inside a while loop ~5x slower.
    for i in range(n_critic - 1):
      fake, _ = _apply(generator, state.g_params, state.g_batch_stats, noise(keys[i]))
      state, _ = d_update(state, reals[i], fake, eps_key(keys[i]))
    z = noise(keys[-1])
    fake, g_vjp, g_batch_stats = jax.vjp(
        lambda g_params: _apply(generator, g_params, state.g_batch_stats, z), state.g_params,
        has_aux=True)
    state, d_metrics = d_update(state, reals[-1], fake, eps_key(keys[-1]))
    state, g_metrics = g_update(state, fake, g_vjp, g_batch_stats)
    metrics = jax.lax.pmean({**d_metrics, **g_metrics}, AXIS)  # D metrics: the last D update.
    return state.replace(step=state.step + 1), metrics, finite_flags(metrics, state)

  return train_step

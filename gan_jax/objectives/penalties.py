"""Regularisers of the discriminator, registered by name: config.penalty.<name> is the weight.

Each is one pure function of `PenaltyInputs` returning a scalar that D
minimises, weighted. To add one: a function here, an entry in PENALTIES, a
test; config.penalty.<name> (default 0 = off) and the train step pick it up.
"""
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp

from gan_jax.config import fields
from gan_jax.config.errors import ConfigError
from gan_jax.objectives import augment

LECAM_DECAY = 0.99  # EMA decay of LeCam's anchors, as in Tseng et al. 2021.
BCR_OPS = ('translation', 'flip')  # bCR's transform T (Zhao et al. 2021: shift and flip).


class PenaltyInputs(NamedTuple):
  """What a penalty may read; D's inputs are after DiffAugment and packing."""
  d_fn: Callable[[jax.Array, jax.Array], jax.Array]  # (inputs, labels) -> per-example logits.
  real: jax.Array
  fake: jax.Array
  real_labels: jax.Array
  fake_labels: jax.Array
  real_logits: jax.Array
  fake_logits: jax.Array
  keys: jax.Array  # One PRNG key per example.
  anchors: jax.Array  # LeCam's EMAs of D's mean (real, fake) logits, this update included.


def _per_example(values: jax.Array, like: jax.Array) -> jax.Array:
  return values.reshape((-1,) + (1,) * (like.ndim - 1))


def _input_gradients(d_fn, x, labels) -> jax.Array:
  """Each example's gradient of its own logit, (B, features): one backward pass, since D's
  outputs are independent per example (validation keeps batch norm out of D)."""
  grads = jax.grad(lambda v: jnp.sum(d_fn(v, labels)))(x)
  return grads.reshape((grads.shape[0], -1))


def _unit_gradient_norm_penalty(d_fn, x, labels) -> jax.Array:
  """E[(||grad_x D(x)||_2 - 1)^2]."""
  norms = jnp.sqrt(jnp.sum(_input_gradients(d_fn, x, labels)**2, axis=1) + 1e-12)
  return jnp.mean((norms - 1.0)**2)


def _uniform(keys: jax.Array, stream: int) -> jax.Array:
  return jax.vmap(lambda k: jax.random.uniform(jax.random.fold_in(k, stream), ()))(keys)


def gradient_penalty(inputs: PenaltyInputs) -> jax.Array:
  """WGAN-GP (Gulrajani et al. 2017), eps ~ U[0, 1] per example; see interpolation_penalty."""
  return interpolation_penalty(inputs.d_fn, inputs.real, inputs.fake, _uniform(inputs.keys, 0),
                               inputs.real_labels)


def interpolation_penalty(d_fn, real, fake, eps, labels) -> jax.Array:
  """E[(||grad D(x_hat)||_2 - 1)^2] at x_hat = eps x + (1 - eps) G(z), one eps per example."""
  eps = _per_example(eps, real)
  return _unit_gradient_norm_penalty(d_fn, eps * real + (1.0 - eps) * fake, labels)


def dragan(inputs: PenaltyInputs) -> jax.Array:
  """DRAGAN (Kodali et al. 2017): the same penalty around the data only.

  x_hat = x + alpha * delta, delta = 0.5 * std(x) * U[0, 1) per pixel, alpha ~
  U[0, 1] per example. std is each example's own (the reference code takes the
  batch's, which would differ between 1 device and N).
  """
  real = inputs.real
  std = _per_example(jnp.std(real.reshape((real.shape[0], -1)), axis=1), real)
  noise = jax.vmap(lambda k: jax.random.uniform(jax.random.fold_in(k, 1), real.shape[1:]))(
      inputs.keys)
  alpha = _per_example(_uniform(inputs.keys, 2), real)
  x_hat = real + alpha * 0.5 * std * noise
  return _unit_gradient_norm_penalty(inputs.d_fn, x_hat, inputs.real_labels)


def r1(inputs: PenaltyInputs) -> jax.Array:
  """R1 (Mescheder et al. 2018): 1/2 E||grad_x D(x)||^2 on real data; weight = gamma."""
  return 0.5 * jnp.mean(jnp.sum(_input_gradients(inputs.d_fn, inputs.real,
                                                 inputs.real_labels)**2, axis=1))


def r2(inputs: PenaltyInputs) -> jax.Array:
  """R2: the same on generated samples."""
  return 0.5 * jnp.mean(jnp.sum(_input_gradients(inputs.d_fn, inputs.fake,
                                                 inputs.fake_labels)**2, axis=1))


def bcr(inputs: PenaltyInputs) -> jax.Array:
  """Balanced consistency regularisation (Zhao et al. 2021), one weight for both terms:
  E(D(x) - D(T(x)))^2 + E(D(G(z)) - D(T(G(z))))^2 with T = BCR_OPS."""
  keys = jax.vmap(lambda k: jax.random.fold_in(k, 3))(inputs.keys)
  real_t = inputs.d_fn(augment.augment(inputs.real, keys, BCR_OPS), inputs.real_labels)
  fake_t = inputs.d_fn(augment.augment(inputs.fake, keys, BCR_OPS), inputs.fake_labels)
  return (jnp.mean((inputs.real_logits - real_t)**2) +
          jnp.mean((inputs.fake_logits - fake_t)**2))


def lecam(inputs: PenaltyInputs) -> jax.Array:
  """LeCam (Tseng et al. 2021): E relu(D(x) - a_fake)^2 + E relu(a_real - D(G(z)))^2, with
  a_real, a_fake the EMAs (decay LECAM_DECAY) of D's mean outputs, as in the official code."""
  anchor_real, anchor_fake = inputs.anchors[0], inputs.anchors[1]
  return (jnp.mean(jax.nn.relu(inputs.real_logits - anchor_fake)**2) +
          jnp.mean(jax.nn.relu(anchor_real - inputs.fake_logits)**2))


PENALTIES = {
    'gp': gradient_penalty,
    'dragan': dragan,
    'r1': r1,
    'r2': r2,
    'bcr': bcr,
    'lecam': lecam,
}
# Those that differentiate D with respect to its input, per example: batch norm in D breaks them.
INPUT_GRADIENT_PENALTIES = ('gp', 'dragan', 'r1', 'r2')
# Those that make a Wasserstein critic (approximately) 1-Lipschitz.
LIPSCHITZ_PENALTIES = ('gp', 'dragan')


def check(config, d_has_batch_norm: bool) -> None:
  """config.penalty: weights >= 0, and per-example input gradients need D without batch norm."""
  fields.non_negative(config, *[f'penalty.{name}' for name in PENALTIES])
  fields.positive(config, 'penalty.interval')
  input_gradients = [n for n in INPUT_GRADIENT_PENALTIES if config.penalty[n] > 0]
  if input_gradients and d_has_batch_norm:
    raise ConfigError(f'config.penalty.{input_gradients[0]} > 0 needs per-example critic '
                      f'outputs, which batch norm breaks: config.model.d_norm='
                      f"{config.model.d_norm!r}; accepted: 'none', 'layer_norm', 'spectral_norm', "
                      "'spectral_norm+layer_norm'.")


def update_anchors(anchors: jax.Array, real_logits: jax.Array, fake_logits: jax.Array,
                   axis_name: str | None = None) -> jax.Array:
  """LeCam's anchors after this D update (means over all devices when `axis_name` is set)."""
  means = jnp.stack([jnp.mean(real_logits), jnp.mean(fake_logits)])
  if axis_name is not None:
    means = jax.lax.pmean(means, axis_name)
  return LECAM_DECAY * anchors + (1.0 - LECAM_DECAY) * jax.lax.stop_gradient(means)

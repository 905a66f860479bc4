"""Improved GAN's semi-supervised objectives (Salimans et al. 2016) on a K-class D's logits.

D(x) = Z / (Z + 1), Z = sum_k exp(logit_k): the fake class is implicit, so its logit is
lse(logits) in the binary sense (D(x) = sigmoid(lse)). Hence log D(x) = lse -
softplus(lse) and log(1 - D(x)) = -softplus(lse), and the unlabelled loss below is the
binary real/fake cross-entropy of that D, halved.
"""
import jax
import jax.numpy as jnp
import optax


def real_logit(logits: jax.Array) -> jax.Array:
  """lse(logits): D's real-vs-fake logit, D(x) = sigmoid(real_logit)."""
  return jax.nn.logsumexp(logits, axis=-1)


def labelled_loss(logits: jax.Array, labels: jax.Array) -> jax.Array:
  """Cross-entropy of the K real classes: -l_y + lse(l), averaged."""
  return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(logits, labels))


def unlabelled_loss(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
  """-1/2 E log D(x) - 1/2 E log(1 - D(G(z))), written as the paper's script does:
  -1/2 lse(l_unl) + 1/2 softplus(lse(l_unl)) + 1/2 softplus(lse(l_fake))."""
  unl, fake = real_logit(real_logits), real_logit(fake_logits)
  return 0.5 * (jnp.mean(jax.nn.softplus(unl) - unl) + jnp.mean(jax.nn.softplus(fake)))


def feature_matching_loss(real_features: jax.Array, fake_features: jax.Array,
                          axis_name: str | None = None) -> jax.Array:
  """Mean over features of (E f(x) - E f(G(z)))^2, the batch means over the global batch
  (axis_name: the device axis, None outside pmap)."""
  real_mean, fake_mean = jnp.mean(real_features, axis=0), jnp.mean(fake_features, axis=0)
  if axis_name is not None:
    real_mean, fake_mean = jax.lax.pmean((real_mean, fake_mean), axis_name)
  return jnp.mean(jnp.square(real_mean - fake_mean))


def error_rate(logits: jax.Array, labels: jax.Array) -> jax.Array:
  return jnp.mean((jnp.argmax(logits, axis=-1) != labels).astype(jnp.float32))

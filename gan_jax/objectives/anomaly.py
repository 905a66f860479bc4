"""Anomaly scores of a GAN with an encoder (f-AnoGAN's izi_f, Schlegl et al. 2019): how far an
image is from its reconstruction G(E(x)), in pixels and in the critic's features."""
import jax
import jax.numpy as jnp


def mean_squared(a: jax.Array, b: jax.Array) -> jax.Array:
  """Per example: the mean over everything but the batch axis of (a - b)^2."""
  return jnp.mean(jnp.square(a - b).reshape((a.shape[0], -1)), axis=1)


def izif_residuals(images: jax.Array, reconstructions: jax.Array, features: jax.Array,
                   reconstruction_features: jax.Array) -> tuple[jax.Array, jax.Array]:
  """Per example: (image residual A_R, feature residual A_D), each a mean squared difference
  (over pixels; over D's features of the image and of its reconstruction)."""
  return (mean_squared(images, reconstructions),
          mean_squared(features, reconstruction_features))


def izif_score(image_residual: jax.Array, feature_residual: jax.Array,
               kappa: float) -> jax.Array:
  """A(x) = A_R(x) + kappa A_D(x): f-AnoGAN's anomaly score, and (averaged over a batch of
  normal images) the loss its encoder is trained with."""
  return image_residual + kappa * feature_residual


def mean_absolute(a: jax.Array, b: jax.Array) -> jax.Array:
  """Per example: the mean over everything but the batch axis of |a - b|."""
  return jnp.mean(jnp.abs(a - b).reshape((a.shape[0], -1)), axis=1)


def anogan_score(images: jax.Array, generated: jax.Array, features: jax.Array,
                 generated_features: jax.Array, weight: float) -> jax.Array:
  """AnoGAN's A(x) = (1 - lambda) R(x) + lambda D(x) (Schlegl et al. 2017, eq. 5, with
  `weight` = lambda): R the L1 residual between x and G(z) and D the L1 residual between
  the critic's features of both (means, not the paper's sums, so lambda weighs the two on
  the same per-element scale); the loss of the latent search, and with its last z the score."""
  return ((1.0 - weight) * mean_absolute(images, generated)
          + weight * mean_absolute(features, generated_features))


def ganomaly_g_loss(images: jax.Array, reconstructions: jax.Array, features: jax.Array,
                    reconstruction_features: jax.Array, z: jax.Array, z_reencoded: jax.Array,
                    weights: tuple[float, float, float]) -> tuple[jax.Array, dict]:
  """GANomaly's generator loss (Akcay et al. 2018, eq. 4): w_adv L_adv + w_con L_con +
  w_enc L_enc, batch means of: the squared difference of D's features of x and of G(x),
  the L1 difference of x and G(x), and the squared difference of z = G_E(x) and
  E(G(x)). Returns (loss, the three terms)."""
  terms = {'adversarial': jnp.mean(mean_squared(features, reconstruction_features)),
           'contextual': jnp.mean(mean_absolute(images, reconstructions)),
           'latent': jnp.mean(mean_squared(z, z_reencoded))}
  loss = sum(w * terms[k] for w, k in zip(weights, ('adversarial', 'contextual', 'latent')))
  return loss, terms


def ganomaly_score(z: jax.Array, z_reencoded: jax.Array) -> jax.Array:
  """GANomaly's A(x) = mean (G_E(x) - E(G(x)))^2 over the latent units, per example."""
  return mean_squared(z, z_reencoded)

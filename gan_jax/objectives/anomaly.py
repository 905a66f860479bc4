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

"""AnoGAN (Schlegl et al. 2017): a GAN trained on normal images scores a test image by
searching G's latent space for the z whose G(z) is closest to it (in pixels and in the
critic's features); what is left after the search is the anomaly score."""
from typing import Callable, Iterator

import flax.linen as nn
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax

from gan_jax.objectives import anomaly

LATENT_STREAM = 5  # Folded into the seed for the search's starting z (gan_jax.tasks.gan.sampling).


def discriminator_features(discriminator: nn.Module, d_params, d_batch_stats, x):
  """The critic's sown intermediates 'features' of x (eval mode), per example."""
  labels = jnp.zeros((x.shape[0],), jnp.int32)
  _, sown = discriminator.apply({'params': d_params, 'batch_stats': d_batch_stats}, x, labels,
                                train=False, mutable=['intermediates'])
  return sown['intermediates']['features'][0]


def make_search_fn(generator: nn.Module, discriminator: nn.Module,
                   anogan: ml_collections.ConfigDict) -> Callable:
  """search(g_params, g_batch_stats, d_params, d_batch_stats, images, z0) -> (scores at z0,
  scores after anogan.steps Adam steps on z), jitted. G and D run in eval mode, so each
  image's search is its own: the batch's summed loss has a separate gradient per z."""
  tx = optax.adam(anogan.lr)

  @jax.jit
  def search(g_params, g_batch_stats, d_params, d_batch_stats, images, z0):
    image_features = discriminator_features(discriminator, d_params, d_batch_stats, images)

    def scores(z):
      labels = jnp.zeros((z.shape[0],), jnp.int32)
      generated = generator.apply({'params': g_params, 'batch_stats': g_batch_stats}, z, labels,
                                  train=False)
      generated_features = discriminator_features(discriminator, d_params, d_batch_stats,
                                                  generated)
      return anomaly.anogan_score(images, generated, image_features, generated_features,
                                  anogan.weight)

    def adam_step(_, carry):
      z, opt_state = carry
      grads = jax.grad(lambda z: jnp.sum(scores(z)))(z)
      updates, opt_state = tx.update(grads, opt_state)
      return optax.apply_updates(z, updates), opt_state

    z, _ = jax.lax.fori_loop(0, anogan.steps, adam_step, (z0, tx.init(z0)))
    return scores(z0), scores(z)
  return search


def anomaly_scores(search: Callable, g_variables: tuple, host_state, image_batches, z_dim: int,
                   seed: int) -> Iterator[np.ndarray]:
  """AnoGAN's score of each image of each batch, by G in eval mode with `g_variables`
  (sampling.generator_variables) and the critic of `host_state`. Batches are padded to the
  first one's size, so the search compiles once."""
  g_params, g_batch_stats = g_variables
  state = jax.device_put((g_params, g_batch_stats, host_state.d_params,
                          host_state.d_batch_stats))
  key = jax.random.fold_in(jax.random.PRNGKey(seed), LATENT_STREAM)
  size = None
  for b, images in enumerate(image_batches):
    size = size or len(images)
    padded = np.concatenate([images, np.zeros((size - len(images),) + images.shape[1:],
                                              images.dtype)])
    z0 = jax.random.normal(jax.random.fold_in(key, b), (size, z_dim))
    yield np.asarray(search(*state, padded, z0)[1])[:len(images)]

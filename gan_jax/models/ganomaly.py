"""GANomaly's generator (Akcay et al. 2018): encoder G_E, decoder G_D and a second encoder E
of the same shape as G_E: x -> z -> x_hat -> z_hat. Built of DCGAN's encoder and generator."""
import flax.linen as nn
import jax.numpy as jnp

from gan_jax.models.dcgan import DCGANEncoder, DCGANGenerator


class GANomalyGenerator(nn.Module):
  encoder: DCGANEncoder  # G_E: x -> z.
  decoder: DCGANGenerator  # G_D: z -> x_hat.
  reencoder: DCGANEncoder  # E: x_hat -> z_hat (its own weights).

  @nn.compact
  def __call__(self, x, train: bool = True):
    """(x_hat, z, z_hat)."""
    z = self.encoder(x, train)
    labels = jnp.zeros((x.shape[0],), jnp.int32)  # The decoder is unconditional.
    x_hat = self.decoder(z, labels, train)
    return x_hat, z, self.reencoder(x_hat, train)

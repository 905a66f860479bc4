"""gan_jax: GAN training and evaluation in JAX/Flax."""

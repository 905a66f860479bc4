"""CycleGAN's history of generated images (Shrivastava et al. 2017): D sees a mix of the
newest fakes and older ones, which damps the oscillation of G and D. The pool lives in the
training state; each example's draws come from its own key, so a resumed run and any device
count (the step hands query the whole global batch) pick the same images."""
import jax
import jax.numpy as jnp


def empty(size: int, image_shape: tuple[int, ...]) -> tuple[jax.Array, jax.Array]:
  """(images [size, ...], how many are filled)."""
  return jnp.zeros((size,) + tuple(image_shape), jnp.float32), jnp.zeros((), jnp.int32)


def query(images: jax.Array, filled: jax.Array, fakes: jax.Array, keys: jax.Array):
  """(images D sees, new images, new filled) for a batch of fakes, one example at a time as
  the reference's ImagePool: while the pool is filling, a fake is stored and returned; once
  full, with probability 1/2 a uniformly chosen stored image is returned and the fake takes
  its place, else the fake itself is returned. A pool of size 0 returns the fakes."""
  size = images.shape[0]
  if size == 0:
    return fakes, images, filled

  def one(carry, example):
    images, filled = carry
    fake, key = example
    swap_key, slot_key = jax.random.split(key)
    full = filled >= size
    swap = full & jax.random.bernoulli(swap_key)
    slot = jnp.where(full, jax.random.randint(slot_key, (), 0, size), filled)
    shown = jnp.where(swap, images[slot], fake)
    kept = jnp.where(full & ~swap, images[slot], fake)
    return (images.at[slot].set(kept), jnp.minimum(filled + 1, size)), shown

  (images, filled), shown = jax.lax.scan(one, (images, filled), (fakes, keys))
  return shown, images, filled

"""PacGAN packing (Lin et al. 2018): D judges m samples at once, concatenated along features."""
import jax


def pack(x: jax.Array, m: int) -> jax.Array:
  """(B, ..., C) -> (B / m, ..., m * C): consecutive samples' channels side by side.

  For 2D points (B, 2) -> (B / m, 2 m), as in the PacGAN code. m = 1: unchanged.
  """
  if m == 1:
    return x
  batch, rest = x.shape[0], x.shape[1:]
  grouped = x.reshape((batch // m, m) + rest)
  # Move the group axis next to the channels, then merge them.
  grouped = grouped.transpose((0,) + tuple(range(2, x.ndim)) + (1, x.ndim))
  return grouped.reshape((batch // m,) + rest[:-1] + (m * rest[-1],))


def packed_shape(example_shape: tuple[int, ...], m: int) -> tuple[int, ...]:
  """The shape of one of D's inputs."""
  return tuple(example_shape[:-1]) + (m * example_shape[-1],)

"""StyleGAN2's path-length regulariser against a finite-difference Jacobian and by hand."""
import jax
import jax.numpy as jnp
import numpy as np

from gan_jax.common.example_keys import per_example_normal
from gan_jax.objectives import path_length

A = np.random.default_rng(0).normal(size=(3, 16)).astype(np.float64)
KEY = jax.random.PRNGKey(4)


def synthesize(ws):
  """A small nonlinear 'synthesis': ws (N, 2, 3) -> images (N, 4, 4, 1)."""
  h = jnp.tanh(ws[:, 0] @ A.astype(np.float32)) * jnp.cos(ws[:, 1] @ A.astype(np.float32))
  return h.reshape(-1, 4, 4, 1)


def finite_difference_lengths(ws: np.ndarray) -> np.ndarray:
  """||J^T y|| with each example's direction y, J by central differences in float64."""
  directions = np.asarray(per_example_normal(KEY, ws.shape[0], (4, 4, 1), None)) / 4.0
  numpy_synthesize = lambda w: (np.tanh(w[0] @ A) * np.cos(w[1] @ A)).reshape(4, 4, 1)
  lengths, eps = [], 1e-6
  for w, y in zip(ws.astype(np.float64), directions):
    grad = np.zeros_like(w)
    for index in np.ndindex(w.shape):
      step = np.zeros_like(w)
      step[index] = eps
      grad[index] = np.sum((numpy_synthesize(w + step) - numpy_synthesize(w - step)) * y) / (
          2 * eps)
    lengths.append(np.sqrt(np.mean(np.sum(grad**2, axis=1))))
  return np.array(lengths)


def test_lengths_are_the_jacobian_norms_along_random_directions():
  ws = np.random.default_rng(1).normal(size=(5, 2, 3)).astype(np.float32)
  ours = path_length.path_lengths(synthesize, jnp.asarray(ws), KEY, None)
  np.testing.assert_allclose(ours, finite_difference_lengths(ws), rtol=1e-4)


def test_penalty_and_running_mean_by_hand():
  ws = jnp.asarray(np.random.default_rng(2).normal(size=(6, 2, 3)), jnp.float32)
  lengths = np.asarray(path_length.path_lengths(synthesize, ws, KEY, None))
  penalty, mean, batch_mean = path_length.path_length_penalty(synthesize, ws, KEY,
                                                              jnp.float32(0.7), 0.01, None)
  expected_mean = 0.7 + 0.01 * (lengths.mean() - 0.7)
  np.testing.assert_allclose(batch_mean, lengths.mean(), rtol=1e-6)
  np.testing.assert_allclose(mean, expected_mean, rtol=1e-6)
  np.testing.assert_allclose(penalty, np.mean((lengths - expected_mean)**2), rtol=1e-5)


def test_penalty_gradient_treats_the_running_mean_as_a_constant():
  """The gradient is of mean((l - a)^2) with a fixed: 2 (l - a) / n per length."""
  ws = jnp.asarray(np.random.default_rng(3).normal(size=(4, 2, 3)), jnp.float32)
  scale = lambda s: path_length.path_length_penalty(lambda w: synthesize(w) * s, ws, KEY,
                                                    jnp.float32(0.7), 0.01, None)[0]
  lengths = np.asarray(path_length.path_lengths(synthesize, ws, KEY, None))
  a = 0.7 + 0.01 * (lengths.mean() - 0.7)
  # Scaling the image by s scales every length by s: d/ds at s = 1 is sum 2 (l - a) l / n.
  np.testing.assert_allclose(jax.grad(scale)(1.0), np.mean(2 * (lengths - a) * lengths),
                             rtol=1e-4)

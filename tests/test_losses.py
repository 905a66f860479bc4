"""Each GAN loss and the gradient penalty against values computed by hand."""
import math

import jax.numpy as jnp
import numpy as np
import pytest

from gan_jax.objectives import losses

REAL = [0.0, 2.0]
FAKE = [-1.0, 1.0]


def sigmoid(t):
  return 1.0 / (1.0 + math.exp(-t))


def mean(values):
  return sum(values) / len(values)


# Independent forms: probabilities through math.exp, not softplus.
BY_HAND = {
    'non_saturating': (
        mean([-math.log(sigmoid(r)) for r in REAL]) + mean([-math.log(1 - sigmoid(f)) for f in FAKE]),
        mean([-math.log(sigmoid(f)) for f in FAKE])),
    'minimax': (
        mean([-math.log(sigmoid(r)) for r in REAL]) + mean([-math.log(1 - sigmoid(f)) for f in FAKE]),
        mean([math.log(1 - sigmoid(f)) for f in FAKE])),
    # 0.5*((0-1)^2 + (2-1)^2)/2 + 0.5*((-1)^2 + 1^2)/2 = 0.5 + 0.5;  0.5*((-2)^2 + 0^2)/2 = 1.
    'least_squares': (1.0, 1.0),
    # (max(0, 1-0) + max(0, 1-2))/2 + (max(0, 1-1) + max(0, 1+1))/2 = 0.5 + 1;  -(-1+1)/2 = 0.
    'hinge': (1.5, 0.0),
    # mean(fake) - mean(real) = 0 - 1;  -mean(fake) = 0.
    'wasserstein': (-1.0, 0.0),
}


@pytest.mark.parametrize('name', sorted(losses.LOSSES))
def test_loss_values_by_hand(name):
  d_expected, g_expected = BY_HAND[name]
  loss = losses.get_loss(name)
  np.testing.assert_allclose(loss.d_loss(jnp.array(REAL), jnp.array(FAKE)), d_expected, rtol=1e-6)
  np.testing.assert_allclose(loss.g_loss(jnp.array(FAKE)), g_expected, rtol=1e-6, atol=1e-7)


def test_non_saturating_values_by_hand_as_numbers():
  # ln2 = 0.693147, ln(1+e^-2) = 0.126928, ln(1+e^-1) = 0.313262, ln(1+e) = 1.313262.
  loss = losses.get_loss('non_saturating')
  np.testing.assert_allclose(loss.d_loss(jnp.array(REAL), jnp.array(FAKE)),
                             (0.693147 + 0.126928) / 2 + (0.313262 + 1.313262) / 2, rtol=1e-5)


@pytest.mark.parametrize('name', ['non_saturating', 'minimax'])
def test_cross_entropy_losses_stable_at_extreme_logits(name):
  loss = losses.get_loss(name)
  d = loss.d_loss(jnp.array([-100.0]), jnp.array([100.0]))  # D completely wrong.
  g = loss.g_loss(jnp.array([-100.0]))
  np.testing.assert_allclose(d, 200.0, rtol=1e-6)  # -log sigmoid(-100) = 100 each, not inf.
  expected_g = 100.0 if name == 'non_saturating' else -math.log1p(math.exp(-100.0))
  np.testing.assert_allclose(g, expected_g, rtol=1e-6, atol=1e-30)


def test_unknown_loss_names_accepted_values():
  with pytest.raises(ValueError, match='config.loss.name.*non_saturating'):
    losses.get_loss('vanilla')

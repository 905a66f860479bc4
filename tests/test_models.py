"""Output shapes and parameter counts (counted by hand from the layer list) of every model."""
import flax.linen as nn
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from gan_jax import models
from gan_jax.models.dcgan import upsamplings
from gan_jax.models.layers import SubPixelConvTranspose
from gan_jax.state import param_count


def model_config(name, z_dim, g_features, d_features, norm, layers=2):
  return ml_collections.ConfigDict(dict(
      name=name, z_dim=z_dim, g_features=g_features, d_features=d_features,
      g_layers=layers, d_layers=layers, g_norm=norm, d_norm=norm))


def init(module, x):
  return module.init(jax.random.PRNGKey(0), x, train=False)


# Dense(a->b) has a*b + b parameters, a 4x4 (transposed) conv a->b has 16*a*b + b, minus
# the b biases when batch norm follows (it has its own: 2c scale and bias, plus 2c
# running statistics over c channels).
CASES = [
    # (model, data shape, z, G features, D features, norm, G params, D params)
    # MLP, 2D: G 3->4->4->2; D 2->4->4->1.
    ('mlp', (2,), 3, 4, 4, 'none', (3*4+4) + (4*4+4) + (4*2+2), (2*4+4) + (4*4+4) + (4*1+1)),
    # Same with batch norm after each hidden layer: + 2*4 per layer, - 4 hidden biases.
    ('mlp', (2,), 3, 4, 4, 'batch_norm', 46 + 16 - 8, 37 + 16 - 8),
    # DCGAN 28x28x1 from 7x7: G Dense 5->7*7*16, BN16, ConvT 16->8, BN8, ConvT 8->1.
    ('dcgan', (28, 28, 1), 5, 8, 8, 'batch_norm',
     (5*784) + 32 + (16*16*8) + 16 + (16*8*1+1),
     # D conv 1->8, conv 8->16, BN16, Dense 7*7*16->1.
     (16*1*8+8) + (16*8*16) + 32 + (784+1)),
    # DCGAN 32x32x3 from 4x4: G Dense 5->4*4*32, BN32, ConvT 32->16, BN16, ConvT 16->8, BN8, ConvT 8->3.
    ('dcgan', (32, 32, 3), 5, 8, 8, 'batch_norm',
     (5*512) + 64 + (16*32*16) + 32 + (16*16*8) + 16 + (16*8*3+3),
     (16*3*8+8) + (16*8*16) + 32 + (16*16*32) + 64 + (512+1)),
    # The DCGAN-32 of the benchmark: z=100 -> 4x4x256 -> 128 -> 64 -> 3; PyTorch's DCGAN
    # example counts 1,068,928 (no bias anywhere; ours keeps the output layer's 3).
    ('dcgan', (32, 32, 3), 100, 64, 64, 'batch_norm', 1_068_931, None),
]


@pytest.mark.parametrize('name,shape,z_dim,g_features,d_features,norm,g_count,d_count', CASES)
def test_parameter_counts(name, shape, z_dim, g_features, d_features, norm, g_count, d_count):
  generator, discriminator = models.create_models(
      model_config(name, z_dim, g_features, d_features, norm), shape)
  g_vars = init(generator, jnp.zeros((1, z_dim)))
  assert param_count(g_vars['params']) == g_count
  if d_count is not None:
    d_vars = init(discriminator, jnp.zeros((1,) + shape))
    assert param_count(d_vars['params']) == d_count
  assert ('batch_stats' in g_vars) == (norm == 'batch_norm')


@pytest.mark.parametrize('name,shape', [
    ('mlp', (2,)), ('mlp', (28, 28, 1)),
    ('dcgan', (28, 28, 1)), ('dcgan', (32, 32, 3)), ('dcgan', (64, 64, 3)), ('dcgan', (64, 64, 1)),
])
def test_output_shapes(name, shape):
  generator, discriminator = models.create_models(model_config(name, 8, 8, 8, 'batch_norm'), shape)
  z = jax.random.normal(jax.random.PRNGKey(1), (3, 8))
  g_vars = init(generator, z)
  samples, _ = generator.apply(g_vars, z, train=True, mutable=['batch_stats'])
  assert samples.shape == (3,) + shape
  if len(shape) == 3:  # Images come out of tanh.
    assert float(jnp.abs(samples).max()) <= 1.0
  d_vars = init(discriminator, samples)
  logits = discriminator.apply(d_vars, samples * 50.0, train=False)  # Far off-data input.
  assert logits.shape == (3,)
  assert float(jnp.abs(logits).max()) > 1.0  # Raw logits, not squashed into (0, 1).


def test_dcgan_sizes():
  assert {s: upsamplings(s) for s in (16, 28, 32, 56, 64, 128)} == {
      16: 2, 28: 2, 32: 3, 56: 3, 64: 4, 128: 5}
  assert [upsamplings(s) for s in (7, 8, 14, 30, 48, 100)] == [None] * 6


def test_unknown_model_name():
  with pytest.raises(ValueError, match="config.model.name 'unet'.*'mlp', 'dcgan'"):
    models.create_models(model_config('unet', 8, 8, 8, 'none'), (2,))


@pytest.mark.parametrize('shape,features', [((2, 5, 6, 3), 4), ((3, 7, 7, 16), 8), ((1, 4, 4, 1), 1)])
@pytest.mark.parametrize('use_bias', [True, False])
def test_subpixel_conv_transpose_equals_flax_conv_transpose(shape, features, use_bias):
  x = jax.random.normal(jax.random.PRNGKey(0), shape)
  reference = nn.ConvTranspose(features, (4, 4), strides=(2, 2), padding='SAME',
                               use_bias=use_bias)
  fast = SubPixelConvTranspose(features, use_bias=use_bias)
  params = reference.init(jax.random.PRNGKey(1), x)
  # Same parameter tree and the same initial values from the same key.
  jax.tree.map(np.testing.assert_array_equal, fast.init(jax.random.PRNGKey(1), x), params)
  params = jax.tree.map(lambda p: p + jax.random.normal(jax.random.PRNGKey(2), p.shape), params)
  np.testing.assert_allclose(fast.apply(params, x), reference.apply(params, x), rtol=1e-5, atol=1e-5)
  loss = lambda module: lambda p, x: jnp.sum(jnp.sin(module.apply(p, x)))
  grads_fast = jax.grad(loss(fast), argnums=(0, 1))(params, x)
  grads_reference = jax.grad(loss(reference), argnums=(0, 1))(params, x)
  jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4),
               grads_fast, grads_reference)

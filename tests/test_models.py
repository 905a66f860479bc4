"""Output shapes and parameter counts (counted by hand from the layer list) of every model."""
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gan_jax import models
from gan_jax.models.dcgan import upsamplings
from gan_jax.models.layers import SubPixelConvTranspose
from gan_jax.run import base
from gan_jax.tasks.gan.state import param_count


def model_config(name, z_dim, g_features, d_features, norm, layers=2, **fields):
  config = base.base_config().model
  config.update(dict(name=name, z_dim=z_dim, g_features=g_features, d_features=d_features,
                     g_layers=layers, d_layers=layers, g_norm=norm, d_norm=norm) | fields)
  return config


def init(module, x, labels=None):
  labels = jnp.zeros((x.shape[0],), jnp.int32) if labels is None else labels
  return module.init(jax.random.PRNGKey(0), x, labels, train=False)


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
  labels = jnp.zeros((3,), jnp.int32)
  samples, _ = generator.apply(g_vars, z, labels, train=True, mutable=['batch_stats'])
  assert samples.shape == (3,) + shape
  if len(shape) == 3:  # Images come out of tanh.
    assert float(jnp.abs(samples).max()) <= 1.0
  d_vars = init(discriminator, samples)
  logits, class_logits = discriminator.apply(d_vars, samples * 50.0, labels, train=False)
  assert logits.shape == (3,) and class_logits is None  # Far off-data input:
  assert float(jnp.abs(logits).max()) > 1.0  # Raw logits, not squashed into (0, 1).


def test_dcgan_sizes():
  assert {s: upsamplings(s) for s in (16, 28, 32, 56, 64, 128)} == {
      16: 2, 28: 2, 32: 3, 56: 3, 64: 4, 128: 5}
  assert [upsamplings(s) for s in (7, 8, 14, 30, 48, 100)] == [None] * 6


def test_unknown_model_name():
  with pytest.raises(ValueError, match="config.model.name 'unet'.*'mlp', 'dcgan'"):
    models.create_models(model_config('unet', 8, 8, 8, 'none'), (32, 32, 3))


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


# ------------------------------------------------------------------ the zoo
from gan_jax.models.layers import ConditionalAffine, DiscriminatorHead, LayerSpec, SelfAttention  # noqa: E402,E501


# Parameter counts by hand at the published sizes (no bias before batch norm).
ZOO_CASES = [
    # SNGAN ResNet G, 32x32 (z 128, 256 wide): dense 128->4*4*256; 3 blocks of 2 BN (2*256),
    # 2 conv3 256->256 and a conv1 shortcut; final BN; conv3 256->3 + bias.
    ('resnet', (32, 32, 3), 128, 256, 'batch_norm', 'G',
     128 * 4096 + 3 * (2 * 512 + 2 * 9 * 256 * 256 + 256 * 256) + 512 + 9 * 256 * 3 + 3),
    # SNGAN ResNet D, 32x32 (128 wide, spectral norm: biases everywhere): first block conv3
    # 3->128, conv3, conv1 shortcut 3->128; down block 2 conv3 + conv1; 2 blocks of 2 conv3
    # with identity shortcuts; dense 128->1.
    ('resnet', (32, 32, 3), 128, 128, 'spectral_norm', 'D',
     (27 * 128 + 128) + (9 * 128 * 128 + 128) + (3 * 128 + 128)
     + 2 * (9 * 128 * 128 + 128) + (128 * 128 + 128) + 4 * (9 * 128 * 128 + 128) + 129),
    # Lucic et al.'s InfoGAN-style G, MNIST: dense 64->1024, BN, dense 1024->7*7*128, BN(128),
    # ConvT 128->64, BN, ConvT 64->1 + bias.
    ('infogan', (28, 28, 1), 64, 64, 'batch_norm', 'G',
     64 * 1024 + 2048 + 1024 * 6272 + 256 + 16 * 128 * 64 + 128 + 16 * 64 + 1),
    # Its D: conv 1->64 + bias, conv 64->128, BN, dense 6272->1024, BN, dense 1024->1.
    ('infogan', (28, 28, 1), 64, 64, 'batch_norm', 'D',
     16 * 64 + 64 + 16 * 64 * 128 + 256 + 6272 * 1024 + 2048 + 1025),
]


@pytest.mark.parametrize('name,shape,z_dim,features,norm,part,count', ZOO_CASES)
def test_zoo_parameter_counts(name, shape, z_dim, features, norm, part, count):
  generator, discriminator = models.create_models(
      model_config(name, z_dim, features, features, norm), shape)
  if part == 'G':
    variables = init(generator, jnp.zeros((1, z_dim)))
  else:
    variables = init(discriminator, jnp.zeros((1,) + shape))
  assert param_count(variables['params']) == count


@pytest.mark.parametrize('name,shape,fields', [
    ('infogan', (28, 28, 1), {}),
    ('resnet', (64, 64, 3), {'g_conditioning': 'cond_batch_norm', 'd_conditioning': 'projection'}),
    ('dcgan', (32, 32, 3), {'g_conditioning': 'concat', 'd_conditioning': 'acgan',
                            'd_norm': 'layer_norm'}),
])
def test_zoo_output_shapes(name, shape, fields):
  config = model_config(name, 12, 8, 8, 'batch_norm', **fields)
  generator, discriminator = models.create_models(config, shape, num_classes=10)
  z = jax.random.normal(jax.random.PRNGKey(1), (4, 12))
  labels = jnp.array([0, 3, 9, 3])
  # Compiled: op by op, these ResNets take tens of seconds.
  forward = jax.jit(lambda module, x: module.apply(init(module, x, labels), x, labels,
                                                   train=False), static_argnums=0)
  samples = forward(generator, z)
  assert samples.shape == (4,) + shape and float(jnp.abs(samples).max()) <= 1.0
  logits, class_logits = forward(discriminator, samples)
  assert logits.shape == (4,)
  if config.d_conditioning == 'acgan':
    assert class_logits.shape == (4, 10)
  else:
    assert class_logits is None


class SpectralDense(nn.Module):
  spec: LayerSpec

  @nn.compact
  def __call__(self, x, train):
    return self.spec.dense(4, x, train)


def test_spectral_norm_converges_to_the_largest_singular_value():
  rng = np.random.default_rng(0)
  u, _ = np.linalg.qr(rng.normal(size=(6, 4)))
  v, _ = np.linalg.qr(rng.normal(size=(4, 4)))
  kernel = (u * [5.0, 2.0, 1.0, 0.5]) @ v.T  # Singular values 5, 2, 1, 0.5.
  module = SpectralDense(LayerSpec('spectral_norm'))
  x = jnp.asarray(rng.normal(size=(3, 6)), jnp.float32)
  variables = module.init(jax.random.PRNGKey(0), x, train=False)
  variables = {'params': {'Dense_0': {'kernel': jnp.asarray(kernel, jnp.float32),
                                      'bias': jnp.zeros(4)}},
               'batch_stats': variables['batch_stats']}
  for _ in range(30):  # One power iteration per training forward pass.
    _, updates = module.apply(variables, x, train=True, mutable=['batch_stats'])
    variables = {**variables, **updates}
  (state,) = jax.tree.leaves(variables['batch_stats'], is_leaf=lambda t: 'Dense_0/kernel/sigma' in t)
  np.testing.assert_allclose(state['Dense_0/kernel/sigma'], np.linalg.svd(kernel)[1][0],
                             rtol=1e-5)
  # The layer uses the kernel divided by it: a spectral norm of 1.
  out = module.apply(variables, x, train=False)
  np.testing.assert_allclose(out, x @ (kernel / 5.0), rtol=1e-4, atol=1e-5)
  frozen = module.apply(variables, x, train=False, mutable=['batch_stats'])[1]
  jax.tree.map(np.testing.assert_array_equal, frozen['batch_stats'], variables['batch_stats'])


def test_self_attention_starts_as_the_identity():
  x = jax.random.normal(jax.random.PRNGKey(0), (2, 8, 8, 16))
  attention = SelfAttention(LayerSpec())
  variables = attention.init(jax.random.PRNGKey(1), x, train=False)
  np.testing.assert_array_equal(attention.apply(variables, x, train=False), x)
  variables = jax.tree.map(lambda p: p + 0.5, variables)  # gamma != 0: attention mixes in.
  assert not np.allclose(attention.apply(variables, x, train=False), x)


def test_projection_head_adds_the_class_embedding_product():
  head = DiscriminatorHead(LayerSpec(), 'projection', num_classes=3)
  features, labels = jax.random.normal(jax.random.PRNGKey(0), (4, 5)), jnp.array([0, 2, 1, 2])
  params = jax.tree.map(lambda p: p + 0.1, head.init(jax.random.PRNGKey(1), features, labels,
                                                     train=False))['params']
  logits, class_logits = head.apply({'params': params}, features, labels, train=False)
  dense, embedding = params['Dense_0'], params['Embed_0']['embedding']
  expected = (features @ dense['kernel'])[:, 0] + dense['bias'][0] + np.sum(
      embedding[labels] * features, axis=1)
  np.testing.assert_allclose(logits, expected, rtol=1e-5)
  assert class_logits is None


def test_conditional_affine_is_a_scale_and_shift_per_class():
  x = jax.random.normal(jax.random.PRNGKey(0), (3, 2, 2, 4))
  cond = jax.nn.one_hot(jnp.array([1, 0, 1]), 2)
  layer = ConditionalAffine(LayerSpec())
  params = layer.init(jax.random.PRNGKey(1), x, cond, train=False)
  np.testing.assert_array_equal(layer.apply(params, x, cond, train=False), x)  # Starts as identity.
  gamma, beta = np.arange(8.0).reshape(2, 4), -np.arange(8.0).reshape(2, 4)
  params = {'params': {'Dense_0': {'kernel': gamma}, 'Dense_1': {'kernel': beta}}}
  out = layer.apply(params, x, cond, train=False)
  for i, label in enumerate([1, 0, 1]):
    np.testing.assert_allclose(out[i], x[i] * (1 + gamma[label]) + beta[label], rtol=1e-6)


def test_maxout_discriminator_takes_the_max_of_each_units_pieces():
  """PacGAN's D: each hidden unit is the max of its `pieces` linear maps, in numpy by hand."""
  from gan_jax.models.mlp import MLPDiscriminator
  features, pieces = 3, 5
  discriminator = MLPDiscriminator(features, layers=1, maxout_pieces=pieces)
  x = jax.random.normal(jax.random.PRNGKey(0), (4, 2))
  variables = discriminator.init(jax.random.PRNGKey(1), x, None, train=False)
  logits, _ = discriminator.apply(variables, x, None, train=False)
  hidden, out = variables['params']['Dense_0'], variables['params']['DiscriminatorHead_0']['Dense_0']
  # Unit j's pieces are columns j*pieces .. j*pieces+pieces-1 of the first kernel.
  pre = np.asarray(x) @ hidden['kernel'] + hidden['bias']
  units = pre.reshape(4, features, pieces).max(axis=2)
  assert hidden['kernel'].shape == (2, features * pieces)
  np.testing.assert_allclose(logits, units @ out['kernel'][:, 0] + out['bias'][0], rtol=1e-5)

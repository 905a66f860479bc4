"""Pieces shared by every architecture: weight layers (spectrally normalised on request),
normalizations (class- or noise-conditional on request), self-attention and D's output head.

A network builds all its layers through one `LayerSpec`, made from config.model.{g,d}_norm,
so switching a normalization never touches architecture code.
"""
import dataclasses
from typing import Any, Callable

import flax.linen as nn
import jax
import jax.numpy as jnp

ACTIVATION_NORMS = ('none', 'batch_norm', 'layer_norm')
# 'spectral_norm' alone, or combined with an activation normalization (BigGAN's G: both).
NORMS = ACTIVATION_NORMS + ('spectral_norm', 'spectral_norm+batch_norm', 'spectral_norm+layer_norm')
# Networks of convolutions only (pix2pix's U-Net and PatchGAN) also take instance norm: per
# example and channel over H and W (Ulyanov et al. 2016; the translation papers' at batch 1).
CONV_NORMS = NORMS + ('instance_norm', 'spectral_norm+instance_norm')
BATCH_NORM_MOMENTUM = 0.9  # Of batch norm's running averages: new = m * old + (1 - m) * batch.


def doubling_widths(count: int, features: int, max_features: int = 512) -> list[int]:
  """features, 2 x features, 4 x features, ... (count of them), capped at max_features: the
  widths of pix2pix's U-Net encoder and PatchGAN."""
  return [min(features * 2 ** i, max_features) for i in range(count)]


def split_norm(norm: str) -> tuple[bool, str]:
  """'spectral_norm+batch_norm' -> (True, 'batch_norm'); 'layer_norm' -> (False, 'layer_norm')."""
  if norm not in CONV_NORMS:
    raise ValueError(f'Unknown normalization {norm!r}; accepted: {CONV_NORMS}.')
  if norm.startswith('spectral_norm'):
    return True, norm.partition('+')[2] or 'none'
  return False, norm


@dataclasses.dataclass(frozen=True)
class LayerSpec:
  """How one network makes its layers.

  norm: a NORMS entry (CONV_NORMS in convolutional networks). conditional_norm: the
  normalizations' scale and shift come from a conditioning vector (conditional batch
  norm) instead of being plain parameters. axis_name: the device axis batch norm reduces over (None
  outside pmap). dtype: the compute dtype (parameters stay float32).
  """
  norm: str = 'none'
  conditional_norm: bool = False
  axis_name: str | None = None
  dtype: Any = jnp.float32

  @property
  def spectral(self) -> bool:
    return split_norm(self.norm)[0]

  @property
  def activation_norm(self) -> str:
    return split_norm(self.norm)[1]

  @property
  def unconditional(self) -> 'LayerSpec':
    return dataclasses.replace(self, conditional_norm=False)

  def bias(self, normalized: bool) -> bool:
    """Layers followed by a normalization take no bias.

    Where the normalization subtracts the bias again (a conv before a per-channel norm),
    its gradient is zero up to rounding, which Adam would amplify into full-size random
    updates. A Dense reshaped to (H, W, C) before a per-channel norm is different: only the
    bias's mean per channel is removed, and a per-position pattern would survive. That
    Dense (DCGAN's G's first layer) drops it all the same, so what differs between
    positions there comes from its input: z and, when conditional, the class embedding.
    """
    return not (normalized and self.activation_norm != 'none')

  def weight(self, layer: nn.Module, x: jax.Array, train: bool) -> jax.Array:
    """Applies a weight layer; spectrally normalised (Miyato et al. 2018) if the spec says so.

    The power-iteration vector u is non-trained state in the 'batch_stats'
    collection, advanced one iteration per training forward pass. It depends
    only on the weights, which are identical on all devices, so it is too.
    """
    if self.spectral:
      return nn.SpectralNorm(layer, dtype=self.dtype)(x, update_stats=train)
    return layer(x)

  def dense(self, features: int, x, train: bool, normalized: bool = False, **kw):
    return self.weight(nn.Dense(features, use_bias=self.bias(normalized), dtype=self.dtype, **kw),
                       x, train)

  def conv(self, features: int, kernel: int, x, train: bool, strides: int = 1,
           normalized: bool = False):
    layer = nn.Conv(features, (kernel, kernel), strides=(strides, strides), padding='SAME',
                    use_bias=self.bias(normalized), dtype=self.dtype)
    return self.weight(layer, x, train)

  def conv_transpose(self, features: int, x, train: bool, normalized: bool = False):
    """A 4x4 stride-2 transposed convolution (2x up-sampling)."""
    layer = SubPixelConvTranspose(features, use_bias=self.bias(normalized), dtype=self.dtype)
    return self.weight(layer, x, train)

  def normalize(self, x, train: bool, cond: jax.Array | None = None):
    """The activation normalization over features (last axis); `cond` (B, k) if conditional."""
    kind, affine = self.activation_norm, not self.conditional_norm
    if kind == 'batch_norm':
      x = nn.BatchNorm(use_running_average=not train, momentum=BATCH_NORM_MOMENTUM,
                       use_scale=affine, use_bias=affine, dtype=self.dtype,
                       axis_name=self.axis_name if train else None)(x)
    elif kind == 'layer_norm':  # Over all of an example's features (C, H, W): per example.
      x = nn.LayerNorm(reduction_axes=tuple(range(1, x.ndim)), feature_axes=-1,
                       use_scale=affine, use_bias=affine, dtype=self.dtype)(x)
    elif kind == 'instance_norm':  # Over H and W, per example and channel.
      if x.ndim != 4:
        raise ValueError(f'instance_norm normalises images [N, H, W, C]; got shape {x.shape}.')
      x = nn.InstanceNorm(use_scale=affine, use_bias=affine, dtype=self.dtype)(x)
    if kind != 'none' and self.conditional_norm:
      x = ConditionalAffine(self)(x, cond, train)
    return x


class ConditionalAffine(nn.Module):
  """x * (1 + W_g c) + W_b c: conditional batch norm's scale and shift from a vector c.

  With c one-hot in the class this is one (gamma, beta) pair per class
  (de Vries et al. 2017, SNGAN); BigGAN uses c = [shared class embedding, z chunk].
  Zero-initialised, so training starts from plain normalization.
  """
  spec: LayerSpec

  @nn.compact
  def __call__(self, x, cond, train: bool):
    features = x.shape[-1]
    zeros = nn.initializers.zeros_init()
    gamma = self.spec.weight(nn.Dense(features, use_bias=False, kernel_init=zeros,
                                      dtype=self.spec.dtype), cond, train)
    beta = self.spec.weight(nn.Dense(features, use_bias=False, kernel_init=zeros,
                                     dtype=self.spec.dtype), cond, train)
    shape = (x.shape[0],) + (1,) * (x.ndim - 2) + (features,)
    return x * (1.0 + gamma.reshape(shape)) + beta.reshape(shape)


class SelfAttention(nn.Module):
  """SAGAN self-attention (Zhang et al. 2019) as in BigGAN: keys/values 2x2 max-pooled.

  x + gamma * attention(x); gamma starts at 0, so the block starts as the identity.
  """
  spec: LayerSpec

  @nn.compact
  def __call__(self, x, train: bool):
    batch, height, width, channels = x.shape
    pool = lambda t: nn.max_pool(t, (2, 2), (2, 2))
    bias_free = lambda n, t: self.spec.weight(
        nn.Conv(n, (1, 1), use_bias=False, dtype=self.spec.dtype), t, train)
    key_width = max(channels // 8, 1)
    query = bias_free(key_width, x).reshape(batch, height * width, key_width)
    key = pool(bias_free(key_width, x)).reshape(batch, -1, key_width)
    value = pool(bias_free(max(channels // 2, 1), x)).reshape(batch, key.shape[1], -1)
    attention = jax.nn.softmax(jnp.einsum('bqc,bkc->bqk', query, key), axis=-1)
    out = jnp.einsum('bqk,bkc->bqc', attention, value).reshape(batch, height, width, -1)
    gamma = self.param('gamma', nn.initializers.zeros_init(), ())
    return x + gamma * bias_free(channels, out)


CONDITIONINGS_D = ('none', 'projection', 'acgan')


class DiscriminatorHead(nn.Module):
  """Features (B, F) -> (logits (B,), class logits (B, classes) or None).

  'projection' (Miyato & Koyama 2018) adds <embed(y), pooled> to the logit, where `pooled`
  (B, C) is D's last activations summed over space (a network without spatial features
  passes its features); 'acgan' (Odena et al. 2017) adds an auxiliary classifier.
  """
  spec: LayerSpec
  conditioning: str = 'none'
  num_classes: int = 0

  @nn.compact
  def __call__(self, features, labels, train: bool, pooled=None):
    logits = self.spec.dense(1, features, train)[:, 0]
    if self.conditioning == 'projection':
      pooled = features if pooled is None else pooled
      embedding = self.spec.weight(nn.Embed(self.num_classes, pooled.shape[-1],
                                            dtype=self.spec.dtype), labels, train)
      logits = logits + jnp.sum(embedding * pooled, axis=-1)
    class_logits = None
    if self.conditioning == 'acgan':
      class_logits = self.spec.dense(self.num_classes, features, train)
    return logits, class_logits


CONDITIONINGS_G = ('none', 'concat', 'cond_batch_norm')


def generator_input(z, labels, conditioning: str, num_classes: int, embedding_dim: int):
  """G's input, made inside G's compact method: z, joined for 'concat' by a learned class
  embedding of embedding_dim (Mirza & Osindero 2014's y beside z; BigGAN's shared
  embedding). Initialised N(0, 1) as z is, so from the start the class's share of G's first
  layer grows with embedding_dim (a one-hot's is 1 / z_dim of the noise's, too little: the
  digit was left to the noise)."""
  if conditioning == 'concat':
    embedding = nn.Embed(num_classes, embedding_dim, dtype=z.dtype,
                         embedding_init=nn.initializers.normal(1.0), name='class_embedding')
    return jnp.concatenate([z, embedding(labels)], axis=-1)
  return z


def class_condition(labels, conditioning: str, num_classes: int):
  """The conditional-batch-norm vector of G's class: one-hot (one gamma/beta per class)."""
  if conditioning == 'cond_batch_norm':
    return jax.nn.one_hot(labels, num_classes)
  return None


# Output phase -> its two taps (kernel index, input offset) along one axis: output row 2a
# is x[a-1] K[0] + x[a] K[2], row 2a+1 is x[a] K[1] + x[a+1] K[3] (likewise for columns).
_PHASE_TAPS = {0: ((0, -1), (2, 0)), 1: ((1, 0), (3, 1))}


def _shifted(x: jax.Array, row_offset: int, column_offset: int) -> jax.Array:
  """x[:, a + row_offset, b + column_offset] for offsets in {-1, 0, 1}, zero outside x."""
  _, height, width, _ = x.shape
  padded = jnp.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
  top, left = 1 + row_offset, 1 + column_offset
  return padded[:, top:top + height, left:left + width]


class SubPixelConvTranspose(nn.Module):
  """`nn.ConvTranspose(features, (4, 4), strides=(2, 2), padding='SAME')`, computed faster.

  Same parameters (kernel (4, 4, in, out) and bias, same initialisers) and the
  same outputs, up to float rounding. Each of the four output phases (even or
  odd row, even or odd column) sums four taps (_PHASE_TAPS), and a tap is a
  per-pixel matmul of the input with one kernel slice, shifted by at most one
  pixel. So the layer is one matmul (the 16 kernel slices side by side) plus
  shifted sums, and so are both of its gradients. At DCGAN-32's sizes XLA:CPU
  runs forward and gradients 1.4-14x faster than as four 2x2 convolutions
  (benchmarks/RESULTS.md), and those ~10x faster than the gradient of a
  strided transposed convolution.
  """
  features: int
  use_bias: bool = True
  kernel_init: Callable = nn.initializers.lecun_normal()
  bias_init: Callable = nn.initializers.zeros_init()
  dtype: Any = None

  @nn.compact
  def __call__(self, x):
    batch, height, width, channels = x.shape
    kernel = self.param('kernel', self.kernel_init, (4, 4, channels, self.features))
    if self.dtype is not None:
      x, kernel = x.astype(self.dtype), kernel.astype(self.dtype)
    phase_taps = [[(ky, dy, kx, dx) for ky, dy in _PHASE_TAPS[row_phase]
                   for kx, dx in _PHASE_TAPS[column_phase]]
                  for row_phase in (0, 1) for column_phase in (0, 1)]
    taps = [tap for phase in phase_taps for tap in phase]
    products = x.reshape(-1, channels) @ jnp.concatenate(
        [kernel[ky, kx] for ky, _, kx, _ in taps], axis=1)
    products = jnp.split(products.reshape(batch, height, width, -1), len(taps), axis=-1)
    outputs = [sum(_shifted(tap, dy, dx)
                   for tap, (_, dy, _, dx) in zip(products[4 * p:4 * p + 4], phase))
               for p, phase in enumerate(phase_taps)]
    # (B, H, W, row phase, column phase, C) -> (B, H, row phase, W, column phase, C)
    out = jnp.stack(outputs, axis=3).reshape(batch, height, width, 2, 2, self.features)
    out = out.transpose(0, 1, 3, 2, 4, 5)
    out = out.reshape(batch, 2 * height, 2 * width, self.features)
    if self.use_bias:
      out = out + self.param('bias', self.bias_init, (self.features,)).astype(out.dtype)
    return out

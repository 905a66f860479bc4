"""StyleGAN2's layers (Karras et al. 2020), NHWC, as NVlabs/stylegan2-ada-pytorch builds them.

Every weight has the equalised learning rate: stored N(0, 1) (over lr_multiplier) and scaled
at run time by lr_multiplier / sqrt(fan_in), so Adam moves every layer at the same relative
speed whatever its fan-in. Parameter names follow the reference's, so its weights load by
name (tests/test_stylegan2_parity.py).
"""
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from gan_jax.common.example_keys import per_example_normal
from gan_jax.common import upfirdn

LRELU_SLOPE = 0.2
LRELU_GAIN = float(np.sqrt(2.0))  # Keeps unit variance through a leaky ReLU of slope 0.2.


def bias_act(x: jax.Array, bias: jax.Array | None, activation: str = 'linear',
             gain: float = 1.0, clamp: float | None = None) -> jax.Array:
  """x + bias, then the activation ('linear' or 'lrelu', whose default gain is sqrt 2)
  times `gain`, then clipped to [-clamp, clamp] (None: not clipped)."""
  if bias is not None:
    x = x + bias.astype(x.dtype)
  if activation == 'lrelu':
    x = nn.leaky_relu(x, LRELU_SLOPE) * LRELU_GAIN
  elif activation != 'linear':
    raise ValueError(f"Unknown activation {activation!r}; accepted: ('linear', 'lrelu').")
  if gain != 1:
    x = x * gain
  return x if clamp is None else jnp.clip(x, -clamp, clamp)


def normalize_2nd_moment(x: jax.Array, eps: float = 1e-8) -> jax.Array:
  """x over the root of its mean square along the last axis."""
  return x * jax.lax.rsqrt(jnp.mean(jnp.square(x), axis=-1, keepdims=True) + eps)


class EqualDense(nn.Module):
  """A fully connected layer with the equalised learning rate; `bias_init` 1 makes a style's
  default scale 1."""
  features: int
  activation: str = 'linear'
  lr_multiplier: float = 1.0
  bias_init: float = 0.0
  use_bias: bool = True

  @nn.compact
  def __call__(self, x):
    fan_in = x.shape[-1]
    weight = self.param('weight', nn.initializers.normal(1.0 / self.lr_multiplier),
                        (fan_in, self.features))
    bias = (self.param('bias', nn.initializers.constant(self.bias_init), (self.features,))
            if self.use_bias else None)
    x = x @ (weight * (self.lr_multiplier / np.sqrt(fan_in))).astype(x.dtype)
    return bias_act(x, None if bias is None else bias * self.lr_multiplier, self.activation)


class EqualConv(nn.Module):
  """A k x k convolution (HWIO weight) with the equalised learning rate, optional 2x FIR
  up- or down-sampling, and bias-activation with an extra `gain` and `clamp`."""
  features: int
  kernel_size: int
  activation: str = 'linear'
  up: int = 1
  down: int = 1
  use_bias: bool = True
  clamp: float | None = None
  taps: tuple = (1, 3, 3, 1)

  @nn.compact
  def __call__(self, x, gain: float = 1.0):
    k, fan_in = self.kernel_size, x.shape[-1]
    weight = self.param('weight', nn.initializers.normal(1.0), (k, k, fan_in, self.features))
    bias = self.param('bias', nn.initializers.zeros, (self.features,)) if self.use_bias else None
    x = upfirdn.conv2d_resample(x, weight / np.sqrt(fan_in * k * k), upfirdn.fir_filter(self.taps),
                                self.up, self.down)
    return bias_act(x, bias, self.activation, gain,
                    None if self.clamp is None else self.clamp * gain)


def modulated_conv2d(x: jax.Array, weight: jax.Array, styles: jax.Array, demodulate: bool,
                     up: int = 1, taps: tuple = (1, 3, 3, 1)) -> jax.Array:
  """StyleGAN2's modulated convolution: weight (HWIO) scaled per example by styles (N, I)
  along its input channels, then, with `demodulate`, each output channel rescaled to unit
  L2 norm over (kh, kw, I). Run as x * styles -> one convolution -> * demodulation, which
  equals the per-example weights' convolution (the reference's unfused path)."""
  x = x * styles[:, None, None, :].astype(x.dtype)
  x = upfirdn.conv2d_resample(x, weight, upfirdn.fir_filter(taps), up=up)
  if not demodulate:
    return x
  # sum over (kh, kw, I) of (w * s)^2, per example and output channel: (N, O).
  squares = jnp.einsum('hwio,ni->no', jnp.square(weight), jnp.square(styles))
  return x * jax.lax.rsqrt(squares + 1e-8)[:, None, None, :].astype(x.dtype)


class SynthesisLayer(nn.Module):
  """Style (an affine map of w, bias 1) -> modulated, demodulated 3x3 convolution (up-sampled
  2x with up=2) -> per-pixel noise times a learned strength (starting at 0) -> bias,
  lrelu. Training draws fresh noise (rng 'noise'; each example's from its index in the
  global batch over `axis_name`); evaluation adds the stored constant noise, so a sample
  depends on its (z, label) alone."""
  features: int
  resolution: int
  up: int = 1
  clamp: float | None = None
  axis_name: str | None = None

  @nn.compact
  def __call__(self, x, w, train: bool, gain: float = 1.0):
    fan_in = x.shape[-1]
    styles = EqualDense(fan_in, bias_init=1.0, name='affine')(w)
    weight = self.param('weight', nn.initializers.normal(1.0), (3, 3, fan_in, self.features))
    noise_const = self.variable(
        'batch_stats', 'noise_const',
        lambda: jax.random.normal(self.make_rng('params'), (self.resolution, self.resolution)))
    strength = self.param('noise_strength', nn.initializers.zeros, ())
    bias = self.param('bias', nn.initializers.zeros, (self.features,))
    x = modulated_conv2d(x, weight, styles, demodulate=True, up=self.up)
    if train:
      noise = per_example_normal(self.make_rng('noise'), x.shape[0], x.shape[1:3] + (1,),
                                 self.axis_name).astype(x.dtype)
    else:
      noise = noise_const.value[None, :, :, None].astype(x.dtype)
    x = x + noise * strength.astype(x.dtype)
    return bias_act(x, bias, 'lrelu', gain, None if self.clamp is None else self.clamp * gain)


class ToRGB(nn.Module):
  """A modulated 1x1 convolution to `channels` without demodulation, bias, clamp."""
  channels: int
  clamp: float | None = None

  @nn.compact
  def __call__(self, x, w):
    fan_in = x.shape[-1]
    styles = EqualDense(fan_in, bias_init=1.0, name='affine')(w) / np.sqrt(fan_in)
    weight = self.param('weight', nn.initializers.normal(1.0), (1, 1, fan_in, self.channels))
    bias = self.param('bias', nn.initializers.zeros, (self.channels,))
    return bias_act(modulated_conv2d(x, weight, styles, demodulate=False), bias,
                    clamp=self.clamp)


def minibatch_std(x: jax.Array, group_size: int, num_channels: int = 1) -> jax.Array:
  """Appends `num_channels` feature maps: the standard deviation of each feature over a group
  of `group_size` examples (the whole batch if smaller), averaged over positions and the
  channels of that feature's share, shared by the group's members.

  Groups are consecutive examples (the reference takes every n-th): that keeps a device's
  groups the same whether the batch is split over 1 or 4 devices, as long as each device's
  batch is a multiple of the group size.
  """
  n, h, w, c = x.shape
  g = min(group_size, n)
  y = x.reshape(n // g, g, h, w, num_channels, c // num_channels).astype(jnp.float32)
  y = jnp.sqrt(jnp.var(y, axis=1) + 1e-8)  # (groups, h, w, F, c / F)
  y = jnp.mean(y, axis=(1, 2, 4))  # (groups, F)
  y = jnp.repeat(y, g, axis=0)[:, None, None, :]
  return jnp.concatenate([x, jnp.broadcast_to(y, (n, h, w, num_channels)).astype(x.dtype)], -1)

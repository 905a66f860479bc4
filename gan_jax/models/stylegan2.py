"""StyleGAN2's G and D (Karras et al. 2020) as NVlabs/stylegan2-ada-pytorch configures them:
the mapping network, the 'skip' synthesis network, and the 'resnet' (or 'orig')
discriminator with the minibatch standard deviation and projection-style conditioning.

Widths are min(channel_base / resolution, channel_max) at each resolution, so one formula
serves 32x32 to 1024x1024 (sg2-ada's 'cifar': channel_base 32768, channel_max 512).
Both networks take (x, labels, train) and D returns (logits, None), as every gan_jax pair.
"""
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from gan_jax.common.example_keys import per_example_normal
from gan_jax.common import upfirdn
from gan_jax.models.style_layers import (EqualConv, EqualDense, SynthesisLayer, ToRGB,
                                         minibatch_std, normalize_2nd_moment)

D_ARCHITECTURES = ('resnet', 'orig')
MIN_RESOLUTION = 4  # The learned constant's; D's epilogue works at 4x4 too.
TAPS = (1, 3, 3, 1)


def is_power_of_two(size: int) -> bool:
  return size >= MIN_RESOLUTION and size & (size - 1) == 0


def block_resolutions(image_size: int) -> list[int]:
  """4, 8, ..., image_size."""
  return [2**i for i in range(2, int(np.log2(image_size)) + 1)]


def width(resolution: int, channel_base: int, channel_max: int) -> int:
  """Channels of the layers working at `resolution`."""
  return min(channel_base // resolution, channel_max)


def num_ws(image_size: int) -> int:
  """How many w the synthesis network takes: one per modulated convolution, plus the last
  toRGB's (every other toRGB shares the next block's first w)."""
  return 2 * len(block_resolutions(image_size))


class MappingNetwork(nn.Module):
  """z (normalised by its second moment) [+ the embedded, normalised label] -> `layers` FC
  lrelu layers at learning-rate multiplier 0.01 -> w. In training it tracks the batch mean
  of w (beta 0.995, mean over every device) for the truncation trick; `truncation_psi` < 1
  pulls w toward it."""
  w_dim: int
  layers: int
  num_classes: int = 0
  lr_multiplier: float = 0.01
  w_avg_beta: float | None = 0.995
  axis_name: str | None = None

  @nn.compact
  def __call__(self, z, labels, train: bool, truncation_psi: float = 1.0,
               update_w_avg: bool = True):
    parts = [] if z is None else [normalize_2nd_moment(z.astype(jnp.float32))]
    if self.num_classes:
      one_hot = jax.nn.one_hot(labels, self.num_classes, dtype=jnp.float32)
      parts.append(normalize_2nd_moment(EqualDense(self.w_dim, name='embed')(one_hot)))
    x = jnp.concatenate(parts, axis=-1)
    for i in range(self.layers):
      x = EqualDense(self.w_dim, 'lrelu', self.lr_multiplier, name=f'fc{i}')(x)
    if self.w_avg_beta is None:
      return x
    w_avg = self.variable('batch_stats', 'w_avg', jnp.zeros, (self.w_dim,))
    if train and update_w_avg and not self.is_initializing():
      mean = jnp.mean(x, axis=0)
      if self.axis_name is not None:
        mean = jax.lax.pmean(mean, self.axis_name)
      w_avg.value = mean + self.w_avg_beta * (w_avg.value - mean)
    if truncation_psi != 1:
      x = w_avg.value + truncation_psi * (x - w_avg.value)
    return x


class SynthesisBlock(nn.Module):
  """One resolution of the 'skip' synthesis network: [the learned 4x4 constant | a 2x
  up-sampling modulated conv] -> a modulated conv -> toRGB added to the up-sampled image."""
  features: int
  resolution: int
  channels: int
  clamp: float | None = None
  axis_name: str | None = None

  @nn.compact
  def __call__(self, x, image, ws, train: bool):
    layer = lambda name, up: SynthesisLayer(self.features, self.resolution, up, self.clamp,
                                            self.axis_name, name=name)
    if x is None:
      const = self.param('const', nn.initializers.normal(1.0),
                         (self.resolution, self.resolution, self.features))
      x = jnp.broadcast_to(const, (ws.shape[0],) + const.shape)
      rest = ws
    else:
      x = layer('conv0', 2)(x, ws[:, 0], train)
      rest = ws[:, 1:]
    x = layer('conv1', 1)(x, rest[:, 0], train)
    rgb = ToRGB(self.channels, self.clamp, name='torgb')(x, rest[:, 1])
    if image is not None:
      rgb = rgb + upfirdn.upsample2d(image, upfirdn.fir_filter(TAPS))
    return x, rgb


class SynthesisNetwork(nn.Module):
  """ws (N, num_ws, w_dim) -> images, one SynthesisBlock per resolution."""
  image_size: int
  channels: int
  channel_base: int
  channel_max: int
  clamp: float | None = None
  axis_name: str | None = None

  @nn.compact
  def __call__(self, ws, train: bool):
    x = image = None
    for i, res in enumerate(block_resolutions(self.image_size)):
      # Block i's first w is index 2i - 1 (its up-conv); the 4x4 block starts at 0.
      start = max(2 * i - 1, 0)
      block_ws = ws[:, start:start + (2 if i == 0 else 3)]
      block = SynthesisBlock(width(res, self.channel_base, self.channel_max), res,
                             self.channels, self.clamp, self.axis_name, name=f'b{res}')
      x, image = block(x, image, block_ws, train)
    return image


class StyleGAN2Generator(nn.Module):
  """The mapping and synthesis networks. Training mixes styles: with probability
  `style_mixing_prob` a batch's ws from a random layer on come from a second z (rng
  'noise'). `truncation_psi` < 1 applies the truncation trick (sampling only). `styles` and
  `synthesize` are its halves (path-length regularisation differentiates between them)."""
  image_size: int
  channels: int
  z_dim: int
  w_dim: int = 512
  mapping_layers: int = 8
  channel_base: int = 32768
  channel_max: int = 512
  num_classes: int = 0
  style_mixing_prob: float = 0.0
  clamp: float | None = None
  truncation_psi: float = 1.0
  axis_name: str | None = None
  conditioning: str = 'none'  # gan_jax's name for 'conditional on the class label or not'.

  def setup(self):
    self.mapping = MappingNetwork(self.w_dim, self.mapping_layers, self.num_classes,
                                  axis_name=self.axis_name)
    self.synthesis = SynthesisNetwork(self.image_size, self.channels, self.channel_base,
                                      self.channel_max, self.clamp, self.axis_name)

  def __call__(self, z, labels, train: bool):
    return self.synthesize(self.styles(z, labels, train), train)

  def styles(self, z, labels, train: bool, update_w_avg: bool = True):
    """(N, num_ws, w_dim): w for every modulated layer, style-mixed in training."""
    count = num_ws(self.image_size)
    psi = 1.0 if train else self.truncation_psi
    w = self.mapping(z, labels, train, truncation_psi=psi, update_w_avg=update_w_avg)
    ws = jnp.broadcast_to(w[:, None], (w.shape[0], count, self.w_dim))
    if train and self.style_mixing_prob > 0:
      ws = self.mix_styles(ws, z, labels, count)
    return ws

  def synthesize(self, ws, train: bool):
    return self.synthesis(ws, train)

  def mix_styles(self, ws, z, labels, count):
    key_cutoff, key_mix, key_z = jax.random.split(self.make_rng('noise'), 3)
    cutoff = jax.random.randint(key_cutoff, (), 1, count)
    cutoff = jnp.where(jax.random.uniform(key_mix) < self.style_mixing_prob, cutoff, count)
    z_other = per_example_normal(key_z, z.shape[0], z.shape[1:], self.axis_name)
    other = self.mapping(z_other.astype(z.dtype), labels, True, update_w_avg=False)
    return jnp.where((jnp.arange(count) >= cutoff)[None, :, None], other[:, None], ws)


class DiscriminatorBlock(nn.Module):
  """One resolution of D: [fromRGB, the first block only] -> conv 3x3 -> conv 3x3 with 2x FIR
  down-sampling; 'resnet' adds a 1x1 down-sampled shortcut, both paths scaled by sqrt(1/2)."""
  features: int
  out_features: int
  architecture: str = 'resnet'
  clamp: float | None = None

  @nn.compact
  def __call__(self, x, image):
    if x is None:
      x = EqualConv(self.features, 1, 'lrelu', clamp=self.clamp, name='fromrgb')(image)
    half = float(np.sqrt(0.5))
    h = EqualConv(self.features, 3, 'lrelu', clamp=self.clamp, name='conv0')(x)
    conv1 = EqualConv(self.out_features, 3, 'lrelu', down=2, clamp=self.clamp, name='conv1')
    if self.architecture == 'orig':
      return conv1(h)
    skip = EqualConv(self.out_features, 1, down=2, use_bias=False, name='skip')(x, gain=half)
    return skip + conv1(h, gain=half)


class StyleGAN2Discriminator(nn.Module):
  """Blocks from image_size down to 8x8, then the 4x4 epilogue: minibatch std, conv 3x3, FC,
  and the output FC. Conditional: the output is cmap_dim wide and its inner product with a
  mapped label embedding, over sqrt(cmap_dim), is the logit (sg2-ada's projection)."""
  image_size: int
  channel_base: int = 32768
  channel_max: int = 512
  num_classes: int = 0
  architecture: str = 'resnet'
  mbstd_group_size: int = 4
  mbstd_channels: int = 1
  mapping_layers: int = 8
  clamp: float | None = None
  conditioning: str = 'none'

  @nn.compact
  def __call__(self, image, labels, train: bool):
    del train  # No batch norm, no dropout.
    ch = lambda res: width(res, self.channel_base, self.channel_max)
    x = None
    for res in block_resolutions(self.image_size)[::-1][:-1]:
      x = DiscriminatorBlock(ch(res), ch(res // 2), self.architecture, self.clamp,
                             name=f'b{res}')(x, image)
    if self.mbstd_channels:
      x = minibatch_std(x, self.mbstd_group_size, self.mbstd_channels)
    x = EqualConv(ch(4), 3, 'lrelu', clamp=self.clamp, name='b4_conv')(x)
    # Flattened as the reference's NCHW features, so its FC weights apply unchanged.
    x = jnp.transpose(x, (0, 3, 1, 2)).reshape(x.shape[0], -1)
    x = EqualDense(ch(4), 'lrelu', name='b4_fc')(x)
    if not self.num_classes:
      return EqualDense(1, name='b4_out')(x), None
    cmap_dim = ch(4)
    x = EqualDense(cmap_dim, name='b4_out')(x)
    cmap = MappingNetwork(cmap_dim, self.mapping_layers, self.num_classes, w_avg_beta=None,
                          name='mapping')(None, labels, train=False)
    return jnp.sum(x * cmap, axis=-1, keepdims=True) / np.sqrt(cmap_dim), None

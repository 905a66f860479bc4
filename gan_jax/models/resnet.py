"""ResNet G and D of SNGAN (Miyato et al. 2018) and the BigGAN-style variant (Brock et al. 2019).

Widths follow SNGAN: up to 32x32 (CIFAR-10), G has blocks of constant width
`g_features` (256) and D has two down-sampling blocks then two more, all
`d_features` wide (128); from 64x64 (STL/ImageNet), G halves its width at
every up-sampling down to `g_features` at full size and D doubles it at every
down-sampling from `d_features`. The BigGAN-style variant adds a shared class
embedding and hierarchical noise: z is split into one chunk per G block, and
each block's conditional batch norm sees [embedding, chunk]. Self-attention
(either variant) sits after the block that outputs `attention_resolution`.
"""
import flax.linen as nn
import jax.numpy as jnp

from gan_jax.models.dcgan import upsamplings
from gan_jax.models.layers import (DiscriminatorHead, LayerSpec, SelfAttention, class_condition,
                                   generator_input)


def upsample(x):
  """2x nearest-neighbour up-sampling."""
  return jnp.repeat(jnp.repeat(x, 2, axis=1), 2, axis=2)


def downsample(x):
  """2x2 average pooling."""
  return nn.avg_pool(x, (2, 2), (2, 2))


def generator_widths(image_size: int, features: int) -> list[int]:
  """Widths of the 4x4 (or 7x7) input and of each G block's output."""
  stages = upsamplings(image_size)
  if image_size <= 32:
    return [features] * (stages + 1)
  return [features * 2**(stages - i) for i in range(stages + 1)]


def discriminator_plan(image_size: int, features: int) -> list[tuple[int, bool]]:
  """(width, down-sample?) of each D block."""
  stages = upsamplings(image_size)
  if image_size <= 32:
    return [(features, True)] * (stages - 1) + [(features, False)] * 2
  return [(features * 2**i, True) for i in range(stages)] + [(features * 2**stages, False)]


def resolutions(image_size: int) -> dict[str, list[int]]:
  """Spatial size after each G block and each D block (where attention can go)."""
  base = image_size // 2**upsamplings(image_size)
  g_sizes = [base * 2**(i + 1) for i in range(upsamplings(image_size))]
  d_sizes, size = [], image_size
  for _, down in discriminator_plan(image_size, 1):
    size = size // 2 if down else size
    d_sizes.append(size)
  return {'g': g_sizes, 'd': d_sizes}


def attention_here(image_size: int, network: str, block: int, attention_resolution: int) -> bool:
  """Whether self-attention follows `block`: the first block that outputs that resolution."""
  sizes = resolutions(image_size)[network]
  return sizes[block] == attention_resolution and sizes.index(attention_resolution) == block


class GBlock(nn.Module):
  """norm-ReLU-up-conv3-norm-ReLU-conv3, plus an up-sampled 1x1 conv shortcut."""
  features: int
  spec: LayerSpec

  @nn.compact
  def __call__(self, x, cond, train: bool):
    spec = self.spec
    h = upsample(nn.relu(spec.normalize(x, train, cond)))
    h = spec.conv(self.features, 3, h, train, normalized=True)
    h = spec.conv(self.features, 3, nn.relu(spec.normalize(h, train, cond)), train,
                  normalized=True)
    # The sum feeds the next block's normalization, so neither path needs a bias.
    return h + spec.conv(self.features, 1, upsample(x), train, normalized=True)


class DBlock(nn.Module):
  """ReLU-conv3-ReLU-conv3[-pool], shortcut 1x1 conv[-pool]; the first block skips the first
  ReLU and pools before its shortcut conv (SNGAN's OptimizedDisBlock)."""
  features: int
  down: bool
  first: bool
  spec: LayerSpec

  @nn.compact
  def __call__(self, x, train: bool):
    spec = self.spec
    pool = downsample if self.down else (lambda t: t)
    h = x if self.first else nn.relu(spec.normalize(x, train))
    h = spec.conv(self.features, 3, h, train, normalized=True)
    h = pool(spec.conv(self.features, 3, nn.relu(spec.normalize(h, train)), train))
    if self.first:
      return h + spec.conv(self.features, 1, pool(x), train)
    if self.down or x.shape[-1] != self.features:
      return h + pool(spec.conv(self.features, 1, x, train))
    return h + x


class ResNetGenerator(nn.Module):
  image_size: int
  channels: int
  features: int
  spec: LayerSpec = LayerSpec()
  conditioning: str = 'none'
  num_classes: int = 0
  hierarchical: bool = False  # BigGAN: shared class embedding and z chunks per block.
  embedding_dim: int = 128  # biggan's shared class embedding; 'concat': the one joined to z.
  attention_resolution: int = 0  # 0: no self-attention.

  @nn.compact
  def __call__(self, z, labels, train: bool = True):
    spec = self.spec
    widths = generator_widths(self.image_size, self.features)
    base = self.image_size // 2**(len(widths) - 1)
    if self.hierarchical:
      chunks = jnp.array_split(z, len(widths), axis=-1)
      z = chunks[0]
      shared = None
      if self.conditioning == 'cond_batch_norm':
        shared = nn.Embed(self.num_classes, self.embedding_dim, dtype=spec.dtype)(labels)
      conds = [c if shared is None else jnp.concatenate([shared, c.astype(shared.dtype)], -1)
               for c in chunks[1:]]
    else:
      conds = [class_condition(labels, self.conditioning, self.num_classes)] * (len(widths) - 1)
    x = generator_input(z, labels, self.conditioning, self.num_classes, self.embedding_dim)
    x = spec.dense(base * base * widths[0], x, train, normalized=True)
    x = x.reshape((x.shape[0], base, base, widths[0]))
    for i, (width, cond) in enumerate(zip(widths[1:], conds)):
      x = GBlock(width, spec)(x, cond, train)
      if attention_here(self.image_size, 'g', i, self.attention_resolution):
        x = SelfAttention(spec)(x, train)
    x = nn.relu(spec.unconditional.normalize(x, train))
    return jnp.tanh(spec.conv(self.channels, 3, x, train))


class ResNetDiscriminator(nn.Module):
  image_size: int
  features: int
  spec: LayerSpec = LayerSpec()
  conditioning: str = 'none'
  num_classes: int = 0
  attention_resolution: int = 0

  @nn.compact
  def __call__(self, x, labels, train: bool = True):
    for i, (width, down) in enumerate(discriminator_plan(self.image_size, self.features)):
      x = DBlock(width, down, i == 0, self.spec)(x, train)
      if attention_here(self.image_size, 'd', i, self.attention_resolution):
        x = SelfAttention(self.spec)(x, train)
    features = jnp.sum(nn.relu(self.spec.normalize(x, train)), axis=(1, 2))  # Sum pooling.
    return DiscriminatorHead(self.spec, self.conditioning, self.num_classes)(features, labels,
                                                                            train)

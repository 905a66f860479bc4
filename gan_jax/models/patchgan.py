"""pix2pix's PatchGAN discriminator (Isola et al. 2017): a fully convolutional D whose every
output judges one receptive-field-sized patch of its input (for pix2pix, the input and the
output image concatenated on channels), so it models high frequencies and leaves the low
ones to the L1 term. `num_layers` stride-2 convolutions set the patch: 1 -> 16x16,
3 -> 70x70 (the paper's), 5 -> 286x286."""
import flax.linen as nn

from gan_jax.models.layers import LayerSpec, doubling_widths

KERNEL, PADDING = 4, 1  # 4x4 convolutions padded by one pixel, as the paper's.


def layer_plan(num_layers: int, features: int, max_features: int = 512) -> list[tuple[int, int]]:
  """(features, stride) of each convolution: C64 (no norm) - C128 - ... stride 2, then one
  stride-1 C at twice the last width and the stride-1 one-channel output."""
  widths = doubling_widths(num_layers + 1, features, max_features)
  return [(w, 2) for w in widths[:-1]] + [(widths[-1], 1), (1, 1)]


def receptive_field(num_layers: int) -> int:
  """Input pixels (per side) one output sees: 1 + sum of (kernel - 1) x the earlier strides."""
  field, jump = 1, 1
  for _, stride in layer_plan(num_layers, 1):
    field += (KERNEL - 1) * jump
    jump *= stride
  return field


class PatchGANDiscriminator(nn.Module):
  """x [N, H, W, C] -> logits [N, h, w, 1], one per patch. LeakyReLU 0.2; the first and the
  last layers are not normalised."""
  num_layers: int = 3
  features: int = 64
  max_features: int = 512
  spec: LayerSpec = LayerSpec()

  @nn.compact
  def __call__(self, x, train: bool = True):
    plan = layer_plan(self.num_layers, self.features, self.max_features)
    for i, (width, stride) in enumerate(plan):
      normalized = 0 < i < len(plan) - 1
      conv = nn.Conv(width, (KERNEL, KERNEL), strides=(stride, stride),
                     padding=((PADDING, PADDING), (PADDING, PADDING)),
                     use_bias=self.spec.bias(normalized), dtype=self.spec.dtype)
      x = self.spec.weight(conv, x, train)
      if i < len(plan) - 1:
        x = nn.leaky_relu(self.spec.normalize(x, train) if normalized else x, 0.2)
    return x

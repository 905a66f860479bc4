"""SRGAN's discriminator (Ledig et al. 2017), VGG-style: `num_stages` stages of two 3x3
convolutions, stride 1 then stride 2, at doubling widths (the paper's 4 stages: 64, 64/2,
128, 128/2, 256, 256/2, 512, 512/2), each conv - norm - LeakyReLU 0.2 but the first (no
norm), then a dense layer of 16x the first width (1,024) and one logit."""
import flax.linen as nn

from gan_jax.models.layers import LayerSpec, doubling_widths


def conv_plan(num_stages: int, features: int) -> list[tuple[int, int]]:
  """(width, stride) of each convolution: (64, 1), (64, 2), (128, 1), (128, 2), ..."""
  return [(width, stride) for width in doubling_widths(num_stages, features, 8 * features)
          for stride in (1, 2)]


class SRDiscriminator(nn.Module):
  num_stages: int = 4
  features: int = 64
  spec: LayerSpec = LayerSpec('batch_norm')

  @nn.compact
  def __call__(self, x, train: bool = True):
    for i, (width, stride) in enumerate(conv_plan(self.num_stages, self.features)):
      normalized = i > 0
      conv = nn.Conv(width, (3, 3), strides=(stride, stride),
                     use_bias=self.spec.bias(normalized), dtype=self.spec.dtype)
      x = self.spec.weight(conv, x, train)
      x = nn.leaky_relu(self.spec.normalize(x, train) if normalized else x, 0.2)
    x = nn.leaky_relu(nn.Dense(16 * self.features, dtype=self.spec.dtype)(
        x.reshape((x.shape[0], -1))), 0.2)
    return nn.Dense(1, dtype=self.spec.dtype)(x)

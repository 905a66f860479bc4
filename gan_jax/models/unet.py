"""pix2pix's U-Net generator (Isola et al. 2017): an encoder of stride-2 4x4 convolutions
down to a bottleneck and a mirror decoder of 4x4 stride-2 transposed convolutions, each
decoder layer concatenated with the encoder layer of its size (skip connections carry the
low-level structure input and output share). Its only noise is dropout in the first
`dropout_layers` decoder layers, applied in training and in inference alike, as the paper's.

depth: the number of 2x downsamplings; the image size must be divisible by 2^depth (the
paper: 8 at 256x256; MNIST's 28x28: at most 2)."""
import flax.linen as nn
import jax
import jax.numpy as jnp

from gan_jax.models.layers import LayerSpec, doubling_widths


def example_dropout(x: jax.Array, keys: jax.Array, layer: int, rate: float) -> jax.Array:
  """Inverted dropout with each example's mask drawn from its own key (folded with `layer`)."""
  keep = jax.vmap(lambda key: jax.random.bernoulli(jax.random.fold_in(key, layer), 1.0 - rate,
                                                   x.shape[1:]))(keys)
  return jnp.where(keep, x / (1.0 - rate), 0.0).astype(x.dtype)


class UNetGenerator(nn.Module):
  """x [N, H, W, C] in [-1, 1] -> [N, H, W, out_channels] in [-1, 1] (tanh).

  The encoder's first and innermost layers are not normalised (pix2pix's). dropout_keys
  [N] (one key per example, so an example's noise does not depend on its batch or device)
  give the paper's noise; None a deterministic G.
  """
  out_channels: int
  depth: int
  features: int = 64
  max_features: int = 512
  dropout_layers: int = 3
  dropout_rate: float = 0.5
  spec: LayerSpec = LayerSpec()

  @nn.compact
  def __call__(self, x, dropout_keys: jax.Array | None = None, train: bool = True):
    widths = doubling_widths(self.depth, self.features, self.max_features)
    skips = []
    for i, width in enumerate(widths):
      normalized = 0 < i < self.depth - 1
      x = self.spec.conv(width, 4, x if i == 0 else nn.leaky_relu(x, 0.2), train, strides=2,
                         normalized=normalized)
      x = self.spec.normalize(x, train) if normalized else x
      skips.append(x)
    # Up from the bottleneck: to each encoder level's size and width, then its skip.
    for n, i in enumerate(reversed(range(self.depth - 1))):
      x = self.spec.conv_transpose(widths[i], nn.relu(x), train, normalized=True)
      x = self.spec.normalize(x, train)
      if n < self.dropout_layers and dropout_keys is not None:
        x = example_dropout(x, dropout_keys, n, self.dropout_rate)
      x = jnp.concatenate([x, skips[i]], axis=-1)
    return jnp.tanh(self.spec.conv_transpose(self.out_channels, nn.relu(x), train))

"""metric='translation': a translation task's outputs against their ground truth on a split
of derived pairs (config.pairs): mean L1, PSNR and SSIM per image, on the uint8 pixels the
outputs would be saved as (data range 255, every channel), beside the same numbers of the
input itself (`identity_*`: what doing nothing scores, the baseline of restoration).
direction='inverse' scores the way back (image -> derived input: CycleGAN's A -> B)."""
import jax
import numpy as np

from gan_jax.config import fields
from gan_jax.data import paired, pixels
from gan_jax.eval import context
from gan_jax.eval.metrics import image_quality

NEEDS = 'translations'  # predict(state, which, input batches) -> an output batch for each.
INVERSE_NEEDS = 'inverse_translations'  # The same, from images to derived inputs.
# The split translated: its first num_samples pairs; 'forward' (input -> image) or 'inverse'.
FIELDS = {'split': 'test', 'direction': 'forward'}
DIRECTIONS = ('forward', 'inverse')
TINY = {}
BATCH = 250


def needs(ev) -> str:
  return INVERSE_NEEDS if ev.direction == 'inverse' else NEEDS


def check(name: str, ev, config) -> None:
  del config
  fields.one_of(f'evals.{name}.direction', ev.direction, DIRECTIONS)


class ReversedPairs:
  """Pairs the other way round: read -> {'input': the image, 'image': the derived input}."""

  def __init__(self, pairs):
    self.pairs, self.num_examples = pairs, pairs.num_examples
    self.fingerprint = f'reversed {pairs.fingerprint}'

  def read(self, indices: np.ndarray) -> dict:
    read = self.pairs.read(indices)
    return {**read, 'input': read['image'], 'image': read['input']}


def split_pairs(config, split: str, source=None) -> paired.DerivedPairs:
  """The pairs config.pairs derives from `split` (of the classes trained on)."""
  source = context.reference_source(config, split) if source is None else source
  return paired.DerivedPairs(source, config.pairs, config.seed)


def pair_batches(pairs: paired.DerivedPairs, num: int):
  """The first `num` pairs, BATCH at a time: each a read {'input', 'image', 'label'}."""
  for start in range(0, num, BATCH):
    yield pairs.read(np.arange(start, min(start + BATCH, num)))


def translate_split(translate, pairs: paired.DerivedPairs, num: int) -> dict:
  """{'inputs', 'outputs', 'targets', 'labels'} of the first `num` pairs, the images uint8."""
  read = []

  def input_batches():
    for batch in pair_batches(pairs, num):
      read.append(batch)
      yield batch['input']

  outputs = np.concatenate([pixels.to_uint8(out) for out in translate(input_batches())])
  joined = lambda field: np.concatenate([r[field] for r in read])
  return {'inputs': pixels.to_uint8(joined('input')), 'outputs': outputs,
          'targets': pixels.to_uint8(joined('image')), 'labels': joined('label')}


@jax.jit
def _quality(outputs, targets) -> dict:
  outputs, targets = outputs.astype(np.float32), targets.astype(np.float32)
  return {'l1': abs(outputs - targets).mean(axis=(1, 2, 3)) / 255.0,
          'psnr': image_quality.psnr(outputs, targets),
          'ssim': image_quality.ssim(outputs, targets)}


def quality(outputs: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
  """Per image: L1 (on [0, 1]), PSNR (dB) and SSIM of uint8 outputs against uint8 targets."""
  per_batch = [_quality(outputs[i:i + BATCH], targets[i:i + BATCH])
               for i in range(0, len(outputs), BATCH)]
  return {k: np.concatenate([np.asarray(b[k]) for b in per_batch]) for k in per_batch[0]}


def translated(ev, translate, ctx) -> tuple[dict, dict]:
  """translate_split of the first ev.num_samples pairs of ev.split in ev.direction, and the
  protocol that names them."""
  pairs = split_pairs(ctx.config, ev.split, ctx.reference_source(ev.split))
  pairs = ReversedPairs(pairs) if ev.direction == 'inverse' else pairs
  num = min(ev.num_samples, pairs.num_examples)
  protocol = {'split': ev.split, 'direction': ev.direction, 'examples': num,
              'fingerprint': pairs.fingerprint,
              'pairs': {'derivation': ctx.config.pairs.derivation,
                        **paired.params_of(ctx.config.pairs)},
              'seed': ctx.config.seed}
  return translate_split(translate, pairs, num), protocol


def evaluate(ev, translate, which: str, ctx) -> tuple[dict, dict]:
  del which
  t, protocol = translated(ev, translate, ctx)
  ours, identity = quality(t['outputs'], t['targets']), quality(t['inputs'], t['targets'])
  values = {**{k: float(v.mean()) for k, v in ours.items()},
            **{f'identity_{k}': float(v.mean()) for k, v in identity.items()}}
  protocol = {**protocol,
              'pixels': 'uint8 (data range 255), every channel',
              'ssim': f'{image_quality.SSIM_WINDOW}x{image_quality.SSIM_WINDOW} Gaussian, '
                      f'sigma {image_quality.SSIM_SIGMA}, valid positions'}
  return values, protocol

"""metric='translation': a translation task's outputs against their ground truth on a split
of derived pairs (config.pairs): mean L1, PSNR and SSIM per image, on the uint8 pixels the
outputs would be saved as (data range 255, every channel), beside the same numbers of the
input itself (`identity_*`: what doing nothing scores, the baseline of restoration).
direction='inverse' scores the way back (image -> derived input: CycleGAN's A -> B)."""
import functools
import logging
from pathlib import Path

import jax
import numpy as np

from gan_jax.common import files
from gan_jax.common import pixels
from gan_jax.common import plots
from gan_jax.config import fields
from gan_jax.config.errors import ConfigError
from gan_jax.data import paired, unpaired
from gan_jax.eval import context
from gan_jax.eval.metrics import image_quality

NEEDS = 'translations'  # predict(state, which, input batches) -> an output batch for each.
INVERSE_NEEDS = 'inverse_translations'  # The same, from images to derived inputs.
# The split translated: its first num_samples pairs; 'forward' (input -> image) or 'inverse'.
# As SR papers: crop_border pixels cropped on every side and, for RGB, the luma (Y) only.
FIELDS = {'split': 'test', 'direction': 'forward', 'crop_border': 0, 'luma': False}
DIRECTIONS = ('forward', 'inverse')
TINY = {}
BATCH = 250


def needs(ev) -> str:
  return INVERSE_NEEDS if ev.direction == 'inverse' else NEEDS


def check(name: str, ev, config) -> None:
  check_ground_truth(name, ev, config)
  fields.non_negative(config, f'evals.{name}.crop_border')


def check_ground_truth(name: str, ev, config) -> None:
  """ev.direction, and pairs with a ground truth to score against (what every evaluator of
  translations against their pairs needs)."""
  fields.one_of(f'evals.{name}.direction', ev.direction, DIRECTIONS)
  if unpaired.has_two_domains(config.data):
    raise ConfigError(f'config.evals.{name}.metric={ev.metric!r} scores translations against '
                      f'their ground truth, but config.data.name={config.data.name!r} holds two '
                      "unpaired domains and none: drop it and evaluate by FID ('inception').")


def check_data(name: str, ev, ctx) -> None:
  height, width = ctx.reference_source(ev.split).spec.shape[:2]
  height, width = height - 2 * ev.crop_border, width - 2 * ev.crop_border
  if min(height, width) < image_quality.SSIM_WINDOW:
    raise ConfigError(f'config.evals.{name}.metric={ev.metric!r}: SSIM needs images of at least '
                      f'{image_quality.SSIM_WINDOW}x{image_quality.SSIM_WINDOW} pixels, but '
                      f'config.data gives {height}x{width} (crop_border cropped).')


class ReversedPairs:
  """Pairs the other way round: read -> {'input': the image, 'image': the derived input}."""

  def __init__(self, pairs):
    self.pairs, self.num_examples, self.recipe = pairs, pairs.num_examples, pairs.recipe
    self.spec = pairs.spec
    self.fingerprint = f'reversed {pairs.fingerprint}'

  def read(self, indices: np.ndarray) -> dict:
    read = self.pairs.read(indices)
    return {**read, 'input': read['image'], 'image': read['input']}


def split_pairs(config, split: str, source=None):
  """The pairs of `split` (of the classes trained on): config.pairs' derivation of its images,
  or a side-by-side folder's."""
  source = context.reference_source(config, split) if source is None else source
  return paired.pairs_of(source, config.pairs, config.seed)


class InputsOnly:
  """A source's images as inputs with no ground truth (CycleGAN's two datasets): read ->
  {'input'}."""

  def __init__(self, source):
    self.source, self.num_examples = source, source.num_examples

  def read(self, indices: np.ndarray) -> dict:
    return {'input': self.source.read(indices)[0]}


def pair_batches(pairs, num: int):
  """The first `num` pairs, BATCH at a time: each a read {'input', 'image', 'label'}."""
  for start in range(0, num, BATCH):
    yield pairs.read(np.arange(start, min(start + BATCH, num)))


def translate_split(translate, pairs, num: int) -> dict:
  """{'inputs', 'outputs', 'targets', 'labels'} of the first `num` pairs, the images uint8;
  'targets' where `pairs` has them, 'labels' where its dataset is labelled."""
  read = []

  def input_batches():
    for batch in pair_batches(pairs, num):
      read.append(batch)
      yield batch['input']

  outputs = np.concatenate([pixels.to_uint8(out) for out in translate(input_batches())])
  joined = lambda field: np.concatenate([r[field] for r in read])
  translated = {'inputs': pixels.to_uint8(joined('input')), 'outputs': outputs}
  if 'image' in read[0]:
    translated['targets'] = pixels.to_uint8(joined('image'))
    if pairs.spec.num_classes:
      translated['labels'] = joined('label')
  return translated


def write_translations(translators: dict, test_splits, host_state, workdir: Path,
                       options: dict) -> Path:
  """--mode translate: workdir/translations_step_N/<name>.npz ('inputs', 'outputs' and, with
  a ground truth, 'targets', uint8 N x H x W x C, and 'labels') of a whole test split, by
  --generator's weights, and <name>.png (the first 16 as input | output [| target] rows), for
  each prediction of `translators` ({'translations': translate, ...}); test_splits() ->
  {its name: the pairs (or InputsOnly) it translates}."""
  which = options.get('generator') or 'ema'
  out = workdir / f'translations_step_{int(host_state.step):07d}'
  out.mkdir(exist_ok=True)
  splits = test_splits()
  for name, translate in translators.items():
    split = splits[name]
    translated = translate_split(functools.partial(translate, host_state, which), split,
                                 split.num_examples)
    files.write_npz(out / f'{name}.npz', **translated)
    columns = [translated[k][:16] for k in ('inputs', 'outputs', 'targets') if k in translated]
    plots.save_png(plots.column_rows(*columns), out / f'{name}.png')
    logging.info("Wrote the %s weights' %s of %d test images to %s.", which, name,
                 len(translated['outputs']), out)
  return out


@functools.partial(jax.jit, static_argnums=(2, 3))
def _quality(outputs, targets, crop_border: int, luma: bool) -> dict:
  prepare = lambda x: image_quality.crop_border(
      image_quality.luma(x) if luma and x.shape[-1] == 3 else x, crop_border)
  outputs, targets = (prepare(x.astype(np.float32)) for x in (outputs, targets))
  return {'l1': abs(outputs - targets).mean(axis=(1, 2, 3)) / 255.0,
          'psnr': image_quality.psnr(outputs, targets),
          'ssim': image_quality.ssim(outputs, targets)}


def quality(outputs: np.ndarray, targets: np.ndarray, crop_border: int = 0,
            luma: bool = False) -> dict[str, np.ndarray]:
  """Per image: L1 (on [0, 1]), PSNR (dB) and SSIM of uint8 outputs against uint8 targets,
  `crop_border` pixels cropped, on the luma of RGB images if `luma`."""
  per_batch = [_quality(outputs[i:i + BATCH], targets[i:i + BATCH], crop_border, luma)
               for i in range(0, len(outputs), BATCH)]
  return {k: np.concatenate([np.asarray(b[k]) for b in per_batch]) for k in per_batch[0]}


def baseline(inputs: np.ndarray, targets: np.ndarray) -> tuple[str, np.ndarray]:
  """What doing nothing scores: the input itself ('identity'), or, for a smaller input
  (super-resolution), its bicubic upsampling ('bicubic'), as uint8."""
  if inputs.shape == targets.shape:
    return 'identity', inputs
  scale = targets.shape[1] // inputs.shape[1]
  return 'bicubic', pixels.to_uint8(paired.upsample(inputs.astype(np.float32) / 127.5 - 1,
                                                    scale))


def translated(ev, translate, ctx) -> tuple[dict, dict]:
  """translate_split of the first ev.num_samples pairs of ev.split in ev.direction, and the
  protocol that names them."""
  pairs = split_pairs(ctx.config, ev.split, ctx.reference_source(ev.split))
  pairs = ReversedPairs(pairs) if ev.direction == 'inverse' else pairs
  num = min(ev.num_samples, pairs.num_examples)
  protocol = {'split': ev.split, 'direction': ev.direction, 'examples': num,
              'fingerprint': pairs.fingerprint,
              'pairs': pairs.recipe,
              'seed': ctx.config.seed}
  return translate_split(translate, pairs, num), protocol


def evaluate(ev, translate, which: str, ctx) -> tuple[dict, dict]:
  del which
  t, protocol = translated(ev, translate, ctx)
  name, done_nothing = baseline(t['inputs'], t['targets'])
  ours, base = (quality(x, t['targets'], ev.crop_border, ev.luma)
                for x in (t['outputs'], done_nothing))
  values = {**{k: float(v.mean()) for k, v in ours.items()},
            **{f'{name}_{k}': float(v.mean()) for k, v in base.items()}}
  protocol = {**protocol, 'crop_border': ev.crop_border, 'luma': ev.luma, 'baseline': name,
              'pixels': 'uint8 (data range 255), every channel',
              'ssim': f'{image_quality.SSIM_WINDOW}x{image_quality.SSIM_WINDOW} Gaussian, '
                      f'sigma {image_quality.SSIM_SIGMA}, valid positions'}
  return values, protocol

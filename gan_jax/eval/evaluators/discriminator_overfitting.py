"""metric='d_overfitting': has D memorised its training images? (Karras et al. 2020, "Training
Generative Adversarial Networks with Limited Data", section 2: an overfitting D calls its
own training images real and held-out real images fake.)

D, in eval mode and without augmentation, scores the first num_samples images of the split it
trained on (`seen_split`, by default config.data.split) and of a split it never saw
(`held_out_split`). `seen_sign` is the mean sign of its logits on the first, ADA's r_t without
the augmentation; `held_out_sign` the same on the second; `sign_gap` their difference (near 0
for a D that generalises, toward 2 as it memorises); `seen_logit`/`held_out_logit` the mean
logits. D's weights are the same for G's 'ema' and 'raw', so the evaluator runs once."""
import numpy as np

from gan_jax.config.errors import ConfigError

NEEDS = 'discriminate'  # predict(state, which, (images, labels) batches) -> D's logits per batch.
FIELDS = {
    'seen_split': '',  # The images D trained on; '': config.data.split.
    'held_out_split': 'test',  # Real images D never trained on.
}
TINY = {}
BATCH = 500


def check(name: str, ev, config) -> None:
  if ev.generator != 'ema':
    raise ConfigError(f"config.evals.{name}.generator={ev.generator!r}: metric='d_overfitting' "
                      "scores D, whose weights have no EMA; set 'ema' (the default).")
  if config.model.get('pack', 1) > 1:
    raise ConfigError(f"config.evals.{name}.metric='d_overfitting' scores single images, but "
                      f'config.model.pack={config.model.pack} makes D read packs; set pack=1.')


def seen_split(ev, config) -> str:
  return ev.seen_split or config.data.split


def mean_logits_and_signs(discriminate, source, num: int) -> tuple[float, float]:
  """(mean logit, mean sign of the logits) of D on the first `num` examples of `source`."""
  def batches():
    for start in range(0, num, BATCH):
      yield source.read(np.arange(start, min(start + BATCH, num)))
  logits = np.concatenate([np.ravel(out) for out in discriminate(batches())])
  return float(np.mean(logits)), float(np.mean(np.sign(logits)))


def evaluate(ev, discriminate, which: str, ctx) -> tuple[dict, dict]:
  del which
  values, protocol = {}, {'augmentation': 'none', 'd_mode': 'eval'}
  for part, split in (('seen', seen_split(ev, ctx.config)), ('held_out', ev.held_out_split)):
    source = ctx.reference_source(split)
    num = min(ev.num_samples, source.num_examples)
    values[f'{part}_logit'], values[f'{part}_sign'] = mean_logits_and_signs(discriminate,
                                                                            source, num)
    protocol[part] = {'split': split, 'examples': num, 'fingerprint': source.fingerprint}
  values['sign_gap'] = values['seen_sign'] - values['held_out_sign']
  return values, protocol

"""metric='inception': FID, KID, precision/recall, density/coverage (and IS when the weights
have logits) of generated images against the first num_real images of a split."""
import numpy as np

from gan_jax.common.pixels import to_uint8
from gan_jax.config.errors import ConfigError
from gan_jax.eval.metrics import inception_score, suite

NEEDS = 'images'
FIELDS = dict(
    split='test',  # Reference split.
    num_real=10_000,  # Reference examples (the first of the split).
    kid_subsets=100,  # KID subsets.
    kid_subset_size=1_000,  # KID subset size (<= both sample counts).
    prdc_samples=10_000,  # Samples used for precision/recall/density/coverage.
)
TINY = dict(num_real=64, prdc_samples=64, kid_subsets=4, kid_subset_size=32)


def check(name: str, ev, config) -> None:
  for field in ('num_real', 'kid_subsets', 'prdc_samples'):
    if not ev[field] > 0:
      raise ConfigError(f'config.evals.{name}.{field}={ev[field]!r} must be > 0.')
  if not 2 <= ev.kid_subset_size <= min(ev.num_samples, ev.num_real):
    raise ConfigError(f'config.evals.{name}.kid_subset_size={ev.kid_subset_size} must be in '
                      f'[2, min(num_samples, num_real) = {min(ev.num_samples, ev.num_real)}].')
  if min(ev.num_samples, ev.num_real, ev.prdc_samples) < 4:
    raise ConfigError(f'config.evals.{name}: precision/recall (k=3) needs >= 4 samples per set.')


def check_data(name: str, ev, ctx) -> None:
  """At start-up, not at the first evaluation: the reference split is large enough, and the
  Inception weights are at hand (or downloaded now)."""
  available = ctx.reference_source(ev.split).num_examples
  if available is not None and ev.num_real > available:
    raise ConfigError(f'config.evals.{name}.num_real={ev.num_real} exceeds the {available} '
                      f'examples of split {ev.split!r} of {ctx.config.data.name!r}.')
  ctx.extractor  # noqa: B018  Resolves (or downloads) the weights: a clear error now.


def reference_cache_file(ev, ctx):
  """Keyed by the reference's fingerprint, not its name: another dataset of the same name
  (a folder, a re-prepared tfds dataset, Stacked MNIST of another seed) misses the cache."""
  source = ctx.reference_source(ev.split)
  return (ctx.cache_dir / 'reference_features' /
          f'{ctx.config.data.name}_{ev.split}_{ev.num_real}_{source.fingerprint[:16]}_'
          f'{ctx.extractor.sha256[:16]}.npy')


def cost(ev, ctx) -> tuple[int, str]:
  """Images through Inception for one generator: its samples, and the reference once."""
  if reference_cache_file(ev, ctx).exists():
    return ev.num_samples, f'{ev.num_samples:,} samples through Inception (reference cached)'
  return ev.num_samples + ev.num_real, (f'{ev.num_samples:,} samples and {ev.num_real:,} '
                                        f'{ev.split!r} reference images through Inception')


def evaluate(ev, samples, which: str, ctx) -> tuple[dict, dict]:
  from gan_jax.eval import feature_extraction  # The Inception port: only when evaluating.
  extractor = ctx.extractor
  data = ctx.config.data
  source = ctx.reference_source(ev.split)
  reference = {'dataset': data.name, 'split': ev.split, 'num': ev.num_real,
               'image_size': data.image_size, 'examples': f'the first {ev.num_real} of the split',
               'fingerprint': source.fingerprint}
  real = feature_extraction.reference_features(source, ev.num_real, extractor,
                                               reference_cache_file(ev, ctx))
  fake = extractor((to_uint8(b) for b in samples(ev.num_samples)), ev.num_samples,
                   f'the {which} generator')
  n_prdc = min(ev.prdc_samples, len(real), len(fake))
  values = suite.feature_metrics(real, fake, ev.kid_subsets, ev.kid_subset_size, n_prdc)
  values.update(inception_score_values(fake, extractor.logits_head))
  protocol = {'reference': reference, 'num_generated': ev.num_samples,
              'samples': 'uint8-quantised generator outputs', **extractor.protocol(),
              'kid': (f'unbiased MMD^2, cubic kernel, {ev.kid_subsets} subsets of '
                      f'{ev.kid_subset_size}'),
              'prdc': f'k=3 nearest neighbours on the first {n_prdc} real and generated',
              'inception_score': ('softmax of the 1008 logits of the weights file, 10 splits'
                                  if extractor.logits_head else
                                  'not computed: these weights have no logits layer')}
  return values, protocol


def inception_score_values(features: np.ndarray, logits_head) -> dict[str, float]:
  """IS from pool3 features and the network's (weight, bias) classifier; {} without one."""
  if logits_head is None:
    return {}
  weight, bias = logits_head
  mean, std = inception_score.inception_score(features @ weight.T + bias)
  return {'inception_score': mean, 'inception_score_std': std}

"""Inception features of image streams, split over all local devices, with progress."""
import logging
import os
import time
from pathlib import Path
from typing import Iterable

import jax
import numpy as np

from gan_jax.common import pixels
from gan_jax.common import xla_options
from gan_jax.eval import inception, inception_weights

WEIGHTS_ENV = 'GAN_JAX_INCEPTION_WEIGHTS'
PER_DEVICE_BATCH = 50  # Images per device and Inception call.
_REPORT_EVERY_SECONDS = 10.0


def named_weights(path: str | None) -> Path | None:
  """The weights file `path` or $GAN_JAX_INCEPTION_WEIGHTS names (None: neither names one),
  which must exist."""
  path = path or os.environ.get(WEIGHTS_ENV)
  if path and not Path(path).is_file():
    raise FileNotFoundError(f'Inception weights {path!r} not found (config.inception_weights '
                            f'or ${WEIGHTS_ENV}): give a .npz or pytorch-fid .pth file.')
  return Path(path) if path else None


def resolve_weights(path: str | None, cache_dir: Path) -> Path:
  """The weights file: `path`, else $GAN_JAX_INCEPTION_WEIGHTS, else the official pytorch-fid
  file downloaded once (hash-checked) into `cache_dir`."""
  named = named_weights(path)
  if named:
    return named
  try:
    return Path(inception_weights.download_pth(cache_dir))
  except inception_weights.InceptionDownloadError as error:
    pth_name = inception_weights.PTH_URL.rsplit('/', 1)[-1]
    raise inception_weights.InceptionDownloadError(
        f'{error} Offline, pass a local file with --config.inception_weights=PATH or '
        f"${WEIGHTS_ENV}=PATH: an .npz in gan_jax's format or pytorch-fid's {pth_name}."
    ) from error


def load_network(weights: Path) -> tuple[dict, tuple | None]:
  """(the network's params up to pool3, the 1008-way classifier's (weight, bias) or None)
  of a weights file: the offline .npz stops at pool3; pytorch-fid's .pth also holds the
  classifier, which Inception Score needs."""
  if Path(weights).suffix == '.npz':
    return inception_weights.load_npz_params(weights), None
  state_dict = inception_weights.load_torch_state_dict(weights)
  return (inception_weights.params_from_pytorch_fid(state_dict, weights),
          (state_dict['fc.weight'], state_dict['fc.bias']))


class InceptionFeatures:
  """Callable: stream of uint8 (N, H, W, C) batches -> (total, 2048) float32 pool3 features."""

  def __init__(self, weights: Path, per_device_batch: int = PER_DEVICE_BATCH):
    self.weights = Path(weights)
    self.per_device_batch = per_device_batch
    self.params, self.logits_head = load_network(self.weights)
    self.sha256 = inception_weights.weights_sha256(self.weights)
    self._devices = jax.local_device_count()
    mesh = jax.sharding.Mesh(np.array(jax.local_devices()), ('batch',))
    by_example = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec('batch'))
    replicated = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec())
    self.params = jax.device_put(self.params, replicated)  # Once, not per call.
    self._features = jax.jit(inception.inception_features, in_shardings=(replicated, by_example),
                             out_shardings=by_example, compiler_options=xla_options.inception())

  def protocol(self) -> dict:
    return {'feature_network': 'inception-2015-12-05 pool3 (2048-d)',
            'weights_file': self.weights.name, 'weights_sha256': self.sha256,
            'resize': 'TF1 legacy bilinear to 299x299 (as the TF FID graph); grey repeated to RGB',
            'input': 'uint8 pixels, (x - 128) / 128'}

  def _batch_features(self, images: np.ndarray) -> np.ndarray:
    """Features of any batch, at most `per_device_batch` images per device and call.

    Larger calls are memory-bound (the first conv alone holds 1.4 GB for 500
    images): on 2 CPU cores, 500 images per call ran at half the speed of 50.
    A short last chunk is padded to a multiple of the devices only, so a stream
    compiles at most two shapes.
    """
    features = []
    for start in range(0, len(images), self.per_device_batch * self._devices):
      part = images[start:start + self.per_device_batch * self._devices]
      rows = -(-len(part) // self._devices) * self._devices
      padded = np.concatenate([part, np.zeros((rows - len(part),) + part.shape[1:], part.dtype)])
      features.append(np.asarray(self._features(self.params, padded))[:len(part)])
    return np.concatenate(features)

  def __call__(self, batches: Iterable[np.ndarray], total: int, what: str) -> np.ndarray:
    """Fills one (total, 2048) array batch by batch: no list of parts to concatenate (2x)."""
    features = np.empty((total, inception.FEATURE_DIM), np.float32)
    done, start, last_report = 0, time.perf_counter(), time.perf_counter()
    for batch in batches:
      if done + len(batch) > total:
        raise ValueError(f'{what}: the stream holds more than the {total} images announced.')
      features[done:done + len(batch)] = self._batch_features(batch)
      done += len(batch)
      now = time.perf_counter()
      if now - last_report > _REPORT_EVERY_SECONDS or done == total:
        rate = done / (now - start)
        logging.info('Inception features of %s: %d/%d images, %.1f images/s, ETA %.0f s.',
                     what, done, total, rate, (total - done) / rate)
        last_report = now
    if done != total:
      raise ValueError(f'{what}: the stream held {done} images, not the {total} announced.')
    return features


def reference_features(source, num: int, extractor: InceptionFeatures, cache_file: Path,
                       batch_size: int = 500) -> np.ndarray:
  """Features of the first `num` examples of `source`, computed once and cached."""
  if cache_file.exists():
    return np.load(cache_file)
  if source.num_examples is not None and num > source.num_examples:
    raise ValueError(f'The reference has {source.num_examples} examples; {num} were asked for.')
  batches = (pixels.to_uint8(source.read(np.arange(s, min(s + batch_size, num)))[0])
             for s in range(0, num, batch_size))
  features = extractor(batches, num, f'reference ({cache_file.stem})')
  cache_file.parent.mkdir(parents=True, exist_ok=True)
  tmp = cache_file.with_suffix('.tmp.npy')
  np.save(tmp, features)
  os.replace(tmp, cache_file)  # Atomic: a kill never leaves half a cache file.
  return features

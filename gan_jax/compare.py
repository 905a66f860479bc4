"""python -m gan_jax.compare: FID, KID, precision/recall between two image sets
(gan_jax/tools/compare.py)."""
import runpy


def run():
  """The console script gan-jax-compare (pyproject.toml): the same as python -m gan_jax.compare."""
  runpy.run_module('gan_jax.tools.compare', run_name='__main__', alter_sys=True)


if __name__ == '__main__':
  run()

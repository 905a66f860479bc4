"""python -m gan_jax.sweep: runs a sweep file of experiments/ (see gan_jax/tools/sweep.py)."""
import runpy


def run():
  """The console script gan-jax-sweep (pyproject.toml): the same as python -m gan_jax.sweep."""
  runpy.run_module('gan_jax.tools.sweep', run_name='__main__', alter_sys=True)


if __name__ == '__main__':
  run()

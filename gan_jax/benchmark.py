"""python -m gan_jax.benchmark: times a config's train step (see gan_jax/tools/benchmark.py)."""
import runpy


def run():
  """The console script gan-jax-benchmark (pyproject.toml): the same as python -m gan_jax.benchmark."""
  runpy.run_module('gan_jax.tools.benchmark', run_name='__main__', alter_sys=True)


if __name__ == '__main__':
  run()

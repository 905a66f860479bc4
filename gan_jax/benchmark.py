"""python -m gan_jax.benchmark: times a config's train step (see gan_jax/tools/benchmark.py)."""
import runpy

if __name__ == '__main__':
  runpy.run_module('gan_jax.tools.benchmark', run_name='__main__', alter_sys=True)

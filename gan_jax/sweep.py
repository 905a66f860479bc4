"""python -m gan_jax.sweep: runs a sweep file of experiments/ (see gan_jax/tools/sweep.py)."""
import runpy

if __name__ == '__main__':
  runpy.run_module('gan_jax.tools.sweep', run_name='__main__', alter_sys=True)

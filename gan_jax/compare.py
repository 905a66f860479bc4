"""python -m gan_jax.compare: FID, KID, precision/recall between two image sets
(gan_jax/tools/compare.py)."""
import runpy

if __name__ == '__main__':
  runpy.run_module('gan_jax.tools.compare', run_name='__main__', alter_sys=True)

"""python -m gan_jax.classifier: trains and caches the MNIST classifier of Stacked MNIST
(gan_jax/eval/classifier.py)."""
import runpy

if __name__ == '__main__':
  runpy.run_module('gan_jax.eval.classifier', run_name='__main__', alter_sys=True)

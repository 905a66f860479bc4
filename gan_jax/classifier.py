"""python -m gan_jax.classifier: trains and caches the MNIST classifier of Stacked MNIST
(gan_jax/eval/classifier.py)."""
import runpy


def run():
  """The console script gan-jax-classifier (pyproject.toml): the same as python -m gan_jax.classifier."""
  runpy.run_module('gan_jax.eval.classifier', run_name='__main__', alter_sys=True)


if __name__ == '__main__':
  run()

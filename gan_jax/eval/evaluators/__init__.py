"""Evaluators, one module each; gan_jax/eval/registry.py lists them and says what each
declares."""

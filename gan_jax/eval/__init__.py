"""Evaluation: evaluators by name (registry, evaluators/), the FID Inception network, the
metrics on features, the MNIST classifier of Stacked MNIST."""

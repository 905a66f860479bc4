"""The one error of a config gan_jax cannot run with; imports nothing of gan_jax, so every
module can raise it without an import circle."""


class ConfigError(ValueError):
  """A config value gan_jax cannot run with: the message names the field, the value and what
  is accepted."""

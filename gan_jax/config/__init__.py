"""The config language's ground floor: ConfigError (errors) and single-field checks
(fields). The base config and the composed checks know every task, so they live in
gan_jax.run."""

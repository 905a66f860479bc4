"""Configs: the base config and its :tiny shrink (base), the composed checks (checks),
ConfigError (errors) and single-field checks (fields)."""

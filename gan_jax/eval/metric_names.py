"""'<eval>/<metric>[/raw]': how configs, sweeps and reports name one evaluated value."""
from gan_jax.config.errors import ConfigError

GENERATORS = ('ema', 'raw', 'both')  # config.evals.<name>.generator: the weights evaluated.


def metric_name(eval_name: str, metric: str, generator: str) -> str:
  """The inverse of metric_name_parts: '<eval>/<metric>' for the EMA generator, else
  '<eval>/<metric>/<generator>'."""
  name = f'{eval_name}/{metric}'
  return name if generator == 'ema' else f'{name}/{generator}'


def metric_name_parts(text: str) -> tuple[str, str, str] | None:
  """'<eval>/<metric>' (the EMA generator's value) or '<eval>/<metric>/raw' -> (eval, metric,
  generator); None when the text is neither."""
  parts = text.split('/')
  if len(parts) == 2 and all(parts):
    return parts[0], parts[1], 'ema'
  if len(parts) == 3 and parts[0] and parts[1] and parts[2] == 'raw':
    return parts[0], parts[1], 'raw'
  return None


def check_metric_name(field: str, text: str, evals) -> tuple:
  """metric_name_parts of `text`, which must name an eval of `evals` and a generator it runs."""
  parts = metric_name_parts(text)
  if parts is None or parts[0] not in evals:
    raise ConfigError(f"{field}={text!r} must be '<eval>/<metric>' (the EMA generator's value) or "
                      f"'<eval>/<metric>/raw', with an eval of config.evals: {tuple(evals)}.")
  name, metric, generator = parts
  evaluated = evals[name].generator
  if evaluated not in (generator, 'both'):
    other = metric_name(name, metric, evaluated)  # 'ema' or 'raw': not 'both' here.
    raise ConfigError(f"{field}={text!r} is the {generator} generator's value, but "
                      f'config.evals.{name}.generator={evaluated!r}; use {other!r}.')
  return parts

"""--mode eval and --mode sample: metrics and samples of a saved checkpoint."""
import json
import logging
import os
from pathlib import Path

import jax
import ml_collections
import numpy as np

from gan_jax import (checkpointing, evaluation, input_pipeline, mixtures, plots, sampling, train,
                     validation)


def load_checkpoint(config: ml_collections.ConfigDict, workdir: Path, step: int | None):
  """(generator, state) of checkpoint `step` (None: the latest) in `workdir`."""
  validation.check_config(config)
  data_shape = input_pipeline.create_source(config.data, config.seed).spec.shape
  generator, _, _, _, like = train.create_gan(config, data_shape)
  manager = checkpointing.create_manager(workdir, config.train.max_to_keep)
  step = manager.latest_step() if step is None else step
  if step is None:
    raise FileNotFoundError(f'No checkpoint in {workdir / "checkpoints"}.')
  return generator, checkpointing.restore(manager, jax.device_get(like), step)


def write_json(path: Path, payload) -> None:
  tmp = path.with_suffix('.tmp')
  tmp.write_text(json.dumps(payload, indent=2))
  os.replace(tmp, path)  # Atomic: an earlier result is never left half-overwritten.


def evaluate_checkpoint(config: ml_collections.ConfigDict, workdir: str,
                        step: int | None = None) -> Path:
  """Runs every evaluator of config.evals; writes workdir/eval/step_N.json."""
  workdir = Path(workdir)
  if not config.evals:
    raise validation.ConfigError('config.evals is empty: nothing to evaluate.')
  generator, state = load_checkpoint(config, workdir, step)
  evaluation.check_references(config)
  context = evaluation.EvalContext(config, sampling.make_generate_fn(generator))
  step = int(state.step)
  records = [r for name, ev in config.evals.items()
             for r in evaluation.evaluate(name, ev, state, step, context)]
  path = workdir / 'eval' / f'step_{step:07d}.json'
  path.parent.mkdir(exist_ok=True)
  write_json(path, records)
  for r in records:
    logging.info('%s/%s (%s generator, step %d) = %.5g', r['eval'], r['metric'], r['generator'],
                 step, r['value'])
  return path


def write_samples(config: ml_collections.ConfigDict, workdir: str, step: int | None = None,
                  num_samples: int = 10_000, generator_choice: str = 'ema') -> Path:
  """workdir/samples_step_N/: grid.png, interpolation.png (images) and samples.npz."""
  workdir = Path(workdir)
  generator, state = load_checkpoint(config, workdir, step)
  generate = sampling.make_generate_fn(generator)
  out = workdir / f'samples_step_{int(state.step):07d}'
  out.mkdir(exist_ok=True)
  samples = np.concatenate(list(sampling.sample_stream(
      generate, state, generator_choice, num_samples, config.model.z_dim, config.seed)))
  if config.data.name in mixtures.MIXTURES:
    np.savez(out / 'samples.npz', samples=samples)
  else:
    images = sampling.to_uint8(samples)
    np.savez(out / 'samples.npz', images=images)
    plots.save_png(plots.image_grid(samples[:64]), out / 'grid.png')
    rows, steps = 8, 10
    z = sampling.interpolation_noise(config.seed, rows, steps, config.model.z_dim)
    walk = sampling.generate_from(generate, state, generator_choice, z)
    plots.save_png(plots.image_rows(walk, rows), out / 'interpolation.png')
  logging.info('Wrote %d samples of the %s generator at step %d to %s.', num_samples,
               generator_choice, int(state.step), out)
  return out

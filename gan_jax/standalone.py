"""--mode eval and --mode sample: metrics and samples of a saved checkpoint."""
import logging
import os
import zipfile
from pathlib import Path

import jax
import ml_collections
import numpy as np

from gan_jax import (checkpointing, evaluation, input_pipeline, mixtures, models, plots, sampling,
                     train, validation)


def load_checkpoint(config: ml_collections.ConfigDict, workdir: Path, step: int | None):
  """(generator, state) of checkpoint `step` (None: the latest) in `workdir`."""
  validation.check_config(config)
  spec = input_pipeline.create_source(config.data, config.seed).spec
  generator, _, _, _, like = train.create_gan(config, spec.shape, spec.num_classes)
  manager = checkpointing.create_manager(workdir, config.train.max_to_keep)
  step = manager.latest_step() if step is None else step
  if step is None:
    raise FileNotFoundError(f'No checkpoint in {workdir / "checkpoints"}.')
  return generator, checkpointing.restore(manager, jax.device_get(like), step)


def evaluate_checkpoint(config: ml_collections.ConfigDict, workdir: str,
                        step: int | None = None) -> Path:
  """Runs every evaluator of config.evals; writes workdir/eval/step_N.json."""
  workdir = Path(workdir)
  if not config.evals:
    raise validation.ConfigError('config.evals is empty: nothing to evaluate.')
  generator, state = load_checkpoint(config, workdir, step)
  evaluation.check_references(config)
  context = evaluation.EvalContext(config, generator)
  step = int(state.step)
  records = [r for name, ev in config.evals.items()
             for r in evaluation.evaluate(name, ev, state, step, context)]
  path = workdir / 'eval' / f'step_{step:07d}.json'
  path.parent.mkdir(exist_ok=True)
  train.write_json(path, records)  # Atomic: an earlier result is never left half-written.
  for r in records:
    logging.info('%s/%s (%s generator, step %d) = %.5g', r['eval'], r['metric'], r['generator'],
                 step, r['value'])
  return path


def write_npz_stream(path: Path, name: str, batches, num: int) -> None:
  """Writes the stream of arrays `batches` as array `name` of an .npz, one batch at a time.

  Never holds more than one batch (a 50,000-sample npz needs no 50,000-sample
  array); atomic: a kill leaves either the old file or the new one.
  """
  tmp, first = path.with_suffix('.tmp'), None
  with zipfile.ZipFile(tmp, 'w', zipfile.ZIP_STORED, allowZip64=True) as archive:
    with archive.open(f'{name}.npy', 'w', force_zip64=True) as f:
      for batch in batches:
        if first is None:
          first = batch
          header = {'descr': np.lib.format.dtype_to_descr(batch.dtype), 'fortran_order': False,
                    'shape': (num,) + batch.shape[1:]}
          np.lib.format.write_array_header_2_0(f, header)
        f.write(np.ascontiguousarray(batch).tobytes())
  os.replace(tmp, path)


def write_samples(config: ml_collections.ConfigDict, workdir: str, step: int | None = None,
                  num_samples: int = 10_000, generator_choice: str = 'ema') -> Path:
  """workdir/samples_step_N/: samples.npz (streamed), and for images grid.png, interpolation.png."""
  workdir = Path(workdir)
  generator, state = load_checkpoint(config, workdir, step)
  generate = sampling.make_generate_fn(generator)
  out = workdir / f'samples_step_{int(state.step):07d}'
  out.mkdir(exist_ok=True)
  classes = models.conditional_classes(generator)
  stream = sampling.sample_stream(generate, state, generator_choice, num_samples,
                                  config.model.z_dim, config.seed, classes)
  if config.data.name in mixtures.MIXTURES:
    write_npz_stream(out / 'samples.npz', 'samples', stream, num_samples)
  else:
    write_npz_stream(out / 'samples.npz', 'images', map(sampling.to_uint8, stream), num_samples)
    z, labels, rows = sampling.grid_inputs(config.seed, 64, config.model.z_dim, classes)
    grid = sampling.generate_from(generate, state, generator_choice, z, labels)
    plots.save_png(plots.image_grid(grid) if rows is None else plots.image_rows(grid, rows),
                   out / 'grid.png')
    rows, steps = 8, 10
    z = sampling.interpolation_noise(config.seed, rows, steps, config.model.z_dim)
    # Each walk stays in one class: row r in class r (mod classes).
    labels = np.repeat(sampling.balanced_labels(0, rows, classes), steps)
    walk = sampling.generate_from(generate, state, generator_choice, z, labels)
    plots.save_png(plots.image_rows(walk, rows), out / 'interpolation.png')
  logging.info('Wrote %d samples of the %s generator at step %d to %s.', num_samples,
               generator_choice, int(state.step), out)
  return out

"""D's overfitting (the 'd_overfitting' evaluator) at every kept checkpoint of GAN runs, with
each run's own config.json. It restores D's weights alone, so it also reads checkpoints whose
state predates fields added since (`--mode eval` restores the whole state).

python scripts/d_overfitting_of_checkpoints.py --num_samples 1000 WORKDIR [WORKDIR ...]
prints one JSON line per checkpoint: workdir, step and the evaluator's values.
"""
import json
from pathlib import Path

from absl import app, flags

from gan_jax.eval import context, registry
from gan_jax.eval.evaluators import discriminator_overfitting
from gan_jax.run import standalone
from gan_jax.training import checkpointing

flags.DEFINE_integer('num_samples', 1_000, 'Images of each split D scores.')
FLAGS = flags.FLAGS


def overfitting_at_checkpoints(workdir: Path, num_samples: int):
  """Yields {'workdir', 'step', values} for each checkpoint of `workdir`, oldest first."""
  config = standalone.saved_config(workdir)
  built = standalone.build(config)
  ev = registry.eval_config('d_overfitting', every_steps=0, num_samples=num_samples)
  ctx = context.EvalContext(config)
  steps = sorted(int(p.name) for p in (workdir / 'checkpoints').iterdir() if p.name.isdigit())
  for step in steps:
    d_parts = checkpointing.restore_parts(workdir, step, ('d_params', 'd_batch_stats'),
                                          built.state)
    state = built.state.replace(**d_parts)
    discriminate = lambda batches: built.predict['discriminate'](state, 'ema', batches)
    values, _ = discriminator_overfitting.evaluate(ev, discriminate, 'ema', ctx)
    yield {'workdir': str(workdir), 'step': step, **values}


def main(argv):
  for workdir in argv[1:]:
    for record in overfitting_at_checkpoints(Path(workdir), FLAGS.num_samples):
      print(json.dumps(record), flush=True)


if __name__ == '__main__':
  app.run(main)

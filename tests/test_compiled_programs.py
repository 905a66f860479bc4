"""Compiled programs are released: a process that compiles many steps stays bounded."""
import jax
import jax.numpy as jnp
import numpy as np
import optax

from gan_jax.run import loop
from gan_jax.training import compiled_programs
from test_train import load_config


def compile_and_run_step(width: int) -> None:
  """A new small pmapped train step (gradient, pmean, Adam), compiled, run and dropped."""
  tx = optax.adam(1e-3)

  def step(params, opt_state, x):
    loss_fn = lambda p: jnp.mean(jnp.tanh(x @ p['w'])**2)
    grads = jax.lax.pmean(jax.grad(loss_fn)(params), 'batch')
    updates, opt_state = tx.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state

  params = {'w': jnp.ones((3, width))}
  pmapped = jax.pmap(step, 'batch', in_axes=(None, None, 0), out_axes=None)
  jax.block_until_ready(pmapped(params, tx.init(params), np.ones((4, 2, 3), np.float32)))


def test_60_compiled_steps_leave_mappings_and_rss_bounded():
  compiled_programs.release()
  before = compiled_programs.process_memory()
  for width in range(1, 21):  # Unreleased, the toy step leaves ~27 mappings each.
    compile_and_run_step(width)
  kept = compiled_programs.process_memory()
  assert kept['mappings'] - before['mappings'] > 20 * 10, (before, kept)  # The leak is seen.
  compiled_programs.release()
  start = compiled_programs.process_memory()
  for width in range(21, 81):
    compile_and_run_step(width)
    compiled_programs.release()
  end = compiled_programs.process_memory()
  assert end['mappings'] - start['mappings'] < 100, (start, end)  # Unreleased: ~1,600.
  assert end['rss_mib'] - start['rss_mib'] < 100, (start, end)
  assert end['threads'] <= start['threads'], (start, end)


def test_train_and_evaluate_releases_its_programs(tmp_path):
  config = load_config('default')  # :tiny, the 2D MLP GAN.
  loop.train_and_evaluate(config, str(tmp_path / 'first'))
  after_one = compiled_programs.process_memory()
  for run in range(2, 5):
    config.seed = run  # Another run: new data, state and compiled step.
    loop.train_and_evaluate(config, str(tmp_path / f'run{run}'))
  after_four = compiled_programs.process_memory()
  assert after_four['mappings'] - after_one['mappings'] < 100, (after_one, after_four)

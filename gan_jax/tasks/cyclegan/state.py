"""The CycleGAN task's training state: the two Gs (A -> B and B -> A, one optimiser, with an
EMA of their weights), the two Ds (one per domain, one optimiser) and each D's history pool
of generated images."""
from typing import Any

import flax
import flax.linen as nn
import jax
import jax.numpy as jnp
import optax

from gan_jax.tasks.cyclegan import pool

Params = Any
# g_params[name] (the paper's G and F): (the domain it reads, the domain it writes).
G_DOMAINS = {'a_to_b': ('a', 'b'), 'b_to_a': ('b', 'a')}
G_NAMES = tuple(G_DOMAINS)
D_NAMES = ('a', 'b')  # d_params[name] judges domain `name`'s images.


@flax.struct.dataclass
class CycleGANState:
  step: jax.Array
  g_params: Params  # {'a_to_b', 'b_to_a'}.
  ema_g_params: Params  # Evaluated with generator='ema'.
  g_opt_state: optax.OptState
  d_params: Params  # {'a', 'b'}.
  d_opt_state: optax.OptState
  pool_a: jax.Array  # Earlier fakes of domain A shown to D 'a' [pool size, H, W, C].
  pool_b: jax.Array
  pool_filled: jax.Array  # How many entries of each pool hold a fake (both fill together).
  lr_scale: jax.Array  # Multiplies both learning rates; lowered after a divergence restore.


def create_state(rng: jax.Array, generators: dict[str, nn.Module],
                 discriminators: dict[str, nn.Module], g_tx: optax.GradientTransformation,
                 d_tx: optax.GradientTransformation, shapes: dict[str, tuple[int, ...]],
                 pool_size: int) -> CycleGANState:
  """Every network initialised, the pools empty; shapes: each domain's image shape."""
  def init(rng):
    keys = dict(zip(G_NAMES + D_NAMES, jax.random.split(rng, 4)))
    g_params = {name: generators[name].init(keys[name], jnp.zeros((1,) + shapes[reads]),
                                            train=False)['params']
                for name, (reads, _) in G_DOMAINS.items()}
    d_params = {name: discriminators[name].init(keys[name], jnp.zeros((1,) + shapes[name]),
                                                train=False)['params'] for name in D_NAMES}
    (pool_a, filled), (pool_b, _) = (pool.empty(pool_size, shapes[d]) for d in D_NAMES)
    return CycleGANState(
        step=jnp.zeros((), jnp.int32), g_params=g_params, ema_g_params=g_params,
        g_opt_state=g_tx.init(g_params), d_params=d_params, d_opt_state=d_tx.init(d_params),
        pool_a=pool_a, pool_b=pool_b, pool_filled=filled,
        lr_scale=jnp.ones((), jnp.float32))
  state = jax.jit(init)(rng)
  # The EMA gets its own buffers: the state is donated, and jit may return equal outputs as one.
  return state.replace(ema_g_params=jax.tree.map(jnp.copy, state.g_params))

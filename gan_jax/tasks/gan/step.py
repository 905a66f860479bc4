"""The GAN task's per-device step: n_critic D updates, then one G update."""
from typing import Callable

import flax.linen as nn
import jax
import jax.numpy as jnp
import ml_collections
import optax

from gan_jax import models
from gan_jax.common.device_axis import AXIS
from gan_jax.common.example_keys import per_example_keys, per_example_normal
from gan_jax.objectives import ada, augment, losses, packing, path_length, penalties
from gan_jax.tasks.gan.state import GANState
from gan_jax.training import lazy, updates


# Streams folded into a key whose per-example keys (fold_in by index) DiffAugment uses: past
# any batch index, so they never coincide with one.
ADA_STREAM, PL_STREAM = 2**30, 2**30 + 1
# D outputs are reported as probabilities for the cross-entropy losses, raw otherwise.
_PROBABILITY_LOSSES = ('non_saturating', 'minimax')


def per_example_labels(key: jax.Array, batch: int, num_classes: int) -> jax.Array:
  """Uniform class labels of generated examples (zeros for an unconditional GAN)."""
  if num_classes == 0:
    return jnp.zeros((batch,), jnp.int32)
  return jax.vmap(lambda k: jax.random.randint(k, (), 0, num_classes))(per_example_keys(key, batch))


def _apply(module: nn.Module, params, batch_stats, *inputs, noise_key=None):
  """Train-mode forward; returns (output, new batch stats). `noise_key`: the 'noise' rng of
  a network that draws its own (StyleGAN2's per-pixel noise and style mixing)."""
  rngs = {} if noise_key is None else {'noise': noise_key}
  out, mutated = module.apply({'params': params, 'batch_stats': batch_stats}, *inputs,
                              train=True, mutable=['batch_stats'], rngs=rngs)
  return out, mutated.get('batch_stats', batch_stats)


def class_loss(class_logits: jax.Array, labels: jax.Array) -> jax.Array:
  """ACGAN's auxiliary cross-entropy."""
  return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(class_logits, labels))


def clip_weights(params, clip: float):
  """WGAN (Arjovsky et al. 2017): D's weights to [-clip, clip] after each update."""
  return jax.tree.map(lambda p: jnp.clip(p, -clip, clip), params)


PATH_LENGTH_METRICS = ('path_length_penalty', 'path_length')


def lazy_metric_names(config: ml_collections.ConfigDict) -> tuple[str, ...]:
  """The metrics that only every k-th update computes: D's penalties with penalty.interval
  > 1, the path-length penalty's with path_length.interval > 1."""
  names = ()
  if config.penalty.interval > 1:
    names += tuple(name for name in penalties.PENALTIES if config.penalty[name] > 0)
  if config.path_length.weight > 0 and config.path_length.interval > 1:
    names += PATH_LENGTH_METRICS
  return names


def remember_lazy(state: GANState, index: jax.Array, interval: int,
                  values: dict) -> tuple[GANState, dict]:
  """(state with `values` as the latest lazy values where this update computed them, the
  values to log: this update's or the latest). The mean over devices keeps the state
  replicated."""
  if interval == 1:
    return state, values
  values = lazy.latest(index, interval, jax.lax.pmean(values, AXIS),
                       {name: state.lazy_values[name] for name in values})
  return state.replace(lazy_values={**state.lazy_values, **values}), values


def make_step_fn(config: ml_collections.ConfigDict, generator: nn.Module,
                 discriminator: nn.Module, g_tx: optax.GradientTransformation,
                 d_tx: optax.GradientTransformation) -> Callable:
  """The per-device train step (state, batch) -> (state, metrics, finite), to run inside
  gan_jax.training.parallel.pmap_step. `generator`/`discriminator` are built with
  axis_name=AXIS. batch['data'] holds 'image' (n_critic, batch per device, ...) and 'label'
  (n_critic, batch per device); `finite` is updates.finite_flags of the metrics and of
  checked_parts.

  Each step: n_critic D updates, each on a fresh real batch and a fresh fake
  batch; then one G update. The last D update and the G update share one
  forward pass of G, as in PyTorch's DCGAN example: D learns from the fake
  batch, then G's gradient flows back through that same batch (into the
  updated D). D's inputs, real and fake, pass ADA, DiffAugment, then PacGAN packing.
  With an adaptive ADA, every ada_interval steps p moves toward r_t = the mean sign of
  D(real) over those steps reaching ada_target (Karras et al. 2020's heuristic).
  """
  gan_loss = losses.get_loss(config.loss.name)
  weights = {name: w for name in penalties.PENALTIES if (w := config.penalty[name]) > 0}
  interval = config.penalty.interval
  augment_ops = augment.parse_policy(config.augment.policy)
  aug = config.augment
  ada_transforms = ada.PIPELINES.get(aug.ada_pipeline, ())
  ada_adaptive = bool(ada_transforms) and aug.ada_target > 0
  # How far p moves in one adjustment: ada_interval steps' images over ada_speed_images.
  ada_step = config.train.batch_size * aug.ada_interval / aug.ada_speed_images
  pl = config.path_length
  pack = config.model.pack
  acgan = config.model.d_conditioning == 'acgan'
  num_classes = models.conditional_classes(generator)
  z_dim = config.model.z_dim
  n_critic = config.train.n_critic
  as_probability = config.loss.name in _PROBABILITY_LOSSES
  float32 = lambda t: None if t is None else t.astype(jnp.float32)

  def d_inputs(images, key, ada_p):
    """ADA, DiffAugment (one key per example each), then packing."""
    if ada_transforms:
      images = ada.augment(images, jax.random.fold_in(key, ADA_STREAM), ada_p, ada_transforms,
                           AXIS)
    if augment_ops:
      images = augment.augment(images, per_example_keys(key, images.shape[0]), augment_ops)
    return packing.pack(images, pack)

  def discriminate(d_params, d_batch_stats, x, labels):
    """(logits, class logits or None, new batch stats), in float32 whatever the compute dtype."""
    (logits, class_logits), d_batch_stats = _apply(discriminator, d_params, d_batch_stats, x,
                                                   labels)
    return float32(logits), float32(class_logits), d_batch_stats

  def penalty_values(inputs: penalties.PenaltyInputs, d_update_index) -> dict:
    """Each weighted regulariser's value; with an interval k only every k-th update computes them."""
    compute = lambda: {name: penalties.PENALTIES[name](inputs).astype(jnp.float32)
                       for name in weights}
    return lazy.every_kth(d_update_index, interval, compute)

  def d_loss_fn(d_params, state, real, fake, real_labels, fake_labels, key, d_update_index):
    real_in = d_inputs(real, jax.random.fold_in(key, 0), state.ada_p)
    fake_in = d_inputs(fake, jax.random.fold_in(key, 1), state.ada_p)
    real_logits, real_class, d_batch_stats = discriminate(d_params, state.d_batch_stats,
                                                          real_in, real_labels)
    fake_logits, _, d_batch_stats = discriminate(d_params, d_batch_stats, fake_in, fake_labels)
    d_loss = gan_loss.d_loss(real_logits, fake_logits)
    # D learns the classes of real data only: fakes' labels are what G should make.
    classification = class_loss(real_class, real_labels) if acgan else jnp.zeros(())
    anchors = state.lecam_anchors
    if 'lecam' in weights:
      anchors = penalties.update_anchors(anchors, real_logits, fake_logits, AXIS)
    # Penalties see D with this update's batch statistics, frozen.
    d_fn = lambda x, labels: discriminate(d_params, d_batch_stats, x, labels)[0]
    inputs = penalties.PenaltyInputs(
        d_fn, real_in, fake_in, real_labels, fake_labels, real_logits, fake_logits,
        per_example_keys(jax.random.fold_in(key, 2), real_in.shape[0]), anchors)
    values = penalty_values(inputs, d_update_index)
    total = (d_loss + config.loss.acgan_weight * classification +
             sum(interval * weights[name] * values[name] for name in weights))
    return total, (d_batch_stats, anchors, d_loss, classification, values, real_logits,
                   fake_logits)

  def d_update(state: GANState, real, fake, real_labels, fake_labels, key, d_update_index):
    grads, aux = jax.grad(d_loss_fn, has_aux=True)(
        state.d_params, state, real, fake, real_labels, fake_labels, key, d_update_index)
    d_params, d_opt_state = updates.apply_gradients(grads, state.d_params, state.d_opt_state,
                                                    d_tx, state.lr_scale)
    if config.optim.d_weight_clip > 0:
      d_params = clip_weights(d_params, config.optim.d_weight_clip)
    d_batch_stats, anchors, d_loss, classification, values, real_logits, fake_logits = aux
    state = state.replace(d_params=d_params, d_opt_state=d_opt_state,
                          d_batch_stats=d_batch_stats, lecam_anchors=anchors)
    state, values = remember_lazy(state, d_update_index, interval, values)
    read = jax.nn.sigmoid if as_probability else (lambda t: t)
    metrics = {'d_loss': d_loss, 'd_real': jnp.mean(read(real_logits)),
               'd_fake': jnp.mean(read(fake_logits)), **values}
    if acgan:
      metrics['d_class_loss'] = classification
    # ADA's overfitting heuristic (sg2-ada's Loss/signs/real), logged with or without ADA:
    # near 1, D calls (nearly) every real image real, as when it has memorised them.
    metrics['d_real_sign'] = jax.lax.pmean(jnp.mean(jnp.sign(real_logits)), AXIS)
    if ada_adaptive:
      state = state.replace(ada_signs=state.ada_signs + jnp.stack([metrics['d_real_sign'], 1.0]))
    return state, metrics

  def path_length_grads(state: GANState, z, labels, key):
    """(G's gradient of the lazy path-length penalty, its metrics, the new running mean);
    on every batch_shrink-th example (by global index, so 1 device = 4)."""
    z, labels = z[::pl.batch_shrink], labels[::pl.batch_shrink]
    styles_key, synthesis_key, directions_key = jax.random.split(key, 3)

    def loss(g_params):
      variables = {'params': g_params, 'batch_stats': state.g_batch_stats}
      ws = generator.apply(variables, z, labels, train=True, update_w_avg=False,
                           method='styles', rngs={'noise': styles_key})
      synthesize = lambda w: generator.apply(variables, w, train=True, method='synthesize',
                                             rngs={'noise': synthesis_key})
      penalty, mean, batch_mean = path_length.path_length_penalty(
          synthesize, ws, directions_key, state.path_length_mean, pl.decay, AXIS)
      return pl.interval * pl.weight * penalty, (penalty, mean, batch_mean)

    def compute():
      grads, (penalty, mean, batch_mean) = jax.grad(loss, has_aux=True)(state.g_params)
      return grads, dict(zip(PATH_LENGTH_METRICS, (penalty, batch_mean))), mean

    def skip():  # No gradient or metrics; the running mean stays.
      grads, metrics, _ = lazy.zeros_like_result(compute)
      return grads, metrics, state.path_length_mean
    return lazy.every_kth(state.step, pl.interval, compute, skip)

  def g_update(state: GANState, fake, fake_labels, g_vjp: Callable, g_batch_stats, key, z):
    def g_loss_of(fake):
      fake_logits, fake_class, _ = discriminate(state.d_params, state.d_batch_stats,
                                                d_inputs(fake, key, state.ada_p), fake_labels)
      g_loss = gan_loss.g_loss(fake_logits)
      classification = class_loss(fake_class, fake_labels) if acgan else jnp.zeros(())
      return g_loss + config.loss.acgan_weight * classification, (g_loss, classification)
    (_, (g_loss, classification)), fake_grad = jax.value_and_grad(g_loss_of, has_aux=True)(fake)
    (grads,) = g_vjp(fake_grad.astype(fake.dtype))
    metrics = {'g_loss': g_loss}
    if pl.weight > 0:
      pl_grads, pl_metrics, pl_mean = path_length_grads(state, z, fake_labels,
                                                        jax.random.fold_in(key, PL_STREAM))
      grads = jax.tree.map(jnp.add, grads, pl_grads)
      state = state.replace(path_length_mean=pl_mean)
      state, pl_metrics = remember_lazy(state, state.step, pl.interval, pl_metrics)
      metrics |= pl_metrics
    g_params, g_opt_state = updates.apply_gradients(grads, state.g_params, state.g_opt_state,
                                                    g_tx, state.lr_scale)
    ema = updates.update_ema(state.ema_g_params, g_params, state.step, config.train)
    state = state.replace(g_params=g_params, g_opt_state=g_opt_state,
                          g_batch_stats=g_batch_stats, ema_g_params=ema)
    if acgan:
      metrics['g_class_loss'] = classification
    return state, metrics

  def train_step(state: GANState, batch: dict):
    step_key = jax.random.fold_in(state.rng, state.step)
    # (n_critic, batch per device, ...)
    reals, real_labels = batch['data']['image'], batch['data']['label']
    per_device = reals.shape[1]
    keys = [jax.random.fold_in(step_key, i) for i in range(n_critic)]
    noise = lambda key: per_example_normal(jax.random.fold_in(key, 0), per_device, (z_dim,))
    fake_labels_of = lambda key: per_example_labels(jax.random.fold_in(key, 1), per_device,
                                                    num_classes)
    d_key = lambda key: jax.random.fold_in(key, 2)
    g_noise_key = lambda key: jax.random.fold_in(key, 4)
    # A Python loop, not lax.scan: n_critic is small, and XLA:CPU runs convolutions
    # inside a while loop ~5x slower.
    for i in range(n_critic - 1):
      labels = fake_labels_of(keys[i])
      fake, _ = _apply(generator, state.g_params, state.g_batch_stats, noise(keys[i]), labels,
                       noise_key=g_noise_key(keys[i]))
      state, _ = d_update(state, reals[i], fake, real_labels[i], labels, d_key(keys[i]),
                          state.step * n_critic + i)
    z, labels = noise(keys[-1]), fake_labels_of(keys[-1])
    fake, g_vjp, g_batch_stats = jax.vjp(
        lambda g_params: _apply(generator, g_params, state.g_batch_stats, z, labels,
                                noise_key=g_noise_key(keys[-1])),
        state.g_params, has_aux=True)
    state, d_metrics = d_update(state, reals[-1], fake, real_labels[-1], labels, d_key(keys[-1]),
                                state.step * n_critic + n_critic - 1)
    state, g_metrics = g_update(state, fake, labels, g_vjp, g_batch_stats,
                                jax.random.fold_in(keys[-1], 3), z)
    metrics = jax.lax.pmean({**d_metrics, **g_metrics}, AXIS)  # D metrics: the last D update.
    state = state.replace(step=state.step + 1)
    if ada_adaptive:
      state, metrics['ada_rt'] = adjust_ada_p(state)
    if ada_transforms:
      metrics['ada_p'] = state.ada_p
    return state, metrics, updates.finite_flags(metrics, checked_parts(state))

  def adjust_ada_p(state: GANState):
    """Every ada_interval steps: p += ada_step * sign(r_t - target), at least 0; the sign
    sums restart. Returns (state, r_t of the steps since the last adjustment)."""
    r_t = state.ada_signs[0] / jnp.maximum(state.ada_signs[1], 1.0)
    due = state.step % aug.ada_interval == 0
    p = jnp.maximum(state.ada_p + ada_step * jnp.sign(r_t - aug.ada_target), 0.0)
    return state.replace(ada_p=jnp.where(due, p, state.ada_p),
                         ada_signs=jnp.where(due, 0.0, state.ada_signs)), r_t

  return train_step


def checked_parts(state: GANState) -> dict:
  """The parts of the state the divergence guard checks every step, by name. The Adam
  states are left to the loop's check of every float leaf before a save (reading them
  every step costs ~4% of DCGAN-32's step; a NaN moment turns the weights NaN at once)."""
  return {name: getattr(state, name) for name in (
      'g_params', 'd_params', 'ema_g_params', 'g_batch_stats', 'd_batch_stats',
      'lecam_anchors')}

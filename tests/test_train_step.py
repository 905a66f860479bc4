"""The pmapped update: D improves, 4 devices equal 1, n_critic, EMA."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from gan_jax import models
from gan_jax.objectives import losses, packing
from gan_jax.run import base
from gan_jax.tasks.gan import builder, step as gan_step
from gan_jax.tasks.gan.state import create_state
from gan_jax.training import parallel
from test_train import load_config


def tiny_config(model='dcgan', loss='non_saturating', gp_weight=0.0, norm='batch_norm',
                n_critic=1):
  config = base.base_config()
  config.model.name = model
  config.model.z_dim = 8
  config.model.g_features = 8
  config.model.d_features = 8
  config.model.g_layers = config.model.d_layers = 2
  config.model.g_norm = 'batch_norm'
  config.model.d_norm = norm
  config.loss.name = loss
  config.penalty.gp = gp_weight
  config.train.n_critic = n_critic
  config.train.ema_decay = 0.9
  return config


def setup(config, shape, sgd_lr=None, num_classes=0):
  """Models, initial state and pmapped step; Adam from config, or plain SGD at `sgd_lr`."""
  generator, discriminator = models.create_models(config.model, shape, num_classes)
  if sgd_lr is None:
    g_tx, d_tx = builder.create_optimizers(config)
  else:
    g_tx = d_tx = optax.sgd(sgd_lr)
  state = create_state(jax.random.PRNGKey(0), generator, discriminator, g_tx, d_tx,
                       config.model.z_dim, packing.packed_shape(shape, config.model.pack),
                       lazy_names=gan_step.lazy_metric_names(config))
  pmapped_models = models.create_models(config.model, shape, num_classes,
                                        axis_name=parallel.AXIS,
                                        dtype=models.DTYPES[config.train.precision])
  step = parallel.pmap_step(gan_step.make_step_fn(config, *pmapped_models, g_tx, d_tx))
  return generator, discriminator, state, step


def run_step(step, state, images, devices, labels=None, replicas=False):
  """One step on `devices` devices for a global batch `images` (n_critic, B, ...).

  replicas: return the state and metrics of every device (leading axis), not the first one's.
  """
  n_critic, batch = images.shape[:2]
  to_devices = lambda x: np.swapaxes(
      x.reshape((n_critic, devices, batch // devices) + x.shape[2:]), 0, 1)
  labels = np.zeros((n_critic, batch), np.int32) if labels is None else labels
  replicated = parallel.replicate(state, jax.local_devices()[:devices])
  new_state, metrics, finite = step(replicated, {'data': {'image': to_devices(images),
                                                          'label': to_devices(labels)}})
  assert all(parallel.unreplicate(finite).values())
  if replicas:
    return per_device(new_state), per_device(metrics)
  return parallel.unreplicate(new_state), parallel.unreplicate(metrics)


def per_device(tree):
  """Every local device's copy of a replicated pytree, stacked on a leading axis."""
  return jax.tree.map(lambda x: np.stack([np.asarray(s.data) for s in x.addressable_shards]),
                      tree)


def real_images(shape, n_critic=1, batch=16, seed=0):
  return np.random.default_rng(seed).uniform(-1, 1, (n_critic, batch) + shape).astype(np.float32)


def test_step_lowers_d_loss_on_fixed_batch():
  config = tiny_config(model='mlp', norm='none')
  config.optim.d_lr = 1e-2
  shape = (2,)
  generator, discriminator, state, step = setup(config, shape)
  images = real_images(shape)
  z = jax.random.normal(jax.random.PRNGKey(5), (16, 8))
  labels = jnp.zeros((16,), jnp.int32)
  fake, _ = generator.apply({'params': state.g_params, 'batch_stats': state.g_batch_stats}, z,
                            labels, train=True, mutable=['batch_stats'])
  d_loss = losses.get_loss('non_saturating').d_loss

  def d_loss_at(d_params):
    apply = lambda x: discriminator.apply({'params': d_params}, x, labels, train=True)[0]
    return float(d_loss(apply(images[0]), apply(fake)))

  new_state, _ = run_step(step, state, images, 1)
  assert d_loss_at(new_state.d_params) < d_loss_at(state.d_params) - 1e-3


def test_n_critic_d_updates_per_g_update():
  config = tiny_config(model='mlp', norm='none', n_critic=3)
  _, _, state, step = setup(config, (2,))
  new_state, _ = run_step(step, state, real_images((2,), n_critic=3), 2)
  assert int(new_state.step) == 1
  assert int(new_state.d_opt_state[0].count) == 3  # Adam's update counter.
  assert int(new_state.g_opt_state[0].count) == 1


@pytest.mark.parametrize('step_before,decay', [
    (0, 0.1),      # Warm-up: min(0.9, (1 + 0) / (10 + 0)).
    (20, 0.7),     # min(0.9, 21 / 30).
    (1000, 0.9),   # The configured decay once warmed up.
])
def test_ema_after_one_step_is_closed_form(step_before, decay):
  config = tiny_config(model='mlp', norm='none')  # ema_decay 0.9
  _, _, state, step = setup(config, (2,))
  state = state.replace(step=jnp.int32(step_before),
                        ema_g_params=jax.tree.map(lambda p: p + 1.0, state.g_params))
  new_state, _ = run_step(step, state, real_images((2,)), 1)
  expected = jax.tree.map(lambda e0, g1: decay * e0 + (1 - decay) * g1, state.ema_g_params,
                          new_state.g_params)
  jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-6), new_state.ema_g_params,
               expected)


def test_noise_depends_on_step():
  config = tiny_config(model='mlp', norm='none')
  config.optim.g_lr = config.optim.d_lr = 0.0  # Only the noise could change the losses.
  _, _, state, step = setup(config, (2,))
  images = real_images((2,))
  _, first = run_step(step, state, images, 1)
  _, again = run_step(step, state, images, 1)
  _, later = run_step(step, state.replace(step=jnp.int32(7)), images, 1)
  np.testing.assert_array_equal(first['g_loss'], again['g_loss'])
  assert not np.allclose(first['g_loss'], later['g_loss'])


def test_lr_scale_is_adam_at_the_scaled_learning_rates():
  config = tiny_config(model='mlp', norm='none')
  config.optim.g_lr = config.optim.d_lr = 1e-3
  _, _, state, step = setup(config, (2,))
  scaled, _ = run_step(step, state.replace(lr_scale=jnp.float32(0.25)), real_images((2,)), 1)
  config.optim.g_lr = config.optim.d_lr = 2.5e-4
  _, _, _, quarter_lr_step = setup(config, (2,))
  reference, _ = run_step(quarter_lr_step, state, real_images((2,)), 1)
  jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9),
               scaled.replace(lr_scale=jnp.float32(1.0)), reference)


def nonfinite_after_one_step(step, state) -> set[str]:
  replicated = parallel.replicate(state, jax.local_devices()[:1])
  _, _, finite = step(replicated, {'data': {'image': real_images((2,))[None],
                                            'label': np.zeros((1, 1, 16), np.int32)}})
  return {name for name, ok in parallel.unreplicate(finite).items() if not ok}


def test_finite_flags_name_what_is_not_finite():
  config = tiny_config(model='mlp', norm='none')
  _, _, state, step = setup(config, (2,))
  nan_d = state.replace(d_params=jax.tree.map(lambda x: x.at[0].set(np.nan), state.d_params))
  # NaN weights in D: its losses and outputs, and after the update G's weights and their EMA.
  assert {'d_loss', 'd_params', 'g_loss', 'g_params', 'ema_g_params'} <= (
      nonfinite_after_one_step(step, nan_d))
  # Batch statistics are checked too: only eval-mode sampling reads them, so a NaN there
  # would leave the weights finite. (Adam states: the loop's check before a save.)
  config.model.g_norm = 'batch_norm'
  _, _, state, step = setup(config, (2,))
  nan_stats = state.replace(g_batch_stats=jax.tree.map(lambda x: x * np.inf, state.g_batch_stats))
  assert 'g_batch_stats' in nonfinite_after_one_step(step, nan_stats)


# ------------------------------------------------------------------ the zoo's switches

def zoo_config(**fields):
  config = tiny_config(model='resnet', norm='spectral_norm', n_critic=2)
  for dotted, value in fields.items():
    group, field = dotted.split('.')
    config[group][field] = value
  return config


def test_four_devices_equal_one_device_with_the_zoo_switches():
  """Spectral norm, cBN + projection, DiffAugment, R1 and LeCam: one device == four, and the
  power-iteration vectors are identical on every device."""
  config = zoo_config(**{'train.n_critic': 1, 'model.g_conditioning': 'cond_batch_norm',
                         'model.d_conditioning': 'projection',
                         'augment.policy': 'color,translation,cutout',
                         'penalty.r1': 1.0, 'penalty.lecam': 0.1})
  shape = (16, 16, 3)
  _, _, state, step = setup(config, shape, sgd_lr=1e-3, num_classes=10)
  images = real_images(shape)
  labels = np.random.default_rng(1).integers(0, 10, (1, 16)).astype(np.int32)
  one, one_metrics = run_step(step, state, images, 1, labels)
  four, four_metrics = run_step(step, state, images, 4, labels, replicas=True)
  largest_update = max(np.abs(a - b).max() for a, b in zip(jax.tree.leaves(state.d_params),
                                                          jax.tree.leaves(one.d_params)))
  assert largest_update > 1e-3
  u_vectors = {jax.tree_util.keystr(p): v for p, v in
               jax.tree_util.tree_leaves_with_path(four.d_batch_stats) if p[-1].key.endswith('/u')}
  assert u_vectors
  for u in u_vectors.values():  # Bit-identical on all four devices.
    np.testing.assert_array_equal(u, np.broadcast_to(u[0], u.shape))
  four = jax.tree.map(lambda x: x[0], four)
  jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5), one, four)
  assert one.lecam_anchors[0] != 0.0
  for name in ('d_loss', 'g_loss', 'r1', 'lecam'):
    np.testing.assert_allclose(one_metrics[name], four_metrics[name][0], rtol=1e-4, atol=1e-6)


def test_ema_after_k_steps_is_closed_form():
  """Start step 2, half-life of 32 images at batch 16: decay 0.5 ** 0.5 per step, no warm-up."""
  config = tiny_config(model='mlp', norm='none')
  config.train.ema_start_step, config.train.ema_halflife_images = 2, 32
  config.train.batch_size = 16
  config.train.ema_warmup = False
  _, _, state, step = setup(config, (2,))
  decay, expected = 0.5**0.5, None
  for t in range(5):
    state, _ = run_step(step, state, real_images((2,), seed=t), 1)
    g = jax.tree.map(np.asarray, state.g_params)
    expected = g if t < 2 else jax.tree.map(lambda e, p: decay * e + (1 - decay) * p, expected, g)
  assert int(state.step) == 5
  jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7),
               state.ema_g_params, expected)
  assert not np.allclose(jax.tree.leaves(state.ema_g_params)[0], jax.tree.leaves(g)[0])


def test_bfloat16_step_agrees_with_float32():
  """bfloat16 compute, float32 weights: the same update up to bfloat16's 8-bit mantissa."""
  results = {}
  for precision in ('float32', 'bfloat16'):
    config = tiny_config(model='dcgan')
    config.train.precision = precision
    _, _, state, step = setup(config, (16, 16, 1), sgd_lr=1e-2)
    new_state, metrics = run_step(step, state, real_images((16, 16, 1)), 1)
    assert all(x.dtype == jnp.float32 for x in jax.tree.leaves(new_state.g_params))
    results[precision] = state, new_state, metrics
  (start, f32, f32_metrics), (_, bf16, bf16_metrics) = results['float32'], results['bfloat16']
  for name in ('d_loss', 'g_loss'):  # Stated tolerance: 2% on the losses ...
    np.testing.assert_allclose(bf16_metrics[name], f32_metrics[name], rtol=2e-2)
  for network in ('d_params', 'g_params'):  # ... and 10% on the whole update.
    delta = lambda s: np.concatenate([np.ravel(a - b) for a, b in zip(
        jax.tree.leaves(getattr(s, network)), jax.tree.leaves(getattr(start, network)))])
    error = np.linalg.norm(delta(bf16) - delta(f32)) / np.linalg.norm(delta(f32))
    assert error < 0.1, (network, error)


def test_weight_clipping_bounds_every_d_weight():
  config = tiny_config(model='mlp', loss='wasserstein', norm='none')
  config.optim.d_weight_clip = 0.01
  _, _, state, step = setup(config, (2,))
  new_state, _ = run_step(step, state, real_images((2,)), 1)
  weights = np.concatenate([np.ravel(x) for x in jax.tree.leaves(new_state.d_params)])
  assert np.abs(weights).max() == pytest.approx(0.01)
  assert np.abs(jax.tree.leaves(state.d_params)[1]).max() > 0.1  # It did clip.


def test_lazy_r1_logs_its_latest_value_between_computations():
  """Interval 3: update 0 computes R1 and logs it; updates 1 and 2 log update 0's value (a
  log step between computations shows R1, not 0); update 3 computes a new one."""
  config = tiny_config(model='mlp', norm='none')
  config.penalty.r1, config.penalty.interval = 0.5, 3
  _, _, state, step = setup(config, (2,), sgd_lr=1e-2)
  logged = []
  for _ in range(4):
    state, metrics = run_step(step, state, real_images((2,)), 1)
    logged.append(float(metrics['r1']))
  assert logged[0] > 0 and logged[1] == logged[2] == logged[0]
  assert logged[3] != logged[0] and float(state.lazy_values['r1']) == logged[3]


@pytest.mark.parametrize('step_before,equivalent_weight', [(0, 1.0), (1, 0.0)])
def test_lazy_r1_is_k_times_the_weight_every_kth_update(step_before, equivalent_weight):
  """Interval 2, weight 0.5: update 0 is R1 at weight 1; update 1 has no R1."""
  def step_with(weight, interval):
    config = tiny_config(model='mlp', norm='none')
    config.penalty.r1, config.penalty.interval = weight, interval
    _, _, state, step = setup(config, (2,), sgd_lr=1e-2)
    return run_step(step, state.replace(step=jnp.int32(step_before)), real_images((2,)), 1)[0]
  lazy, eager = step_with(0.5, 2), step_with(equivalent_weight, 1)
  jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8),
               lazy.d_params, eager.d_params)
  if step_before == 0:  # And R1 did change the update.
    plain = step_with(0.0, 1)
    assert max(np.abs(a - b).max() for a, b in zip(jax.tree.leaves(plain.d_params),
                                                   jax.tree.leaves(lazy.d_params))) > 1e-5


@pytest.mark.parametrize('step_before', [0, 1])
def test_lazy_path_length_is_k_times_the_weight_every_kth_update(step_before):
  """Interval 2, weight 0.5: G's update 0 is the penalty at weight 1 and moves the running
  mean; update 1 is G's update without it and keeps the mean."""
  def step_with(weight, interval):
    config = load_config('stylegan2_fashion_mnist')
    config.augment.ada_pipeline = ''
    config.path_length.weight, config.path_length.interval = weight, interval
    _, _, state, step = setup(config, (8, 8, 1), sgd_lr=1e-2)
    return run_step(step, state.replace(step=jnp.int32(step_before)),
                    real_images((8, 8, 1), batch=8), 1)
  (lazy, metrics), (eager, _) = step_with(0.5, 2), step_with(1.0 - step_before, 1)
  jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7),
               lazy.g_params, eager.g_params)
  if step_before == 0:
    assert float(lazy.path_length_mean) > 0 and float(metrics['path_length_penalty']) > 0
    plain = step_with(0.0, 1)[0]  # And the penalty did change G's update.
    assert max(np.abs(a - b).max() for a, b in zip(jax.tree.leaves(plain.g_params),
                                                   jax.tree.leaves(lazy.g_params))) > 1e-6
  else:  # The mean stays; the log shows the latest computed penalty (none yet: 0).
    assert float(lazy.path_length_mean) == 0 and float(metrics['path_length_penalty']) == 0


def test_acgan_class_loss_is_cross_entropy():
  logits = jnp.array([[2.0, 0.0, -1.0], [0.5, 0.5, 3.0]])
  labels = jnp.array([0, 1])
  log_softmax = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
  expected = -(log_softmax[0, 0] + log_softmax[1, 1]) / 2
  np.testing.assert_allclose(gan_step.class_loss(logits, labels), expected, rtol=1e-6)


def test_generated_labels_are_uniform_classes():
  draw = jax.vmap(lambda k: gan_step.per_example_labels(k, 2000, 10),
                  axis_name=parallel.AXIS)
  labels = np.asarray(draw(jax.random.PRNGKey(0)[None]))[0]
  counts = np.bincount(labels, minlength=10)
  assert len(counts) == 10 and counts.min() > 150  # 200 expected per class.
  unconditional = jax.vmap(lambda k: gan_step.per_example_labels(k, 5, 0),
                           axis_name=parallel.AXIS)(jax.random.PRNGKey(0)[None])
  np.testing.assert_array_equal(unconditional, 0)


def test_packing_puts_consecutive_samples_side_by_side_in_channels():
  images = np.arange(4 * 2 * 2 * 3, dtype=np.float32).reshape(4, 2, 2, 3)
  packed = np.asarray(packing.pack(images, 2))
  assert packed.shape == (2, 2, 2, 6) == (2,) + packing.packed_shape((2, 2, 3), 2)
  for group in range(2):
    np.testing.assert_array_equal(packed[group], np.concatenate(images[2 * group:2 * group + 2],
                                                                axis=-1))
  points = np.arange(8.0).reshape(4, 2)  # PacGAN's 2D form: (B, 2) -> (B / m, 2 m).
  np.testing.assert_array_equal(packing.pack(points, 4), points.reshape(1, 8))
  np.testing.assert_array_equal(packing.pack(points, 1), points)

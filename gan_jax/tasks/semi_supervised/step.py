"""The semi-supervised task's per-device step: one update of the classifier-discriminator
on a labelled, an unlabelled and a generated batch, then one of G (Improved GAN)."""
from typing import Callable

import flax.linen as nn
import jax
import jax.numpy as jnp
import ml_collections
import optax

from gan_jax.common.device_axis import AXIS
from gan_jax.common.example_keys import per_example_uniform
from gan_jax.objectives import losses, semi_supervised as objectives
from gan_jax.tasks.semi_supervised import config as task_config
from gan_jax.tasks.semi_supervised.state import SemiSupervisedState
from gan_jax.training import updates


def to_unit_interval(images: jax.Array) -> jax.Array:
  """The pipeline's [-1, 1] pixels in [0, 1], the range of G's sigmoid and of the paper's
  data (D's input noise, sigma 0.3, is relative to it)."""
  return (images + 1.0) * 0.5


def make_classify_fns(classifier: nn.Module, feature_layer: str):
  """(classify, features): train-mode forward passes of D with noise key `key`; features
  reads D's layer `feature_layer` through Flax's intermediate capture."""
  def classify(d_params, x, key):
    return classifier.apply({'params': d_params}, x, train=True, rngs={'noise': key})

  def features(d_params, x, key):
    _, captured = classifier.apply({'params': d_params}, x, train=True, rngs={'noise': key},
                                   capture_intermediates=lambda mdl, _: mdl.name == feature_layer,
                                   mutable=['intermediates'])
    return captured['intermediates'][feature_layer]['__call__'][0]
  return classify, features


def make_step_fn(config: ml_collections.ConfigDict, classifier: nn.Module,
                 generator: nn.Module | None, d_tx: optax.GradientTransformation,
                 g_tx: optax.GradientTransformation) -> Callable:
  """(state, batch) -> (state, metrics, finite), inside pmap over AXIS. `classifier` and
  `generator` are built with axis_name=AXIS. batch['labelled'] holds one draw of images and
  labels; with a G, batch['unlabelled'] holds two draws of images: D's unlabelled batch and
  the real batch G's features are matched against.

  As the paper's script: D learns from fakes of one noise draw, then G from another, through
  the updated D; every forward pass of D draws its own noise.
  """
  with_generator = task_config.has_generator(config)
  objective, weight = config.loss.generator, config.loss.unlabelled_weight
  classify, features = make_classify_fns(classifier, config.model.feature_layer)
  z_dim = config.model.z_dim

  def generate(g_params, g_batch_stats, z):
    images, mutated = generator.apply({'params': g_params, 'batch_stats': g_batch_stats}, z,
                                      mutable=['batch_stats'])
    return images, mutated['batch_stats']

  def d_loss_fn(d_params, x_lab, y_lab, x_unl, fake, keys):
    logits_lab = classify(d_params, x_lab, keys[0])
    labelled = objectives.labelled_loss(logits_lab, y_lab)
    metrics = {'labelled_loss': labelled, 'labelled_error': objectives.error_rate(logits_lab, y_lab)}
    if not with_generator:
      return labelled, metrics
    logits_unl, logits_fake = classify(d_params, x_unl, keys[1]), classify(d_params, fake, keys[2])
    unlabelled = objectives.unlabelled_loss(logits_unl, logits_fake)
    metrics |= {'unlabelled_loss': unlabelled,
                'd_real': jnp.mean(jax.nn.sigmoid(objectives.real_logit(logits_unl))),
                'd_fake': jnp.mean(jax.nn.sigmoid(objectives.real_logit(logits_fake)))}
    return labelled + weight * unlabelled, metrics

  def g_loss_fn(g_params, state, d_params, x_match, z, keys):
    fake, g_batch_stats = generate(g_params, state.g_batch_stats, z)
    if objective == task_config.FEATURE_MATCHING:
      real_features = features(d_params, x_match, keys[0])
      loss = objectives.feature_matching_loss(real_features, features(d_params, fake, keys[1]),
                                              AXIS)
    else:
      loss = losses.get_loss(objective).g_loss(
          objectives.real_logit(classify(d_params, fake, keys[1])))
    return loss, g_batch_stats

  def train_step(state: SemiSupervisedState, batch: dict):
    key = jax.random.fold_in(state.rng, state.step)
    keys = [jax.random.fold_in(key, i) for i in range(7)]
    x_lab = to_unit_interval(batch['labelled']['image'][0])
    y_lab = batch['labelled']['label'][0]
    per_device = x_lab.shape[0]
    x_unl = x_match = fake = None
    if with_generator:
      x_unl, x_match = (to_unit_interval(x) for x in batch['unlabelled']['image'])
      z = per_example_uniform(keys[0], per_device, (z_dim,))
      fake = jax.lax.stop_gradient(generate(state.g_params, state.g_batch_stats, z)[0])
    (d_loss, metrics), d_grads = jax.value_and_grad(d_loss_fn, has_aux=True)(
        state.d_params, x_lab, y_lab, x_unl, fake, keys[1:4])
    d_params, d_opt_state = updates.apply_gradients(d_grads, state.d_params, state.d_opt_state,
                                                    d_tx, state.lr_scale)
    ema = updates.update_ema(state.ema_d_params, d_params, state.step, config.train)
    state = state.replace(d_params=d_params, d_opt_state=d_opt_state, ema_d_params=ema)
    metrics['d_loss'] = d_loss
    if with_generator:
      z = per_example_uniform(keys[4], per_device, (z_dim,))
      (g_loss, g_batch_stats), g_grads = jax.value_and_grad(g_loss_fn, has_aux=True)(
          state.g_params, state, d_params, x_match, z, keys[5:7])
      g_params, g_opt_state = updates.apply_gradients(
          g_grads, state.g_params, state.g_opt_state, g_tx, state.lr_scale)
      state = state.replace(g_params=g_params, g_opt_state=g_opt_state,
                            g_batch_stats=g_batch_stats)
      metrics['g_loss'] = g_loss
    metrics = jax.lax.pmean(metrics, AXIS)
    state = state.replace(step=state.step + 1)
    return state, metrics, updates.finite_flags(metrics, checked_parts(state))

  return train_step


def checked_parts(state: SemiSupervisedState) -> dict:
  """What the divergence guard checks every step (Adam states: the loop, before a save)."""
  return {name: getattr(state, name) for name in ('d_params', 'ema_d_params', 'g_params',
                                                   'g_batch_stats')}

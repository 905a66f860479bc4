"""The semi-supervised task's models for the data a run reads: networks, optimizers, state
(with D's data-dependent initialisation), step, the 'classify' prediction and G's pictures."""
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np

from gan_jax.common.device_axis import AXIS
from gan_jax.data import pipeline
from gan_jax.models import improved_gan
from gan_jax.tasks.gan import pictures
from gan_jax.tasks.gan.state import param_count
from gan_jax.tasks.semi_supervised import config as task_config
from gan_jax.tasks.semi_supervised import state as state_lib
from gan_jax.tasks.semi_supervised import step
from gan_jax.training import optimizers
from gan_jax.training.task import Built


def create_networks(config: ml_collections.ConfigDict, image_shape: tuple[int, ...],
                    num_classes: int, axis_name: str | None = None):
  """(classifier, generator or None)."""
  m = config.model
  classifier = improved_gan.ImprovedGANClassifier(num_classes, tuple(m.d_hidden),
                                                  m.d_input_noise, m.d_hidden_noise, axis_name)
  if not task_config.has_generator(config):
    return classifier, None
  return classifier, improved_gan.ImprovedGANGenerator(tuple(image_shape), tuple(m.g_hidden),
                                                       axis_name)


def create_optimizers(config: ml_collections.ConfigDict):
  """(d_tx, g_tx): Adam with the paper's epsilon inside the square root (eps_root)."""
  optim = config.optim
  adam = lambda lr: optimizers.adam(lr, optim, config.train.num_steps, eps=0.0, eps_root=1e-8)
  return adam(optim.d_lr), adam(optim.g_lr)


def init_images(config: ml_collections.ConfigDict, image_shape: tuple[int, ...],
                streams: dict | None) -> np.ndarray:
  """D's data-dependent initialisation batch, in [0, 1]: the first labels.init_examples
  unlabelled training images (the labelled ones for the supervised-only control, which sees
  no other). Without streams (a state only to restore into, or to time) random pixels."""
  num = config.labels.init_examples
  if streams is None:
    return np.random.default_rng(config.seed).uniform(size=(num,) + tuple(image_shape))
  name = 'unlabelled' if 'unlabelled' in streams else 'labelled'
  return np.asarray(step.to_unit_interval(pipeline.first_examples(streams[name], num)[0]))


def build(config: ml_collections.ConfigDict, specs: dict, streams: dict | None = None) -> Built:
  spec = specs['labelled']
  classifier, generator = create_networks(config, spec.shape, spec.num_classes)
  d_tx, g_tx = create_optimizers(config)
  state = state_lib.create_state(jax.random.PRNGKey(config.seed), classifier, generator, d_tx,
                                 g_tx, jnp.asarray(init_images(config, spec.shape, streams),
                                                   jnp.float32), config.model.z_dim)
  step_classifier, step_generator = create_networks(config, spec.shape, spec.num_classes, AXIS)
  predict_labels = jax.jit(lambda params, images: jnp.argmax(classifier.apply(
      {'params': params}, step.to_unit_interval(images), train=False), axis=-1))

  def classify(host_state, which: str, image_batches):
    """Predicted labels of each batch of [-1, 1] images, by the 'ema' or 'raw' D."""
    params = {'ema': host_state.ema_d_params, 'raw': host_state.d_params}[which]
    for images in image_batches:
      yield np.asarray(predict_labels(params, images))

  return Built(
      state=state,
      step_fn=step.make_step_fn(config, step_classifier, step_generator, d_tx, g_tx),
      predict={'classify': classify},
      pictures=make_pictures(config, generator),
      modes={},
      summary=f'D {param_count(state.d_params):,} parameters, '
              f'G {param_count(state.g_params):,} parameters, '
              f'{config.labels.per_class} labels per class')


def make_pictures(config: ml_collections.ConfigDict, generator):
  """(host state, step) -> {'samples': a grid of G's samples} ({} without a G)."""
  if generator is None:
    return lambda host_state, step_number: {}
  z = jax.random.uniform(jax.random.PRNGKey(config.seed), (config.train.num_grid_samples,
                                                           config.model.z_dim))
  sample = jax.jit(lambda params, batch_stats: generator.apply(
      {'params': params, 'batch_stats': batch_stats}, z, mutable=['batch_stats'])[0])
  return lambda host_state, step_number: {'samples': pictures.sample_grid(
      np.asarray(sample(host_state.g_params, host_state.g_batch_stats)) * 2.0 - 1.0)}

"""What the one training loop needs from a task (an objective: GAN, translation, ...).

A task is a `Task` in gan_jax/tasks/<name>/; `config.task` picks it. The loop
(gan_jax.run.loop) reads only what is declared here, and the state's `step`
and `lr_scale`: it never sees the networks or the objective.
"""
import dataclasses
from typing import Any, Callable

import ml_collections


@dataclasses.dataclass(frozen=True)
class Stream:
  """One named input of a task: `draws` global batches of `source` per train step.

  Batches are a pure function of (seed, step), so a resumed run reads exactly
  the data it would have (gan_jax.data.pipeline).
  """
  source: Any  # A gan_jax.data source: .spec, .num_examples, .read(indices), .fingerprint.
  draws: int  # Batches of config.train.batch_size examples per step (GAN: n_critic).
  seed: int  # Seeds this stream's example order.


@dataclasses.dataclass(frozen=True)
class Built:
  """A task's models, made for the data the run reads."""
  state: Any  # Host pytree with .step, .lr_scale and .replace; what restores are shaped like.
  # Per device, inside pmap over gan_jax.training.parallel.AXIS: (state, batch) -> (state,
  # metrics, finite). batch: {stream name: {'image', 'label'}}, each (draws, per device, ...);
  # finite: {name: bool}, one per metric and per part of the state the task checks every step
  # (the divergence guard; the loop checks every float leaf again before a save).
  step_fn: Callable
  # Prediction name ('images', 'points', ...) -> predict(state, variant, num) yielding `num`
  # outputs in batches; evaluators consume these (gan_jax.eval.registry), never the model.
  predict: dict[str, Callable]
  # (host state, step) -> {name: uint8 picture}: written to workdir/<name>/step_N.png and
  # TensorBoard every config.train.eval_every_steps.
  pictures: Callable
  # --mode <name> of a saved checkpoint: (host state, workdir, options) -> the path written.
  modes: dict[str, Callable]
  summary: str  # Logged at start: parameter counts and the like.
  # Frozen networks the training used but never trains nor checkpoints (SRGAN's content
  # network: {'content': {'network', 'layer', 'weights_sha256'}}): every metric's protocol
  # records them.
  frozen: dict = dataclasses.field(default_factory=dict)
  # 'ema' or 'raw' -> how those weights made their predictions (the GAN: G's batch-norm
  # statistics), for every metric's protocol.
  sampling_protocol: Callable[[str], dict] = lambda which: {}

  def protocol(self, which: str) -> dict:
    """What every metric of the `which` weights records about how they were trained and run."""
    frozen = {'frozen_networks': self.frozen} if self.frozen else {}
    return {**frozen, **self.sampling_protocol(which)}


@dataclasses.dataclass(frozen=True)
class Task:
  """A task's declarations. Everything but `build` is cheap: loading or checking a config
  never compiles or imports a network."""
  name: str
  # Adds the task's commented config groups and fields to the base config.
  add_fields: Callable[[ml_collections.ConfigDict], None]
  tiny: Callable[[ml_collections.ConfigDict], None]  # configs/X.py:tiny, the task's part.
  check: Callable[[ml_collections.ConfigDict], None]  # ConfigError; needs no data.
  # Fields (or groups) whose change makes a checkpoint another model.
  architecture_fields: tuple[str, ...]
  predictions: Callable[[ml_collections.ConfigDict], tuple[str, ...]]  # What predict offers.
  draws: Callable[[ml_collections.ConfigDict], dict[str, int]]  # {stream: batches per step}.
  streams: Callable[[ml_collections.ConfigDict], dict[str, Stream]]  # Opens the data.
  # (config, {stream: DataSpec}, global devices) -> None or ConfigError: the data's rules.
  check_data: Callable
  # (config, {stream: DataSpec}, streams or None) -> Built. The streams let a task initialise
  # from data (gan_jax.data.pipeline.first_examples); None: the state is only restored into
  # or timed.
  build: Callable[..., Built]
  modes: tuple[str, ...] = ()  # The keys of Built.modes: --mode values besides train and eval.
  # A batch's image fields (the benchmark's synthetic batch makes them); a paired task's
  # input too, shaped field_shape(config, field, the stream's image shape): by default as the
  # images, super-resolution's inputs smaller.
  image_fields: tuple[str, ...] = ('image',)
  field_shape: Callable = lambda config, field, shape: tuple(shape)

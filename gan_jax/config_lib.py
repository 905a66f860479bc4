"""The base config every file in configs/ starts from, and the `:tiny` shrink.

Config files import `base_config()`, override a few fields and end with
`return maybe_tiny(config, arg)`, so every config accepts `configs/X.py:tiny`.
"""
import ml_collections
from ml_collections.config_dict import placeholder


def base_config() -> ml_collections.ConfigDict:
  """All fields gan_jax reads, with defaults; see configs/default.py."""
  config = ml_collections.ConfigDict()
  config.seed = 0  # Seeds parameters, noise and the data order.

  config.data = ml_collections.ConfigDict()
  config.data.name = 'ring'  # 'ring', 'grid', 'stacked_mnist', 'folder', or any tfds image dataset.
  config.data.split = 'train'  # tfds split to train on.
  config.data.data_dir = placeholder(str)  # tfds data_dir (None: tfds default or $TFDS_DATA_DIR).
  config.data.manual_dir = placeholder(str)  # Local raw files for tfds (None: $GAN_JAX_MANUAL_DIR, else download).
  config.data.path = placeholder(str)  # Image folder for data.name='folder'.
  config.data.image_size = placeholder(int)  # Square side to resize to (None: the dataset's own).
  config.data.channels = placeholder(int)  # Folder images: 1 (grey) or 3 (RGB); None: 3.
  config.data.center_crop = False  # Crop to a centred square before resizing (CelebA).
  config.data.prefetch = 2  # Batches prepared ahead on a host thread and placed on device.

  config.model = ml_collections.ConfigDict()
  config.model.name = 'mlp'  # 'mlp' or 'dcgan'.
  config.model.z_dim = 64  # Length of the generator's noise vector.
  config.model.g_features = 256  # MLP: hidden width of G; DCGAN: channels of G's last hidden layer.
  config.model.d_features = 256  # MLP: hidden width of D; DCGAN: channels of D's first layer.
  config.model.g_layers = 3  # MLP only: hidden layers of G.
  config.model.d_layers = 3  # MLP only: hidden layers of D.
  config.model.g_norm = 'none'  # 'batch_norm' or 'none' in G's hidden layers.
  config.model.d_norm = 'none'  # 'batch_norm' or 'none' in D's hidden layers.

  config.loss = ml_collections.ConfigDict()
  config.loss.name = 'non_saturating'  # non_saturating, minimax, least_squares, hinge, wasserstein.
  config.loss.gp_weight = 0.0  # WGAN-GP gradient-penalty weight (0: off; 'wasserstein' needs > 0).

  config.optim = ml_collections.ConfigDict()
  config.optim.g_lr = 2e-4  # Generator peak learning rate (Adam).
  config.optim.d_lr = 2e-4  # Discriminator peak learning rate (Adam).
  config.optim.b1 = 0.5  # Adam beta1.
  config.optim.b2 = 0.999  # Adam beta2.
  config.optim.schedule = 'constant'  # 'constant', 'linear' (to 0) or 'cosine' (to 0) after warm-up.
  config.optim.warmup_steps = 0  # Linear warm-up steps from 0 to the peak rate.

  config.train = ml_collections.ConfigDict()
  config.train.batch_size = 256  # Global batch (all devices, all hosts) per D update.
  config.train.num_steps = 10_000  # Training steps; each is n_critic D updates and one G update.
  config.train.n_critic = 1  # D updates per G update.
  config.train.ema_decay = 0.999  # EMA of G's weights: decay min(this, (1+t)/(10+t)) at step t.
  config.train.log_every_steps = 100  # Losses and D outputs to TensorBoard and the log.
  config.train.eval_every_steps = 1000  # Sample grid / 2D plot from fixed noise.
  config.train.checkpoint_every_steps = 1000  # Orbax checkpoint interval (and one at the end).
  config.train.max_to_keep = 3  # Checkpoints kept.
  config.train.num_grid_samples = 64  # Images in the sample grid (points in the 2D plot: 2,500).
  config.train.on_divergence = 'stop'  # NaN/Inf in a loss or the weights: 'stop', or 'restore'
                                       # the last checkpoint and go on with lower learning rates.
  config.train.divergence_lr_factor = 0.5  # 'restore': both learning rates are multiplied by this.
  config.train.max_divergence_restores = 3  # 'restore': at most this many per launch, then stop.

  # JAX's multi-host runtime (gan_jax.distributed). 'auto': join when a coordinator is named
  # here or in $JAX_COORDINATOR_ADDRESS, or JAX detects a cluster (TPU pod, SLURM, Open MPI);
  # 'on': must join; 'off': one process. None fields come from the environment.
  config.distributed = ml_collections.ConfigDict()
  config.distributed.mode = 'auto'
  config.distributed.coordinator_address = placeholder(str)  # 'host:port' of process 0.
  config.distributed.num_processes = placeholder(int)
  config.distributed.process_id = placeholder(int)  # 0 .. num_processes - 1.

  # Evaluators by name, each made by gan_jax.evaluation.eval_config(metric, every_steps,
  # num_samples, ...); values go to TensorBoard and workdir/metrics.jsonl with their protocol.
  config.evals = ml_collections.ConfigDict()
  config.best = ml_collections.ConfigDict()
  config.best.metric = ''  # '<eval name>/<metric>' whose best value keeps workdir/best ('' = off).
  config.best.mode = 'min'  # 'min' (FID, KID) or 'max' (precision, modes).
  config.inception_weights = placeholder(str)  # .npz or pytorch-fid .pth (None: env, else download).
  config.cache_dir = '~/.cache/gan_jax'  # Reference features, weights, the MNIST classifier.
  return config


def maybe_tiny(config: ml_collections.ConfigDict, arg: str | None):
  """`configs/X.py:tiny` shrinks any config to a seconds-long smoke run."""
  if not arg:
    return config
  if arg != 'tiny':
    raise ValueError(f"Unknown config argument {arg!r}; accepted: 'tiny' (configs/X.py:tiny).")
  config.model.z_dim = min(config.model.z_dim, 16)
  config.model.g_features = 16
  config.model.d_features = 16
  config.train.batch_size = 16
  config.train.num_steps = 4
  config.train.log_every_steps = 2
  config.train.eval_every_steps = 4
  config.train.checkpoint_every_steps = 2
  config.train.num_grid_samples = 16
  for ev in config.evals.values():
    ev.every_steps = config.train.num_steps
    ev.num_samples = ev.num_real = ev.prdc_samples = 64
    ev.kid_subsets, ev.kid_subset_size = 4, 32
  return config


def dcgan_recipe(config: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
  """Radford et al. 2016: batch norm in G and D, Adam 2e-4 with beta1 0.5, batch 64, z of 100."""
  config.model.name = 'dcgan'
  config.model.z_dim = 100
  config.model.g_features = 64
  config.model.d_features = 64
  config.model.g_norm = 'batch_norm'
  config.model.d_norm = 'batch_norm'
  config.optim.g_lr = 2e-4
  config.optim.d_lr = 2e-4
  config.optim.b1 = 0.5
  config.train.batch_size = 64
  config.train.num_steps = 5_000
  config.train.log_every_steps = 50
  config.train.eval_every_steps = 500
  config.train.checkpoint_every_steps = 500
  return config

"""The base config every file in configs/ starts from, and the `:tiny` shrink.

Config files import `base_config()`, override a few fields and end with
`return maybe_tiny(config, arg)`, so every config accepts `configs/X.py:tiny`.
"""
import ml_collections
from ml_collections.config_dict import placeholder

from gan_jax import evaluation, penalties


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
  config.data.in_memory_mb = 1024  # Hold a tfds split decoded in memory if it fits (0: never).
  # A prepared tfds dataset that does not hold the examples of manual_dir's files (checked for
  # MNIST, Fashion-MNIST, KMNIST) stops the run; True: delete that preparation and make it again.
  config.data.rebuild_invalid = False

  config.model = ml_collections.ConfigDict()
  config.model.name = 'mlp'  # 'mlp', 'dcgan', 'infogan' (Lucic et al.), 'resnet' (SNGAN), 'biggan'.
  config.model.z_dim = 64  # Length of the generator's noise vector.
  config.model.g_features = 256  # MLP: hidden width of G; DCGAN: channels of G's last hidden
                                 # layer; ResNet: see gan_jax/models/resnet.py.
  config.model.d_features = 256  # MLP: hidden width of D; DCGAN, ResNet: D's first width.
  config.model.g_layers = 3  # MLP only: hidden layers of G.
  config.model.d_layers = 3  # MLP only: hidden layers of D.
  config.model.d_maxout_pieces = 1  # MLP only: >1 makes D's units maxout of this many pieces.
  # Normalization of each network: 'none', 'batch_norm', 'layer_norm', 'spectral_norm', or
  # 'spectral_norm+batch_norm' / 'spectral_norm+layer_norm' (both).
  config.model.g_norm = 'none'
  config.model.d_norm = 'none'
  # Class-conditional G: 'none', 'concat' (one-hot label appended to z) or 'cond_batch_norm'
  # (G's batch norms take a scale and shift per class).
  config.model.g_conditioning = 'none'
  config.model.d_conditioning = 'none'  # 'none', 'projection' (Miyato & Koyama) or 'acgan'.
  config.model.pack = 1  # PacGAN: D judges this many samples at once (1: off).
  config.model.attention_resolution = 0  # resnet/biggan: self-attention at this size (0: off).
  config.model.embedding_dim = 128  # biggan: shared class-embedding width.

  config.loss = ml_collections.ConfigDict()
  config.loss.name = 'non_saturating'  # non_saturating, minimax, least_squares, hinge, wasserstein.
  config.loss.acgan_weight = 1.0  # d_conditioning='acgan': weight of the class cross-entropy.

  # Weights of D's regularisers (0: off), one per gan_jax.penalties.PENALTIES entry.
  config.penalty = ml_collections.ConfigDict()
  for name in penalties.PENALTIES:  # Each is defined in gan_jax/penalties.py.
    config.penalty[name] = 0.0
  config.penalty.interval = 1  # Lazy regularisation: every k-th D update, weighted k times.

  config.augment = ml_collections.ConfigDict()
  # DiffAugment ops applied to every input of D, real and fake: '' (off) or a comma list of
  # 'color', 'translation', 'cutout' (the paper's policy: 'color,translation,cutout').
  config.augment.policy = ''

  config.optim = ml_collections.ConfigDict()
  config.optim.g_lr = 2e-4  # Generator peak learning rate (Adam).
  config.optim.d_lr = 2e-4  # Discriminator peak learning rate (Adam).
  config.optim.b1 = 0.5  # Adam beta1.
  config.optim.b2 = 0.999  # Adam beta2.
  config.optim.schedule = 'constant'  # 'constant', 'linear' (to 0) or 'cosine' (to 0) after warm-up.
  config.optim.warmup_steps = 0  # Linear warm-up steps from 0 to the peak rate.
  config.optim.d_weight_clip = 0.0  # WGAN: D's weights clipped to [-c, c] after updates (0: off).

  config.train = ml_collections.ConfigDict()
  config.train.batch_size = 256  # Global batch (all devices, all hosts) per D update.
  config.train.num_steps = 10_000  # Training steps; each is n_critic D updates and one G update.
  config.train.n_critic = 1  # D updates per G update (two time-scales: set optim.d_lr/g_lr).
  config.train.ema_decay = 0.999  # EMA of G's weights: decay per step (see ema_warmup).
  config.train.ema_halflife_images = 0  # If > 0, the decay instead: 0.5 ** (batch / this).
  config.train.ema_start_step = 0  # Until this step the EMA equals G's weights.
  config.train.ema_warmup = True  # Decay min(decay, (1+t)/(10+t)), t counted from the start step.
  config.train.precision = 'float32'  # 'bfloat16': bfloat16 compute, float32 weights and Adam.
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
  # '<eval name>/<metric>' (EMA G) or '<eval name>/<metric>/raw' whose best value keeps
  # workdir/best ('' = off).
  config.best.metric = ''
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
  config.train.n_critic = 1  # Compiles several times faster; n_critic > 1 has its own tests.
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


def sngan_recipe(config: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
  """Miyato et al. 2018 on CIFAR-10: ResNet G (256, batch norm) and D (128, spectral norm),
  hinge loss, 5 D updates per G update, Adam(2e-4, 0, 0.9) decayed linearly, batch 64, z 128."""
  config.data.name = 'cifar10'
  config.model.name = 'resnet'
  config.model.z_dim = 128
  config.model.g_features = 256
  config.model.d_features = 128
  config.model.g_norm = 'batch_norm'
  config.model.d_norm = 'spectral_norm'
  config.loss.name = 'hinge'
  config.optim.g_lr = config.optim.d_lr = 2e-4
  config.optim.b1, config.optim.b2 = 0.0, 0.9
  config.optim.schedule = 'linear'
  config.train.batch_size = 64
  config.train.n_critic = 5
  config.train.num_steps = 50_000
  config.train.log_every_steps = 100
  config.train.eval_every_steps = 2_000
  config.train.checkpoint_every_steps = 2_000
  # FID/KID/precision-recall of 10,000 EMA samples against the 10,000 test images.
  config.evals.fid = evaluation.eval_config('inception', every_steps=10_000, num_samples=10_000)
  config.best.metric = 'fid/fid'
  return config

"""The losses of "Are GANs Created Equal?" (Lucic et al. 2018) on MNIST at a CPU budget: NS,
MM, LS, WGAN-GP and hinge, one seed each, FID at the end of training.

python -m gan_jax.sweep experiments/mnist_losses.py --workdir runs/mnist_losses \
  --set data.manual_dir=../shared/data/mnist \
  --set inception_weights=../shared/data/inception/fid_inception_v3_tf2015_pool3.npz
python -m gan_jax.sweep experiments/mnist_losses.py --workdir runs/mnist_losses --report
(Online, leave out both --set.)

The paper's budget: InfoGAN-style networks (configs/infogan_arch_mnist.py), 20 epochs
(18,750 steps of 64), a 100-setting hyperparameter search per loss, and FID of 10,000
samples against the 10,000 test images. Ours, about 6 minutes a trial on a 2-core CPU:
- the same networks without their two 1,024-wide dense layers (model.name=dcgan: G z ->
  7x7x128 -> ConvT 64 -> ConvT 1; D conv 64 -> conv 128 -> 1), which halves the step;
- 1,000 steps (about 1 epoch); Adam(2e-4, 0.5), the paper's defaults, no search;
- FID of 2,000 EMA samples against the same 10,000 test images. Fewer samples bias FID
  upwards: 2,000 real training digits score 4.09 against them (10,000 score 1.53), from
  scripts/mnist_fid_figures.py --train_sizes=2000.
WGAN-GP as in the paper: gradient penalty 10, 5 D updates per step, and layer norm instead of
batch norm in D (batch norm would mix the examples whose gradients are penalised).
The paper's best FIDs (10k vs 10k): MM 9.8, NS 6.8, LS 7.8, WGAN 6.7, WGAN-GP 20.3.
"""


def get_sweep():
  return dict(
      config='configs/infogan_arch_mnist.py',
      fixed={'model.name': 'dcgan', 'train.num_steps': 1_000,
             'train.checkpoint_every_steps': 500, 'train.eval_every_steps': 500,
             'evals.fid.every_steps': 1_000, 'evals.fid.num_samples': 2_000,
             'evals.fid.prdc_samples': 2_000},
      variants=[{'loss.name': 'non_saturating'},
                {'loss.name': 'minimax'},
                {'loss.name': 'least_squares'},
                {'loss.name': 'wasserstein', 'penalty.gp': 10.0, 'train.n_critic': 5,
                 'model.d_norm': 'layer_norm'},
                {'loss.name': 'hinge'}],
      seeds=[0],
      metric='fid/fid',
      mode='min',
  )

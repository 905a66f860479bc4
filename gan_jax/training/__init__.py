"""What the one training loop (gan_jax.run.loop) runs on, for any task: the task interface,
data parallelism, update helpers, optimizers, checkpoints, preemption and multi-host."""

"""Running a config: the base config every recipe starts from and its :tiny shrink (base),
every check composed (checks), the one training loop (loop) and the modes on a saved
checkpoint (standalone). The floor that knows the tasks: it puts a task's pieces into the
loop that gan_jax.training provides."""

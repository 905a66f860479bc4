"""The one training loop and its parts: the task interface, data parallelism, update helpers,
checkpoints, preemption, multi-host, and the standalone modes."""

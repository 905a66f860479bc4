"""Commands and their pieces: sweeps and their report, the benchmark, FLOPs, compare, the
offline sample photographs."""

"""Input: tfds and folder sources, 2D mixtures, integrity checks and fingerprints, and
batches as a pure function of the step (pipeline)."""

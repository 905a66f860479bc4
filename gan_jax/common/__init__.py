"""The ground floor: small pieces every layer may use (file writing, pixels and pictures, XLA
options, the device axis's name); they import nothing of gan_jax above them."""

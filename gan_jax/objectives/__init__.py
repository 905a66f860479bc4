"""What GANs optimise: losses, D penalties, PacGAN packing, DiffAugment."""

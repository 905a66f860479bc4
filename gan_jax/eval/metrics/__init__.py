"""Sample-quality metrics on feature vectors (numpy, float64 where it matters)."""

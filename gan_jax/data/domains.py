"""CycleGAN's two domains of a config: two datasets, or one dataset's halves with one half
derived (gan_jax.data.unpaired), made from the source config.data names (pipeline)."""
import ml_collections

from gan_jax.data import pipeline, unpaired


def domains(config: ml_collections.ConfigDict, source=None):
  """(domain A, domain B) of config.data's split: two datasets' or derived from `source`
  (config.data's source, made here if not given)."""
  if unpaired.has_two_domains(config.data):
    return tuple(unpaired.domain_source(config.data, config.data.split, d)
                 for d in unpaired.DOMAINS)
  source = pipeline.create_source(config.data, config.seed) if source is None else source
  return unpaired.derived_domains(source, config.pairs, config.seed, config.unpaired.split_seed)


def domain_b_inputs(config: ml_collections.ConfigDict, split: str):
  """Domain B's images of `split`, the inputs of B -> A: a dataset's, or every image of the
  split derived."""
  if unpaired.has_two_domains(config.data):
    return unpaired.domain_source(config.data, split, 'B')
  data = ml_collections.ConfigDict(config.data.to_dict())
  data.split = split
  return unpaired.DerivedSource(pipeline.create_source(data, config.seed), config.pairs,
                                config.seed)

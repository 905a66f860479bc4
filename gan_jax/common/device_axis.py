"""The name of pmap's device axis: batch norm and pmean reduce over it in every layer."""
AXIS = 'batch'

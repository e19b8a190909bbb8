"""Numerics only: floats and ndarrays in SI units, compiled kernels, no I/O."""

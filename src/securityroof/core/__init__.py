"""Numerics only: floats and ndarrays in SI units, compiled kernels, no I/O.

Importing the package registers the one-line notice printed while numba
compiles its kernels on first use (`securityroof.compiling`): every kernel
lives here, so every way in (the command line, the library, a benchmark)
gets the notice without asking for it.
"""

from securityroof.compiling import announce_compilation

announce_compilation()

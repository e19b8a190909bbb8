"""The trajectory shapes a threat may fly.

Kept apart from the scenario and flight modules, which load pydantic and the
numerical kernels, so that the command line can name the shapes in its help
without loading either.
"""

from __future__ import annotations

from typing import Literal, get_args

Shape = Literal["minimum-energy", "lofted", "depressed"]
SHAPES: tuple[Shape, ...] = get_args(Shape)

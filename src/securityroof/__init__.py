"""Security Roof: an open, physics-based platform for a jointly run missile defence.

The library's functions (`fly`, `engagements`, `footprint`, `stability`, ...)
live in `securityroof.api` and are offered here too. They are imported on
first use (PEP 562), so that ``import securityroof`` and the ``roof``
command start without loading numba, scipy or pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from securityroof.api import *  # noqa: F403

_API = frozenset(
    {
        "Assessment",
        "Engagements",
        "Envelope",
        "Footprint",
        "Raid",
        "RoofError",
        "Scenario",
        "Sharing",
        "Stability",
        "Trajectory",
        "assess",
        "default_scenario",
        "engagements",
        "envelope",
        "fly",
        "footprint",
        "load_scenario",
        "raid",
        "sharing",
        "stability",
    }
)


def __getattr__(name: str) -> Any:
    if name in _API:
        from securityroof import api

        return getattr(api, name)
    raise AttributeError(f"module 'securityroof' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})

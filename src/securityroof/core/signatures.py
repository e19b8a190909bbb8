"""What a radar sees of a missile: objects over time, and their cross sections by band.

A threat is not one object. It is, in order:

- the **booster** (body and plume) from launch to burnout;
- after burnout, the **upper stage** (the spent final stage) and the
  **bus** (post-boost vehicle), which travel near the warhead through the
  exo-atmospheric midcourse and are gone (slowed and burnt) once the warhead
  descends through `ACCOMPANY_FLOOR_M`;
- the **re-entry vehicle** (RV), from burnout to impact; for a missile whose
  warhead does not separate (Scud-class) it is the whole spent body, and the
  upper stage and bus do not exist.

Each object has a radar cross section in each band (`BANDS`); a radar
detects the threat at a sample when it detects *any* object present then
(an early-warning or cueing detection), and holds a fire-control track
only on the RV (`securityroof.core.detection`).

The objects fly together here: their positions are those of the RV's
trajectory. The spread of the spent stage and bus from the RV (tens to
hundreds of kilometres late in midcourse) is far below the detection ranges
and does not change what a radar sees at this fidelity.

The radar range law uses the fourth root of the cross section, so the
kernels carry ``rcs ** 0.25`` ("root cross sections") rather than the
cross sections themselves.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "ACCOMPANY_FLOOR_M",
    "BANDS",
    "BAND_S",
    "BAND_UHF",
    "BAND_VHF",
    "BAND_X",
    "NO_BAND",
    "N_BANDS",
    "N_OBJECTS",
    "OBJECTS",
    "OBJECT_BOOSTER",
    "OBJECT_BUS",
    "OBJECT_RV",
    "OBJECT_UPPER_STAGE",
    "root_cross_sections",
]

# Radar frequency bands (IEEE Std 521 letter designations).
BAND_VHF, BAND_UHF, BAND_S, BAND_X = range(4)
BANDS = ("VHF", "UHF", "S", "X")
N_BANDS = 4
NO_BAND = -1  # infrared sensors

OBJECT_BOOSTER, OBJECT_UPPER_STAGE, OBJECT_BUS, OBJECT_RV = range(4)
OBJECTS = ("booster", "upper_stage", "bus", "rv")
N_OBJECTS = 4

# The spent stage and bus accompany the RV until it descends through this
# altitude (m): lighter, blunter and tumbling, they decelerate and break up
# high in the atmosphere, well above the RV (the upper edge of the
# atmosphere as the engagement model uses it for exo-atmospheric kill
# vehicles, about 100 km).
ACCOMPANY_FLOOR_M = 100_000.0


def root_cross_sections(rcs_m2: np.ndarray) -> np.ndarray:
    """Fourth roots of cross sections, the form the detection kernels read.

    Parameters
    ----------
    rcs_m2 : array_like, shape (..., N_OBJECTS, N_BANDS)
        Radar cross section of each object in each band, m²; 0 for an object
        that does not exist (it is then never seen).

    Returns
    -------
    ndarray
        ``rcs_m2 ** 0.25``, m^(1/2), the same shape; raises ValueError for a
        negative or non-finite value.
    """
    rcs = np.asarray(rcs_m2, dtype=np.float64)
    if rcs.shape[-2:] != (N_OBJECTS, N_BANDS):
        raise ValueError(f"rcs_m2 must end in ({N_OBJECTS}, {N_BANDS}) (objects, bands)")
    if not np.all(np.isfinite(rcs)) or np.any(rcs < 0.0):
        raise ValueError("cross sections must be finite and not negative, in m²")
    return np.asarray(rcs**0.25)

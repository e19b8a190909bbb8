"""Radar signatures: the cross section of each object of a threat in each band.

Schema of `catalog/signatures.toml`: *classes* of objects (a solid ICBM
booster, a spent upper stage, a post-boost bus, a modern RV, ...) with a
sourced cross section in each radar band, and for each missile the class of
each of its objects (`securityroof.core.signatures` describes the objects
and when each is present). A missile whose warhead does not separate has no
upper stage or bus: its RV class is that of the spent body.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, model_validator

from securityroof.core.signatures import BANDS, N_BANDS, N_OBJECTS, OBJECTS
from securityroof.model.quantity import Case, Quantity

_STRICT = ConfigDict(extra="forbid", frozen=True)


class SignatureClass(BaseModel):
    """One kind of object and its radar cross section in each band (m²)."""

    model_config = _STRICT

    name: str
    vhf: Quantity
    uhf: Quantity
    s: Quantity
    x: Quantity
    notes: str = ""

    @model_validator(mode="after")
    def _positive(self) -> SignatureClass:
        for band in ("vhf", "uhf", "s", "x"):
            q: Quantity = getattr(self, band)
            if (q.low if q.low is not None else q.nominal) <= 0.0:
                raise ValueError(f"{band}: a cross section must be above 0 m²")
        return self

    def by_band(self) -> tuple[Quantity, ...]:
        """The four cross sections in the order of `BANDS`."""
        return (self.vhf, self.uhf, self.s, self.x)


class MissileSignature(BaseModel):
    """Which class each object of one missile belongs to (None: no such object)."""

    model_config = _STRICT

    booster: str
    upper_stage: str | None = None
    bus: str | None = None
    rv: str

    def classes(self) -> tuple[str | None, ...]:
        """Class ids in the order of `securityroof.core.signatures.OBJECTS`."""
        return tuple(getattr(self, name) for name in OBJECTS)


def cross_sections(
    signature: MissileSignature, classes: dict[str, SignatureClass], case: Case = "nominal"
) -> np.ndarray:
    """(N_OBJECTS, N_BANDS) cross sections of one missile at a threat case, m².

    The capability case of a threat: "high" takes each cross section at the
    small end of its range (a harder target to see), "low" at the large end.
    Absent objects are 0.
    """
    out = np.zeros((N_OBJECTS, N_BANDS))
    for o, class_id in enumerate(signature.classes()):
        if class_id is None:
            continue
        for b, q in enumerate(classes[class_id].by_band()):
            out[o, b] = q.capability(case, larger_is_more_capable=False)
    return out


__all__ = ["BANDS", "MissileSignature", "SignatureClass", "cross_sections"]

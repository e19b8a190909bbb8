"""Catalog numbers: a nominal value, an optional uncertainty range, and a source."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

Case = Literal["low", "nominal", "high"]
CASES: tuple[Case, ...] = ("low", "nominal", "high")


class Quantity(BaseModel):
    """One sourced number: `{ nominal = 1.0, low = 0.9, high = 1.2, source = "key" }`.

    `source` is a key of the file's [sources] table. `low` and `high` default
    to the nominal value; analyses sweep them as the low/nominal/high cases.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    nominal: float
    """The value analyses use by default."""
    low: float | None = None
    """The low end of the uncertainty range (default: nominal)."""
    high: float | None = None
    """The high end of the uncertainty range (default: nominal)."""
    source: str
    """Where the number comes from: a key of the catalog file's [sources] table
    (in a scenario, any text)."""

    @model_validator(mode="after")
    def _ordered_and_finite(self) -> Quantity:
        for name in ("nominal", "low", "high"):
            value = getattr(self, name)
            if value is not None and not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {value}")
        if self.low is not None and self.low > self.nominal:
            raise ValueError(f"low ({self.low}) is above nominal ({self.nominal})")
        if self.high is not None and self.high < self.nominal:
            raise ValueError(f"high ({self.high}) is below nominal ({self.nominal})")
        return self

    def value(self, case: Case = "nominal") -> float:
        """The value for one case of the uncertainty range."""
        if case == "low" and self.low is not None:
            return self.low
        if case == "high" and self.high is not None:
            return self.high
        return self.nominal

    def capability(self, case: Case, *, larger_is_more_capable: bool) -> float:
        """The value for a capability case: "high" is the end of the range that
        makes the missile, sensor or interceptor more capable, "low" the other."""
        if case == "nominal":
            return self.nominal
        larger = (case == "high") == larger_is_more_capable
        return self.value("high" if larger else "low")


def positive(quantity: Quantity | None, name: str) -> None:
    """Raise ValueError (for pydantic to report with its key path) unless > 0."""
    if quantity is None:
        return
    smallest = quantity.low if quantity.low is not None else quantity.nominal
    if smallest <= 0:
        raise ValueError(f"{name} must be positive, got {smallest}")

"""Small pieces shared by every record shape (no heavy imports), and the one
rule that turns a nested record into flat table columns."""

from __future__ import annotations

import math
from typing import Any


def number_or_none(value: float | None) -> float | None:
    """JSON has no infinities: None for them and for NaN."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def interval_record(value: tuple[float, float, float] | None) -> dict[str, float] | None:
    """An estimate with its 95 % interval, as {"p", "low", "high"}."""
    if value is None:
        return None
    return {"p": value[0], "low": value[1], "high": value[2]}


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """The table row of a nested record: a nested object's keys are joined to
    its own with "_" (``{"intercept_altitude": {"min_km": 70.0}}`` gives the
    column ``intercept_altitude_min_km``); lists and plain values stay as they
    are. Records keep the same keys whatever their values, so every row of a
    table has the same columns."""
    row: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            row.update(flatten(value, f"{name}_"))
        else:
            row[name] = value
    return row

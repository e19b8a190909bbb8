"""Small pieces of the JSON records, shared by every record shape (no heavy imports)."""

from __future__ import annotations

import math


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

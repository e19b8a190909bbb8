""" "What you would need to believe": the table that `roof stability` prints
and the report shows, built once for both.

Each row assumes that every battery held a fire-control track as early as
one sensor of the scenario actually tracks the threats (the satellites in
stereo, then each radar); the last row is the bound of a track at launch,
which no sensor gives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

BELIEVE_TITLE = (
    "what you would need to believe: a fire-control track for every battery as early as "
    "this sensor tracks"
)
BELIEVE_COLUMNS = ("track as early as", "median time (s after launch)", "engageable / flown", "by")


@dataclass(frozen=True)
class BelieveTable:
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    footnote: str  # with tracks shared across every party


def believe_table(
    track_assumptions: Sequence[Mapping[str, Any]],
    engageable_with_tracks_shared: int,
    strategic_threats: int,
) -> BelieveTable:
    """The table from the stability analysis's track assumptions (as records:
    source, median_track_s, engageable, flown, by_battery)."""
    rows: list[tuple[str, ...]] = []
    for a in track_assumptions:
        by = ", ".join(
            f"{battery} ({count})"
            for battery, count in sorted(a["by_battery"].items(), key=lambda kv: -kv[1])
        )
        median = "" if a["median_track_s"] is None else f"{a['median_track_s']:,.0f}"
        rows.append((a["source"], median, f"{a['engageable']} / {a['flown']}", by))
    return BelieveTable(
        title=BELIEVE_TITLE,
        columns=BELIEVE_COLUMNS,
        rows=rows,
        footnote=(
            f"With tracks shared across every party: {engageable_with_tracks_shared} of "
            f"{strategic_threats} engageable."
        ),
    )

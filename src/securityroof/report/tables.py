"""Engagement, threat and footprint tables as CSV and Parquet.

Each row is the `flatten`ed record of `securityroof.records` (the same
record `roof engage --json` prints), so the columns carry their units in
their names (km, degrees, seconds after the threat's launch). Each file is
written atomically: to a temporary file in the same folder, then
`os.replace`, so a reader never sees a half-written file and a failure
leaves nothing behind. pyarrow is optional: without it the Parquet writer
raises RoofError naming the package, before it writes anything.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from securityroof.analysis.engagement import EngagementResult
from securityroof.analysis.footprint import FootprintResult
from securityroof.records.engagement import (
    ENGAGEMENT_COLUMNS,
    THREAT_COLUMNS,
    engagement_record,
    threat_records,
)
from securityroof.records.fields import flatten
from securityroof.records.footprint import footprint_cells
from securityroof.report.files import existing_folder, missing_package, write_atomically

FOOTPRINT_CELL_COLUMNS = ("lat_deg", "lon_deg", "defended", "min_shots", "sites")


def engagement_rows(result: EngagementResult) -> list[dict[str, Any]]:
    """One row per (threat, battery), in `ENGAGEMENT_COLUMNS` order; None for no value."""
    return [flatten(engagement_record(record)) for record in result.records]


def threat_rows(result: EngagementResult) -> list[dict[str, Any]]:
    """One row per threat, in `THREAT_COLUMNS` order; times in s after its launch."""
    return [flatten(record) for record in threat_records(result)]


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return value  # floats print as their shortest round-tripping repr


def _write_csv(path: Path, columns: Sequence[str], rows: list[dict[str, Any]]) -> None:
    def write(temporary: Path) -> None:
        with temporary.open("w", encoding="utf-8", newline="") as handle:
            _csv_rows(handle, columns, rows)

    write_atomically(path, write)


def _csv_rows(handle: IO[str], columns: Sequence[str], rows: list[dict[str, Any]]) -> None:
    writer = csv.writer(handle)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(row[c]) for c in columns])


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise missing_package(
            "pyarrow", "Parquet tables", "Install it (pip install pyarrow), or ask for CSV only."
        ) from None
    return pyarrow


def _write_parquet(
    pa: Any, path: Path, columns: Sequence[str], rows: list[dict[str, Any]], types: dict[str, Any]
) -> None:
    arrays = [pa.array([row[c] for row in rows], type=types[c]) for c in columns]
    table = pa.Table.from_arrays(arrays, names=list(columns))
    write_atomically(path, lambda temporary: pa.parquet.write_table(table, str(temporary)))


def _types(pa: Any, columns: Sequence[str], text: set[str], flags: set[str], ints: set[str]):
    def kind(column: str) -> Any:
        if column in text:
            return pa.string()
        if column in flags:
            return pa.bool_()
        if column in ints:
            return pa.int64()
        return pa.float64()

    return {c: kind(c) for c in columns}


def write_tables(result: EngagementResult, folder: Path, *, parquet: bool = True) -> list[Path]:
    """Write engagements.csv and threats.csv (and .parquet twins); each file atomically.

    engagements: one row per (threat, battery), columns `ENGAGEMENT_COLUMNS`
    (times in s after the threat's launch, altitudes and ranges in km, an
    empty cell / null where the battery cannot engage). threats: one row per
    threat, columns `THREAT_COLUMNS`. Returns the paths written.
    """
    folder = existing_folder(Path(folder))
    pa = _pyarrow() if parquet else None  # fail before writing anything
    tables = [
        (
            "engagements",
            ENGAGEMENT_COLUMNS,
            engagement_rows(result),
            (
                {"threat", "site", "interceptor", "reason", "track_source", "guidance_source"},
                {"engageable"},
                {"shots"},
            ),
        ),
        (
            "threats",
            THREAT_COLUMNS,
            threat_rows(result),
            ({"name", "missile", "launch_area", "target_name", "shape"}, set(), set()),
        ),
    ]
    written = []
    for name, columns, rows, (text, flags, ints) in tables:
        _write_csv(folder / f"{name}.csv", columns, rows)
        written.append(folder / f"{name}.csv")
        if pa is not None:
            types = _types(pa, columns, text, flags, ints)
            _write_parquet(pa, folder / f"{name}.parquet", columns, rows, types)
            written.append(folder / f"{name}.parquet")
    return written


def write_footprint_tables(
    result: FootprintResult, folder: Path, *, parquet: bool = True
) -> list[Path]:
    """Write footprint_cells.csv (and .parquet): one row per threatened cell.

    Columns `FOOTPRINT_CELL_COLUMNS`: the cell centre (deg), whether it is
    defended against every configuration reaching it, the fewest shot
    opportunities, and the batteries ("site/interceptor") that engage there
    (joined with ";" in the CSV, a list of strings in Parquet). Returns the
    paths written.
    """
    folder = existing_folder(Path(folder))
    pa = _pyarrow() if parquet else None
    rows = footprint_cells(result)
    _write_csv(folder / "footprint_cells.csv", FOOTPRINT_CELL_COLUMNS, rows)
    written = [folder / "footprint_cells.csv"]
    if pa is not None:
        types = {
            "lat_deg": pa.float64(),
            "lon_deg": pa.float64(),
            "defended": pa.bool_(),
            "min_shots": pa.int64(),
            "sites": pa.list_(pa.string()),
        }
        _write_parquet(pa, folder / "footprint_cells.parquet", FOOTPRINT_CELL_COLUMNS, rows, types)
        written.append(folder / "footprint_cells.parquet")
    return written

"""A sampled flight as a file (`roof fly --samples`): CSV or Parquet by the
file's suffix, the columns of `flight_sample_columns`, written atomically."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import TYPE_CHECKING

from securityroof.errors import RoofError
from securityroof.report.files import write_atomically
from securityroof.report.records import flight_sample_columns

if TYPE_CHECKING:
    from securityroof.analysis.flight import FlightSamples

SAMPLE_SUFFIXES = (".csv", ".parquet")


def check_samples_path(path: Path) -> None:
    """Refuse, before any work, a samples file of unknown format or in a folder
    this process cannot write."""
    path = Path(path)
    if path.suffix.lower() not in SAMPLE_SUFFIXES:
        raise RoofError(
            f"cannot tell the format of {path.name!r} from its suffix.",
            where=str(path),
            fix="Name a .csv or .parquet file.",
        )
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise RoofError("is a folder, not a file.", where=str(path), fix="Name a file.")
    if not folder.is_dir():
        raise RoofError("its folder does not exist.", where=str(path), fix="Create it first.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise RoofError(
            "cannot write in its folder.", where=str(path), fix="Choose a folder you can write."
        )


def write_flight_samples(samples: FlightSamples, path: Path) -> None:
    """Write the sampled flight; the file appears whole or not at all."""
    check_samples_path(path)
    columns = flight_sample_columns(samples)
    names = list(columns)
    if Path(path).suffix.lower() == ".csv":

        def write_csv(temporary: Path) -> None:
            with temporary.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(names)
                for row in zip(*(columns[n].tolist() for n in names), strict=True):
                    writer.writerow(row)

        write_atomically(Path(path), write_csv)
        return
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise RoofError(
            "Parquet files need pyarrow, which is not installed.",
            where=str(path),
            fix="Install it (pip install pyarrow), or name a .csv file.",
        ) from None
    table = pyarrow.table({n: columns[n] for n in names})
    write_atomically(Path(path), lambda temporary: pyarrow.parquet.write_table(table, temporary))

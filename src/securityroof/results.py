"""The results the library's functions return (`securityroof.api`).

Each holds the analysis result (`result`, SI units) and the record that
``roof ... --json`` prints (`record`, `to_dict`), offers the tables a
notebook wants (`to_pandas`, `to_xarray`; pandas and xarray are imported
only then) and shows itself as a small HTML table.
"""

from __future__ import annotations

import copy
import html
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from securityroof.errors import RoofError

if TYPE_CHECKING:
    import pandas
    import xarray

    from securityroof.analysis.assess import Assessment as AssessmentResult
    from securityroof.analysis.engagement import EngagementResult
    from securityroof.analysis.envelope import EnvelopeResult
    from securityroof.analysis.flight import FlightResult
    from securityroof.analysis.footprint import FootprintResult
    from securityroof.analysis.raid import RaidAnalysis
    from securityroof.analysis.sharing import SharingResult
    from securityroof.analysis.stability import StabilityResult

__all__ = [
    "Assessment",
    "Engagements",
    "Envelope",
    "Footprint",
    "Raid",
    "Sharing",
    "Stability",
    "Trajectory",
]


def _cell(value: Any) -> str:
    """A value as table text: numbers rounded for reading, None as a dash."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3g}"
    return str(value)


def _html_table(title: str, rows: Iterable[tuple[str, Any]]) -> str:
    """A two-column HTML table, every text escaped (names come from scenario files)."""
    body = "".join(
        f"<tr><th style='text-align:left'>{html.escape(label)}</th>"
        f"<td style='text-align:right'>{html.escape(_cell(value))}</td></tr>"
        for label, value in rows
    )
    return f"<table><caption>{html.escape(title)}</caption>{body}</table>"


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as exc:  # pragma: no cover - pandas is a dependency
        raise RoofError(f"tables need pandas ({exc}).", fix="pip install pandas") from None
    return pandas


def _xarray() -> Any:
    try:
        import xarray
    except ImportError as exc:
        raise RoofError(
            f"gridded results need xarray, which is not installed ({exc}).",
            fix="Install it: pip install xarray.",
        ) from None
    return xarray


class _Result:
    """A result with its JSON record (`to_dict`) and an HTML summary."""

    record: dict[str, Any]
    title: str = "result"

    def to_dict(self) -> dict[str, Any]:
        """The record that ``roof ... --json`` prints, as a new dict.

        Returns
        -------
        dict
            Numbers in the units their keys name (km, deg, s, m/s).
        """
        return copy.deepcopy(self.record)

    def _summary(self) -> list[tuple[str, Any]]:
        return []

    def _repr_html_(self) -> str:
        return _html_table(self.title, self._summary())

    def __repr__(self) -> str:
        fields = ", ".join(f"{label}={_cell(value)}" for label, value in self._summary()[:4])
        return f"<{type(self).__name__} {fields}>"


@dataclass(frozen=True, repr=False)
class Trajectory(_Result):
    """One flight: its summary and, when sampled, its time series.

    Attributes
    ----------
    result
        The flight in SI units (`securityroof.analysis.flight.FlightResult`).
    record
        The record of ``roof fly --json``.
    """

    result: FlightResult
    record: dict[str, Any]
    title = "flight"

    @property
    def range_km(self) -> float:
        """Geodesic distance from the launch (or burnout) point to impact (km)."""
        return float(self.record["range_km"])

    @property
    def apogee_km(self) -> float:
        """Highest altitude above the ellipsoid (km)."""
        return float(self.record["apogee_km"])

    @property
    def flight_time_s(self) -> float:
        """Time from launch (or from the burnout state) to impact (s)."""
        return float(self.record["flight_time_s"])

    @property
    def burnout_speed_m_s(self) -> float:
        """Speed at burnout relative to the rotating Earth (m/s)."""
        return float(self.record["burnout"]["speed_m_s"])

    @property
    def impact_deg(self) -> tuple[float, float]:
        """Impact point (latitude, longitude) in degrees."""
        impact = self.record["impact"]
        return float(impact["lat_deg"]), float(impact["lon_deg"])

    def _columns(self) -> dict[str, Any]:
        from securityroof.report.records import flight_sample_columns

        if self.result.samples is None:
            raise RoofError(
                "this flight was not sampled, so it has no time series.",
                parameter="sample_interval_s",
                fix="Fly it again with sample_interval_s, e.g. fly(..., sample_interval_s=1.0).",
            )
        return flight_sample_columns(self.result.samples)

    def to_pandas(self) -> pandas.DataFrame:
        """The time series as a table, one row per sample.

        Returns
        -------
        pandas.DataFrame
            Columns time_s, lat_deg, lon_deg, altitude_km, speed_m_s (relative to
            the rotating Earth) and the Earth-fixed position x_m, y_m, z_m; the
            last row is the impact.
        """
        return _pandas().DataFrame(self._columns())

    def to_xarray(self) -> xarray.Dataset:
        """The time series as a Dataset along the dimension ``time``.

        Returns
        -------
        xarray.Dataset
            Coordinate ``time`` (s from launch) and variables lat_deg, lon_deg,
            altitude_km, speed_m_s, x_m, y_m, z_m, each with its ``units``.
        """
        columns = self._columns()
        units = {"lat_deg": "deg", "lon_deg": "deg", "altitude_km": "km", "speed_m_s": "m/s"}
        dataset = _xarray().Dataset(
            {
                name: ("time", values, {"units": units.get(name, "m")})
                for name, values in columns.items()
                if name != "time_s"
            },
            coords={"time": ("time", columns["time_s"], {"units": "s"})},
            attrs={"missile": self.record.get("missile") or "", "mode": self.record["mode"]},
        )
        return dataset

    def _summary(self) -> list[tuple[str, Any]]:
        rows: list[tuple[str, Any]] = [
            ("missile", self.record.get("missile")),
            ("range (km)", self.range_km),
            ("apogee (km)", self.apogee_km),
            ("flight time (s)", self.flight_time_s),
            ("burnout speed (m/s)", self.burnout_speed_m_s),
        ]
        if self.result.samples is not None:
            rows.append(("samples", len(self.result.samples.time_s)))
        return rows


@dataclass(frozen=True, repr=False)
class Engagements(_Result):
    """Every threat of a scenario against every interceptor battery.

    Attributes
    ----------
    result
        The engagement chain's arrays and records (`EngagementResult`).
    records
        One record per threat and battery, as ``roof engage --json`` prints them.
    """

    result: EngagementResult
    records: list[dict[str, Any]]
    title = "engagements"

    @property
    def record(self) -> dict[str, Any]:  # type: ignore[override]
        """The records under the scenario's name and hash."""
        scenario = self.result.scenario
        return {"scenario": scenario.name, "sha256": scenario.digest, "records": self.records}

    def to_pandas(self) -> pandas.DataFrame:
        """One row per threat and battery.

        Returns
        -------
        pandas.DataFrame
            The columns of ``roof engage --json`` (seconds after the threat's
            launch, km, m/s, deg); the intercept altitude band is split into
            intercept_altitude_min_km and intercept_altitude_max_km.
        """
        rows = []
        for record in self.records:
            row = dict(record)
            band = row.pop("intercept_altitude_km")
            row["intercept_altitude_min_km"] = None if band is None else band[0]
            row["intercept_altitude_max_km"] = None if band is None else band[1]
            rows.append(row)
        return _pandas().DataFrame(rows)

    def _summary(self) -> list[tuple[str, Any]]:
        engageable = sum(r["engageable"] for r in self.records)
        return [
            ("scenario", self.result.scenario.name),
            ("threats", len(self.result.threats)),
            ("batteries", len(self.result.batteries)),
            ("engageable pairs", f"{engageable} of {len(self.records)}"),
        ]


@dataclass(frozen=True, repr=False)
class Footprint(_Result):
    """Which aim points the architecture defends, cell by cell.

    Attributes
    ----------
    result
        The grids (`FootprintResult`).
    record
        The summary of ``roof footprint --json``: cells and people threatened
        and defended.
    """

    result: FootprintResult
    record: dict[str, Any]
    title = "defended footprint"

    def to_xarray(self) -> xarray.Dataset:
        """The grids as a Dataset over (config, lat_deg, lon_deg).

        Returns
        -------
        xarray.Dataset
            ``threatened`` and ``defended`` (bool) and ``shots`` (shot
            opportunities summed over batteries) per threat configuration
            ("launch area, missile, shape"), and ``defended_everywhere``
            (defended against every configuration that reaches the cell).
            Cell centres in degrees.
        """
        r = self.result
        dims = ("config", "lat_deg", "lon_deg")
        labels = [f"{c.launch_area}, {c.missile}, {c.shape}" for c in r.configs]
        return _xarray().Dataset(
            {
                "threatened": (dims, r.threatened),
                "defended": (dims, r.defended),
                "shots": (dims, r.shots, {"units": "1"}),
                "defended_everywhere": (dims[1:], r.defended_everywhere),
            },
            coords={
                "config": labels,
                "lat_deg": ("lat_deg", r.lat_deg, {"units": "deg"}),
                "lon_deg": ("lon_deg", r.lon_deg, {"units": "deg"}),
            },
            attrs={
                "scenario": r.scenario.name,
                "sha256": r.scenario.digest,
                "resolution_deg": r.resolution_deg,
            },
        )

    def to_pandas(self) -> pandas.DataFrame:
        """One row per threatened cell (``cells_detail`` of ``roof footprint --json``).

        Returns
        -------
        pandas.DataFrame
            lat_deg, lon_deg, defended, min_shots and the engaging sites.
        """
        from securityroof.report.footprint_export import footprint_cells

        return _pandas().DataFrame(footprint_cells(self.result))

    def _summary(self) -> list[tuple[str, Any]]:
        s = self.record
        return [
            ("scenario", s["scenario"]),
            ("resolution (deg)", s["resolution_deg"]),
            ("cells defended", f"{s['cells_defended']} of {s['cells_threatened']} threatened"),
            ("population threatened", s["population_threatened"]),
            ("population defended", s["population_defended"]),
        ]


@dataclass(frozen=True, repr=False)
class Stability(_Result):
    """Whether the roof can engage another party's strategic forces, and the evidence.

    Attributes
    ----------
    result
        The verdict and its evidence (`StabilityResult`).
    record
        The record of ``roof stability --json``.
    """

    result: StabilityResult
    record: dict[str, Any]
    title = "strategic stability"

    @property
    def verdict(self) -> str:
        """The verdict in a few words."""
        return str(self.record["verdict"])

    @property
    def sentence(self) -> str:
        """The verdict as one sentence."""
        return str(self.record["sentence"])

    def to_pandas(self) -> pandas.DataFrame:
        """One row per strategic trajectory judged.

        Returns
        -------
        pandas.DataFrame
            The ``trajectories`` of ``roof stability --json``, the probability
            split into probability_engageable (with _low and _high bounds).
        """
        rows = []
        for record in self.record["trajectories"]:
            row = {k: v for k, v in record.items() if k != "engageable_by_case"}
            interval = row.pop("probability_engageable") or {}
            row["probability_engageable"] = interval.get("p")
            row["probability_engageable_low"] = interval.get("low")
            row["probability_engageable_high"] = interval.get("high")
            rows.append(row)
        return _pandas().DataFrame(rows)

    def _summary(self) -> list[tuple[str, Any]]:
        rows: list[tuple[str, Any]] = [
            ("scenario", self.record["scenario"]),
            ("verdict", self.verdict),
        ]
        rows += [(f"verdict, {c['label']}", c["verdict"]) for c in self.record["by_case"]]
        return rows

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.sentence)}</p>" + super()._repr_html_()


@dataclass(frozen=True, repr=False)
class Sharing(_Result):
    """Who contributes what: Shapley values and cost shares of the parties.

    Attributes
    ----------
    result
        The cooperative-game result (`SharingResult`).
    record
        The record of ``roof share --json``.
    """

    result: SharingResult
    record: dict[str, Any]
    title = "contributions and cost shares"

    def to_pandas(self) -> pandas.DataFrame:
        """One row per party, indexed by party.

        Returns
        -------
        pandas.DataFrame
            Shapley value and its standard error, benefit alone and jointly, and
            the cost shares (fractions) by Shapley value and by benefit.
        """
        return _pandas().DataFrame(self.record["parties"]).set_index("party")

    def _summary(self) -> list[tuple[str, Any]]:
        return [
            (f"cost share, {p['party']}", p["cost_share_by_shapley"])
            for p in self.record["parties"]
        ]


@dataclass(frozen=True, repr=False)
class Raid(_Result):
    """A Monte Carlo raid: leakers and interceptors used.

    Attributes
    ----------
    result
        The raid (`RaidAnalysis`).
    record
        The record of ``roof raid --json``.
    """

    result: RaidAnalysis
    record: dict[str, Any]
    title = "raid"

    def to_pandas(self) -> pandas.DataFrame:
        """Interceptors used, one row per battery.

        Returns
        -------
        pandas.DataFrame
            site, interceptor, inventory, mean used and its 95 % interval.
        """
        rows = []
        for battery in self.record["interceptors_used"]:
            row = {k: v for k, v in battery.items() if k not in ("ci95", "pk_range")}
            row["used_low"], row["used_high"] = battery["ci95"]
            row["pk_low"], row["pk_high"] = battery["pk_range"]
            rows.append(row)
        return _pandas().DataFrame(rows)

    def _summary(self) -> list[tuple[str, Any]]:
        r = self.record
        return [
            ("raid size", r["size"]),
            ("trials", r["trials"]),
            ("expected leakers", r["expected_leakers"]),
            ("chance of no leaker", r["p_no_leaker"]),
            ("seed", r["seed"]),
        ]


@dataclass(frozen=True, repr=False)
class Envelope(_Result):
    """The transparency envelope: limits that keep strategic forces out of reach.

    Attributes
    ----------
    result
        The envelope (`EnvelopeResult`).
    record
        The record of ``roof envelope --json``.
    """

    result: EnvelopeResult
    record: dict[str, Any]
    title = "transparency envelope"

    def _summary(self) -> list[tuple[str, Any]]:
        return [
            ("scenario", self.result.scenario.name),
            ("protected parties", ", ".join(self.result.protected)),
            ("probability", self.result.probability),
        ]


@dataclass(frozen=True, repr=False)
class Assessment(_Result):
    """The whole assessment of ``roof assess``, ready to write as a report.

    Attributes
    ----------
    result
        Every analysis's result (`securityroof.analysis.assess.Assessment`).
    record
        The numbers a rerun reproduces (the report's results.json).
    """

    result: AssessmentResult
    record: dict[str, Any]
    title = "assessment"

    def write_report(self, out_dir: str | os.PathLike[str], *, force: bool = False) -> Path:
        """Write the HTML report folder (as ``roof assess --out``).

        Parameters
        ----------
        out_dir
            The report folder; an existing one is replaced only with `force`
            and only if it holds a report.
        force
            Replace an existing report folder.

        Returns
        -------
        pathlib.Path
            The report's index.html.
        """
        from securityroof.report.html import write_report

        return write_report(self.result, Path(out_dir), force=force)

    def _summary(self) -> list[tuple[str, Any]]:
        a = self.result
        rows: list[tuple[str, Any]] = [
            ("scenario", a.scenario.name),
            ("stability verdict", a.stability.verdict if a.stability else "no strategic threats"),
        ]
        if a.raid is not None:
            rows.append(
                (f"expected leakers, raid of {a.raid.size}", a.raid.result.expected_leakers)
            )
        return rows

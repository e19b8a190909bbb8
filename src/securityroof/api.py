"""Security Roof as a Python library: the functions a notebook calls.

Everything here takes and gives degrees, kilometres and seconds, with the
unit in the parameter's name (``from_deg``, ``apogee_km``,
``sample_interval_s``); the analyses underneath work in SI units. Results
carry the same records that ``roof ... --json`` prints (``to_dict``), as
tables (``to_pandas``, ``to_xarray``) and as small HTML summaries in a
notebook. Bad input raises `RoofError`, whose ``parameter`` names the
argument at fault.

Examples
--------
>>> import securityroof as roof
>>> flight = roof.fly("shahab-3", from_deg=(35.7, 51.4), to_deg=(39.9, 32.9))
>>> round(flight.range_km)  # doctest: +SKIP
1025
>>> scenario = roof.Scenario.from_toml(text)  # doctest: +SKIP
>>> roof.engagements(scenario).to_pandas()  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import html
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from securityroof.compiling import announce_compilation
from securityroof.errors import RoofError
from securityroof.model.scenario import (
    Scenario,
    default_scenario_path,
    load_scenario,
)

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
]

CASES = ("low", "nominal", "high")
ScenarioLike = Scenario | str | os.PathLike[str] | Mapping[str, Any]


# ---------------------------------------------------------------------------
# Presentation shared by every result
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------


def default_scenario() -> Scenario:
    """The built-in scenario of ``roof assess``: the joint NATO-Russia roof.

    Returns
    -------
    Scenario
        The joint roof against Iranian missiles, with Russian and US ICBMs
        for the stability verdict.
    """
    return load_scenario(default_scenario_path())


def _scenario(value: ScenarioLike, parameter: str = "scenario") -> Scenario:
    """A Scenario from a Scenario, a file path or a mapping shaped like the file."""
    if isinstance(value, Scenario):
        return value
    if isinstance(value, str | os.PathLike):
        return load_scenario(value)
    if isinstance(value, Mapping):
        return Scenario.from_dict(value)
    raise RoofError(
        f"a scenario is a Scenario, a file path or a mapping, not a {type(value).__name__}.",
        parameter=parameter,
        fix="Use load_scenario(path), Scenario.from_toml(text) or Scenario.from_dict(mapping).",
    )


# ---------------------------------------------------------------------------
# One flight
# ---------------------------------------------------------------------------


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


def _latlon(value: Any, parameter: str) -> tuple[float, float]:
    """(lat, lon) in degrees, checked."""
    from securityroof.analysis.flight import check_latlon

    try:
        lat_deg, lon_deg = (float(v) for v in value)
    except (TypeError, ValueError):
        raise RoofError(
            f"{value!r} is not a (latitude, longitude) pair.",
            parameter=parameter,
            fix="Give two numbers in degrees, latitude first, e.g. (35.7, 51.4).",
        ) from None
    check_latlon(lat_deg, lon_deg, parameter=parameter)
    return lat_deg, lon_deg


def _finite(value: float | None, parameter: str) -> None:
    if value is not None and not (isinstance(value, int | float) and math.isfinite(value)):
        raise RoofError(f"{value!r} is not a finite number.", parameter=parameter)


def fly(
    missile: str | None = None,
    *,
    from_deg: tuple[float, float],
    to_deg: tuple[float, float] | None = None,
    azimuth_deg: float | None = None,
    shape: str = "minimum-energy",
    apogee_km: float | None = None,
    burnout_speed_m_s: float | None = None,
    burnout_angle_deg: float | None = None,
    burnout_altitude_km: float = 0.0,
    ballistic_coefficient_kg_m2: float | None = None,
    case: str = "nominal",
    earth: str = "wgs84",
    rotating: bool = True,
    j2: bool = True,
    drag: bool = True,
    sample_interval_s: float | None = None,
    scenario: Scenario | None = None,
) -> Trajectory:
    """Fly a missile to an aim point, to its maximum range, or from a burnout state.

    Parameters
    ----------
    missile
        Catalog missile id (``roof catalog missiles``), e.g. ``"shahab-3"``.
    from_deg
        Launch point (latitude, longitude) in degrees; the burnout point in
        burnout-state mode.
    to_deg
        Aim point (latitude, longitude) in degrees: the guidance is solved to
        land on it.
    azimuth_deg
        Without `to_deg`: fly to the maximum range toward this azimuth
        (degrees clockwise from north); the heading in burnout-state mode.
    shape
        ``"minimum-energy"``, ``"lofted"`` or ``"depressed"`` (with `to_deg`).
    apogee_km
        A requested apogee (km), with `to_deg`.
    burnout_speed_m_s, burnout_angle_deg, burnout_altitude_km
        Burnout-state mode: speed relative to the rotating Earth (m/s),
        flight-path angle above the local horizontal (deg), altitude (km).
    ballistic_coefficient_kg_m2
        Burnout-state mode: m/(Cd A) of the body; default that of `missile`
        (or the generic ICBM reentry vehicle).
    case
        Capability case of the catalog values: ``"low"``, ``"nominal"``, ``"high"``.
    earth
        ``"wgs84"`` or ``"sphere"`` (radius 6,371.0 km).
    rotating, j2, drag
        Earth rotation, the J2 gravity term and the atmosphere.
    sample_interval_s
        Also keep the time series, one sample every this many seconds
        (`Trajectory.to_pandas`, `Trajectory.to_xarray`).
    scenario
        Fly the missile as this scenario defines it (its missile overrides and
        its own missiles) instead of as the catalog does.

    Returns
    -------
    Trajectory
        Range, apogee, flight time, burnout and impact; the time series when sampled.

    Raises
    ------
    RoofError
        Bad input (its ``parameter`` names the argument), or an aim point
        beyond reach (the message gives the maximum range toward it).
    """
    from securityroof.analysis.flight import (
        EarthOptions,
        fly_from_burnout,
        fly_max_range,
        fly_to_target,
    )
    from securityroof.model.catalog import load_missiles
    from securityroof.report.records import flight_record

    announce_compilation()
    if case not in CASES:
        raise RoofError(
            f"unknown case {case!r}.", parameter="case", fix="Use low, nominal or high."
        )
    options = EarthOptions(shape=earth, rotating=rotating, j2=j2, drag=drag)
    options.planet()  # checks `earth` before any work
    for value, name in (
        (azimuth_deg, "azimuth_deg"),
        (apogee_km, "apogee_km"),
        (burnout_speed_m_s, "burnout_speed_m_s"),
        (burnout_angle_deg, "burnout_angle_deg"),
        (burnout_altitude_km, "burnout_altitude_km"),
        (ballistic_coefficient_kg_m2, "ballistic_coefficient_kg_m2"),
        (sample_interval_s, "sample_interval_s"),
    ):
        _finite(value, name)
    lat_deg, lon_deg = _latlon(from_deg, "from_deg")
    lat, lon = math.radians(lat_deg), math.radians(lon_deg)
    missiles = scenario.catalog.missiles if scenario is not None else load_missiles()
    if burnout_speed_m_s is not None or burnout_angle_deg is not None:
        if burnout_speed_m_s is None or burnout_angle_deg is None or azimuth_deg is None:
            raise RoofError(
                "a burnout state needs burnout_speed_m_s, burnout_angle_deg and azimuth_deg.",
                parameter="burnout_speed_m_s" if burnout_speed_m_s is None else "azimuth_deg",
            )
        if to_deg is not None:
            raise RoofError("an aim point does not apply to a burnout state.", parameter="to_deg")
        beta = math.inf
        if drag:
            if ballistic_coefficient_kg_m2 is not None:
                beta = ballistic_coefficient_kg_m2
            else:
                body = missiles.missile(missile or "generic-icbm", parameter="missile")
                beta = body.ballistic_coefficient_kg_m2.value(case)  # type: ignore[arg-type]
        result = fly_from_burnout(
            lat,
            lon,
            math.radians(azimuth_deg),
            burnout_speed_m_s,
            math.radians(burnout_angle_deg),
            altitude_m=burnout_altitude_km * 1e3,
            ballistic_coefficient_kg_m2=beta,
            earth=options,
            sample_interval_s=sample_interval_s,
        )
    elif missile is None:
        raise RoofError("which missile?", parameter="missile", fix="Name a catalog missile.")
    elif to_deg is not None:
        if azimuth_deg is not None:
            raise RoofError(
                "give an aim point or an azimuth, not both.",
                parameter="azimuth_deg",
                fix="Leave azimuth_deg out to fly to to_deg.",
            )
        target_lat_deg, target_lon_deg = _latlon(to_deg, "to_deg")
        result = fly_to_target(
            missiles,
            missile,
            lat,
            lon,
            math.radians(target_lat_deg),
            math.radians(target_lon_deg),
            shape=shape,
            apogee_m=None if apogee_km is None else apogee_km * 1e3,
            earth=options,
            case=case,  # type: ignore[arg-type]
            sample_interval_s=sample_interval_s,
        )
    elif azimuth_deg is not None:
        result = fly_max_range(
            missiles,
            missile,
            lat,
            lon,
            math.radians(azimuth_deg),
            earth=options,
            case=case,  # type: ignore[arg-type]
            sample_interval_s=sample_interval_s,
        )
    else:
        raise RoofError(
            "where to? Give an aim point, or an azimuth for the maximum range.",
            parameter="to_deg",
            fix="Add to_deg=(lat, lon) or azimuth_deg=...",
        )
    return Trajectory(result, flight_record(result))


# ---------------------------------------------------------------------------
# Scenario analyses
# ---------------------------------------------------------------------------


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


def engagements(scenario: ScenarioLike) -> Engagements:
    """Aim and fly every threat, let the sensors see it, and engage it.

    Parameters
    ----------
    scenario
        A `Scenario`, a scenario file's path, or a mapping shaped like the file.

    Returns
    -------
    Engagements
        For each threat and battery: engageable, the intercept window, shots,
        the tracks used and, when it cannot engage, the reason.
    """
    from securityroof.analysis.engagement import run_engagements
    from securityroof.report.records import engagement_record

    announce_compilation()
    result = run_engagements(_scenario(scenario))
    return Engagements(result, [engagement_record(r) for r in result.records])


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


def footprint(
    scenario: ScenarioLike,
    *,
    resolution_deg: float = 1.0,
    region_deg: tuple[float, float, float, float] | None = None,
) -> Footprint:
    """The defended footprint against the scenario's regional threat configurations.

    Parameters
    ----------
    scenario
        A `Scenario`, a scenario file's path, or a mapping shaped like the file.
    resolution_deg
        Grid cell size (degrees); coarser is faster (2 to 4 for a first look).
    region_deg
        (lat_min, lat_max, lon_min, lon_max) in degrees; default Europe and
        European Russia.

    Returns
    -------
    Footprint
        Grids per threat configuration, cities threatened and defended.
    """
    from securityroof.analysis.footprint import DEFAULT_REGION, analyse_footprint
    from securityroof.report.footprint_export import footprint_summary

    announce_compilation()
    _finite(resolution_deg, "resolution_deg")
    region = DEFAULT_REGION if region_deg is None else _region(region_deg)
    result = analyse_footprint(_scenario(scenario), resolution_deg=resolution_deg, region=region)
    return Footprint(result, footprint_summary(result))


def _region(value: Any) -> tuple[float, float, float, float]:
    try:
        lat_min, lat_max, lon_min, lon_max = (float(v) for v in value)
    except (TypeError, ValueError):
        raise RoofError(
            f"{value!r} is not (lat_min, lat_max, lon_min, lon_max).",
            parameter="region_deg",
            fix="Give four numbers in degrees.",
        ) from None
    return lat_min, lat_max, lon_min, lon_max


@dataclass(frozen=True, repr=False)
class Stability(_Result):
    """Can the roof engage another party's strategic forces?

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


def stability(scenario: ScenarioLike, *, draws: int = 300, seed: int | None = None) -> Stability:
    """The strategic stability verdict, its probability and what it hangs on.

    Parameters
    ----------
    scenario
        A `Scenario`, a scenario file's path, or a mapping shaped like the file.
    draws
        Monte Carlo draws over the uncertain catalog values (at least 1).
    seed
        Seed of the Latin-hypercube sample (default: the CLI's).

    Returns
    -------
    Stability
        Verdict, engageable strategic trajectories, sensitivity, demarcation.
    """
    from securityroof.analysis.stability import DEFAULT_SEED, analyse_stability
    from securityroof.report.records import stability_record

    announce_compilation()
    if not isinstance(draws, int) or draws < 1:
        raise RoofError(f"the Monte Carlo size must be at least 1, got {draws}.", parameter="draws")
    result = analyse_stability(
        _scenario(scenario), draws=draws, seed=DEFAULT_SEED if seed is None else seed
    )
    return Stability(result, stability_record(result))


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


def sharing(scenario: ScenarioLike, *, seed: int = 0) -> Sharing:
    """Shapley values, benefits and cost shares of the scenario's parties.

    Parameters
    ----------
    scenario
        A `Scenario`, a scenario file's path, or a mapping shaped like the file.
    seed
        Seed of the sampled Shapley values (used beyond 20 parties).

    Returns
    -------
    Sharing
        The parties' contributions and fair shares.
    """
    from securityroof.analysis.sharing import analyse_sharing
    from securityroof.report.records import share_record

    announce_compilation()
    result = analyse_sharing(_scenario(scenario), seed=seed)
    return Sharing(result, share_record(result))


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


def raid(
    scenario: ScenarioLike,
    size: int,
    *,
    trials: int = 10_000,
    seed: int | None = None,
    doctrine: str = "shoot-look-shoot",
    saturate: bool = False,
) -> Raid:
    """A Monte Carlo raid of `size` missiles drawn from the scenario's threats.

    Parameters
    ----------
    scenario
        A `Scenario`, a scenario file's path, or a mapping shaped like the file.
    size
        Missiles in the raid.
    trials
        Monte Carlo trials.
    seed
        Seed (recorded in the result).
    doctrine
        ``"shoot-look-shoot"`` or ``"shoot-shoot"``.
    saturate
        Allow a raid bigger than the engaging batteries' inventory.

    Returns
    -------
    Raid
        Expected leakers, the chance of no leaker, interceptors used.
    """
    from securityroof.analysis.raid import run_raid
    from securityroof.report.records import raid_record

    announce_compilation()
    analysis = run_raid(
        _scenario(scenario), size, trials=trials, seed=seed, doctrine=doctrine, saturate=saturate
    )
    return Raid(analysis, raid_record(analysis))


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


def envelope(
    scenario: ScenarioLike,
    *,
    party: str | None = None,
    probability: float = 0.95,
    draws: int = 0,
    seed: int = 0,
    resolution_deg: float = 1.0,
    maps: bool = True,
) -> Envelope:
    """Speed limits, keep-out maps and link timing that keep strategic forces safe.

    Parameters
    ----------
    scenario
        A `Scenario`, a scenario file's path, or a mapping shaped like the file.
    party
        Keep only this party's strategic forces out of reach (default: all).
    probability
        How sure the limits must be, over the uncertainty draws (0 to 1).
    draws
        Monte Carlo draws over the uncertain catalog values (0: nominal only).
    seed
        Seed of the draws.
    resolution_deg
        Grid of the keep-out maps (degrees).
    maps
        Also compute the keep-out maps (the slow part).

    Returns
    -------
    Envelope
        The limits, with the record of ``roof envelope --json``.
    """
    from securityroof.analysis.envelope import analyse_envelope
    from securityroof.report.envelope_export import envelope_record

    announce_compilation()
    result = analyse_envelope(
        _scenario(scenario),
        party=party,
        probability=probability,
        draws=draws,
        seed=seed,
        resolution_deg=resolution_deg,
        maps=maps,
    )
    return Envelope(result, envelope_record(result))


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


def assess(scenario: ScenarioLike | None = None, *, resolution_deg: float = 1.0) -> Assessment:
    """Run every analysis of ``roof assess`` (several minutes on a laptop).

    Parameters
    ----------
    scenario
        A `Scenario`, a scenario file's path, or a mapping shaped like the
        file; default the built-in joint NATO-Russia roof.
    resolution_deg
        Footprint grid (degrees).

    Returns
    -------
    Assessment
        Every result; `Assessment.write_report` writes the HTML report.
    """
    from securityroof.analysis.assess import assess as run_assessment
    from securityroof.analysis.engagement import require_batteries
    from securityroof.report.html import results_record

    announce_compilation()
    loaded = default_scenario() if scenario is None else _scenario(scenario)
    require_batteries(loaded)
    result = run_assessment(loaded, resolution_deg=resolution_deg)
    return Assessment(result, results_record(result))

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

import math
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from securityroof.errors import RoofError
from securityroof.model.scenario import Scenario, default_scenario_path, load_scenario
from securityroof.results import (
    Assessment,
    Engagements,
    Envelope,
    Footprint,
    Raid,
    Sharing,
    Stability,
    Trajectory,
)

if TYPE_CHECKING:
    from securityroof.analysis.engagement import EngagementResult

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
    from securityroof.records.flight import flight_record

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
    from securityroof.records.engagement import engagement_record

    result = run_engagements(_scenario(scenario))
    return Engagements(result, [engagement_record(r) for r in result.records])


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
    from securityroof.records.footprint import footprint_summary

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
    from securityroof.records.stability import stability_record

    if not isinstance(draws, int) or draws < 1:
        raise RoofError(f"the Monte Carlo size must be at least 1, got {draws}.", parameter="draws")
    result = analyse_stability(
        _scenario(scenario), draws=draws, seed=DEFAULT_SEED if seed is None else seed
    )
    return Stability(result, stability_record(result))


def sharing(scenario: ScenarioLike | Engagements, *, seed: int = 0) -> Sharing:
    """Shapley values, benefits and cost shares of the scenario's parties.

    Parameters
    ----------
    scenario
        The `Engagements` of a scenario (nothing is flown again), or a
        `Scenario`, a scenario file's path, or a mapping shaped like the file.
    seed
        Seed of the sampled Shapley values (used beyond 20 parties).

    Returns
    -------
    Sharing
        The parties' contributions and fair shares.
    """
    from securityroof.analysis.sharing import analyse_sharing
    from securityroof.records.shares import shares_record

    result = analyse_sharing(_engagements_of(scenario), seed=seed)
    return Sharing(result, shares_record(result))


def _engagements_of(given: ScenarioLike | Engagements) -> EngagementResult:
    """The engagements an analysis takes: given, or computed from a scenario."""
    if isinstance(given, Engagements):
        return given.result
    from securityroof.analysis.engagement import run_engagements

    return run_engagements(_scenario(given))


def raid(
    scenario: ScenarioLike | Engagements,
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
        The `Engagements` of a scenario (nothing is flown again), or a
        `Scenario`, a scenario file's path, or a mapping shaped like the file.
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
    from securityroof.analysis.raid import check_raid_options, run_raid
    from securityroof.records.raid import raid_record

    check_raid_options(size, trials, doctrine)  # before anything is flown
    analysis = run_raid(
        _engagements_of(scenario),
        size,
        trials=trials,
        seed=seed,
        doctrine=doctrine,
        saturate=saturate,
    )
    return Raid(analysis, raid_record(analysis))


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
    from securityroof.records.envelope import envelope_record

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
    from securityroof.records.assessment import results_record

    loaded = default_scenario() if scenario is None else _scenario(scenario)
    require_batteries(loaded)
    result = run_assessment(loaded, resolution_deg=resolution_deg)
    return Assessment(result, results_record(result))

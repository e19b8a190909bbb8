"""Scenario files: which parties, assets, threats and assumptions an analysis uses.

A scenario (TOML) may start from a catalog architecture, add or change sites,
override single catalog values, and lists its threats. It is validated with
pydantic; every mistake is reported with the file, the key path and, for
names, the nearest valid names. `load_scenario` returns a `Scenario` whose
names are all resolved against the catalog.

    [scenario]
    name = "EPAA phase 1 against Iranian missiles"
    architecture = "epaa-phase-1"
    case = "nominal"                 # low | nominal | high capability, both sides;
                                     # or { threats = "low", defence = "high" }

    [assumptions]
    cueing = "within-party"          # none | within-party | across-parties
    decision_delay_s = 0.0           # added to every interceptor's launch delay
    sample_interval_s = 2.0
    fire_control_at_s = 60.0         # optional: assume every site tracks by then

    [[cueing_rules]]                 # extra: this party's sensors cue that party's sites
    from = "russia"
    to = "usa"

    [[sites]]                        # a catalog site, or a new one with all its fields
    id = "my-ship"
    party = "usa"
    lat_deg = 35.0
    lon_deg = 25.0
    sensors = [{ type = "spy-1", boresight_deg = 90.0 }]
    interceptors = [{ type = "sm-3-block-ia", count = 24 }]

    [overrides.interceptors.sm-3-block-ia]
    burnout_speed_m_s = 3500.0       # a plain number replaces the catalog value

    [[threats]]
    missile = "shahab-3"
    from = "tabriz"                  # a catalog launch area, or from_latlon = [lat, lon]
    to = ["ankara", "bucharest"]     # catalog target areas, or to_latlon = [[lat, lon], ...]
    shapes = ["minimum-energy"]

    [strategic]                      # optional: the strategic set of the stability verdict
    catalog = true                   # every catalogued strategic launch area of each party
                                     # whose forces another party's batteries could engage
    parties = ["russia"]             # only these parties' forces
    launch_areas = ["kozelsk"]       # only these launch areas
    targets = ["washington"]         # instead of the adversaries' catalogued cities
    shapes = ["minimum-energy", "lofted", "depressed"]
    missiles = "primary"             # the area's first missile, or "all" of them

    [[patrol_areas]]                 # optional: declared ship patrol areas, for `roof envelope`
    name = "Eastern Mediterranean"
    interceptor = "sm-3-block-iia"   # default: every interceptor type of the scenario
    vertices = [[34.0, 24.0], [36.0, 24.0], [36.0, 30.0], [34.0, 30.0]]   # [lat, lon], deg

The file must be a regular UTF-8 file of at most 1 MB (a pipe or device is
refused unread). Text may not hold control characters or bidirectional
overrides; every number must be finite and within its physical range (the
bounds below, e.g. boresights 0-360 deg, site altitude -500 m to 10 km,
sample interval 0.1-30 s); a scenario whose trajectory samples would not fit
in memory is refused with the estimate, before any work.

A threat is *strategic* when it is launched from a strategic launch area
(ICBM fields, SLBM patrol areas) or, from a given point, by an ICBM or SLBM
(`threat_class`); every other threat is regional. The strategic set
(`strategic_threats`) is the catalogued one above, restricted by
``[strategic]``, together with the scenario's own strategic threats.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import math
import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import shapely
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from securityroof.errors import RoofError
from securityroof.model.catalog import (
    Catalog,
    decode_utf8,
    load_catalog,
    parse_toml,
    read_file_bytes,
    unknown_name_error,
    validation_error,
)
from securityroof.model.defence import Interceptor, SensorType, Site
from securityroof.model.operations import APPROVER_ROLES, Operations, OperationsSpec
from securityroof.model.quantity import Case, Quantity

SHAPES = ("minimum-energy", "lofted", "depressed")
ThreatClass = Literal["regional", "strategic"]

# Bounds on what a scenario may ask for. Each is far outside anything real, so
# no honest scenario meets it, and close enough that no value within it can
# make an analysis run out of memory or produce nonsense without a word.
MAX_FLIGHT_TIME_S = 10_000.0  # an ICBM flies about 2,000 s; no interceptor 1,000 s
MAX_COUNT = 10_000  # interceptors of one battery (the largest magazines hold hundreds)
MAX_THREATS = 2_000  # threat trajectories after expanding targets and shapes
MAX_SITES = 1_000
MAX_INTEGER = 10**15  # any integer in the file (counts, years): beyond it, a typo
SITE_ALTITUDE_M = (-500.0, 10_000.0)  # Dead Sea shore (-430 m) to above Everest (8,849 m)
# A satellite site's altitude is its orbit's: low Earth orbit to beyond
# geostationary (35,786 km) and the apogees of Molniya orbits (about 40,000 km).
SATELLITE_ALTITUDE_M = (150e3, 50_000e3)
# Memory the sampled trajectories of one analysis may take before any work:
# half the machine's memory, at most 16 GiB.
MAX_SAMPLE_BYTES = 16 * 2**30
# Physical ranges of the catalog values a scenario may override, in the units
# of the key: (least, greatest). Fields not listed only need to be finite.
OVERRIDE_BOUNDS: dict[str, dict[str, tuple[float, float]]] = {
    "interceptors": {
        "burnout_speed_m_s": (0.0, 11_186.0),  # escape speed at the surface
        "burn_time_s": (0.0, 1_000.0),
        "min_intercept_altitude_km": (0.0, 5_000.0),
        "max_intercept_altitude_km": (0.0, 5_000.0),
        "max_ground_range_km": (0.0, 20_038.0),  # half the Earth's circumference
        "launch_delay_s": (0.0, 3_600.0),
        "kill_assessment_s": (0.0, 3_600.0),
        "max_flight_time_s": (0.0, MAX_FLIGHT_TIME_S),
        "single_shot_kill_probability": (0.0, 1.0),
        "min_closing_speed_m_s": (0.0, 20_000.0),
        "max_engagement_angle_deg": (0.0, 180.0),
        "demonstrated_speed_m_s": (0.0, 20_000.0),
        "test_target_max_speed_m_s": (0.0, 20_000.0),
        "test_target_max_range_km": (0.0, 20_038.0),
    },
    "sensor_types": {
        "detection_range_km": (0.0, 50_000.0),  # beyond geostationary distance
        "cued_range_gain": (1.0, 10.0),
        "azimuth_half_width_deg": (0.0, 180.0),
        "min_elevation_deg": (-90.0, 90.0),
        "max_elevation_deg": (-90.0, 90.0),
        "track_delay_s": (0.0, 3_600.0),
        "min_plume_altitude_km": (0.0, 1_000.0),
        "detection_delay_s": (0.0, 3_600.0),
    },
}
ANY_FINITE = (-1e9, 1e9)
# Keys whose text may run over several lines.
_MULTILINE_KEYS = frozenset({"description", "notes"})
_STRICT = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class CaseSplit(BaseModel):
    """Separate capability cases for the offence and the defence."""

    model_config = _STRICT

    threats: Case = "nominal"
    defence: Case = "nominal"


class ScenarioHeader(BaseModel):
    model_config = _STRICT

    name: str
    description: str = ""
    architecture: str | None = None
    case: Case | CaseSplit = "nominal"


class StrategicSpec(BaseModel):
    """Which strategic forces the stability verdict judges (see the module notes)."""

    model_config = _STRICT

    catalog: bool = True
    # None: all of them; an empty list would silently judge nothing.
    parties: list[str] | None = Field(default=None, min_length=1)
    launch_areas: list[str] | None = Field(default=None, min_length=1)
    targets: list[str] | None = Field(default=None, min_length=1)
    shapes: list[Literal["minimum-energy", "lofted", "depressed"]] = Field(
        default=["minimum-energy", "lofted", "depressed"], min_length=1
    )
    missiles: Literal["primary", "all"] = "primary"


class Assumptions(BaseModel):
    model_config = _STRICT

    cueing: Literal["none", "within-party", "across-parties"] | None = None
    decision_delay_s: float = Field(default=0.0, ge=0.0, le=3600.0, allow_inf_nan=False)
    sample_interval_s: float = Field(default=2.0, ge=0.1, le=30.0, allow_inf_nan=False)
    # "What you would need to believe" about sensors: every site holds a
    # fire-control track this long after each threat's launch (None: the
    # sensor model decides).
    fire_control_at_s: float | None = Field(
        default=None, ge=0.0, le=MAX_FLIGHT_TIME_S, allow_inf_nan=False
    )
    earth: Literal["wgs84", "sphere"] = "wgs84"
    rotating: bool = True
    drag: bool = True


class CueingRule(BaseModel):
    model_config = _STRICT

    from_party: str = Field(alias="from")
    to_party: str = Field(alias="to")


class ThreatSpec(BaseModel):
    model_config = _STRICT

    name: str | None = None
    missile: str
    from_area: str | None = Field(default=None, alias="from")
    from_latlon: tuple[float, float] | None = None
    party: str | None = None  # whose missile, for a threat from a given point
    to: list[str] = []
    to_latlon: list[tuple[float, float]] = []
    shapes: list[Literal["minimum-energy", "lofted", "depressed"]] = Field(
        default=["minimum-energy"], min_length=1
    )
    launch_time_s: float = Field(default=0.0, ge=0.0, le=86_400.0, allow_inf_nan=False)
    rcs_m2: float | None = Field(default=None, ge=1e-6, le=1e4, allow_inf_nan=False)

    @model_validator(mode="after")
    def _one_origin_and_targets(self) -> ThreatSpec:
        if (self.from_area is None) == (self.from_latlon is None):
            raise ValueError("give exactly one of from (a launch area) or from_latlon")
        if not self.to and not self.to_latlon:
            raise ValueError("give targets: to (target areas) or to_latlon")
        for lat, lon in ([self.from_latlon] if self.from_latlon else []) + self.to_latlon:
            if not (-90 <= lat <= 90 and -180 <= lon <= 360):
                raise ValueError(f"({lat}, {lon}) is not a latitude, longitude in degrees")
        return self


class PatrolAreaSpec(BaseModel):
    """A declared area (a polygon of [lat, lon] vertices, degrees) where ships may patrol."""

    model_config = _STRICT

    name: str
    interceptor: str | None = None
    vertices: list[tuple[float, float]] = Field(min_length=3, max_length=10_000)


class SiteSpec(BaseModel):
    """A catalog site by id, or a new site; given fields override the catalog's."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str


class ScenarioFile(BaseModel):
    model_config = _STRICT

    scenario: ScenarioHeader
    assumptions: Assumptions = Assumptions()
    cueing_rules: list[CueingRule] = []
    sites: list[SiteSpec] = []
    overrides: dict[str, dict[str, dict[str, Any]]] = {}
    threats: list[ThreatSpec] = []
    strategic: StrategicSpec = StrategicSpec()
    operations: OperationsSpec = OperationsSpec()
    patrol_areas: list[PatrolAreaSpec] = []


@dataclass(frozen=True)
class PatrolArea:
    """A validated patrol area: a simple polygon on the globe, degrees."""

    name: str
    interceptor: str | None  # None: every interceptor type of the scenario
    lat_deg: tuple[float, ...]
    lon_deg: tuple[float, ...]


@dataclass(frozen=True)
class Threat:
    """One threat trajectory to analyse: a missile, launch point, aim point, shape."""

    name: str
    missile: str
    launch_lat_deg: float
    launch_lon_deg: float
    target_name: str
    target_lat_deg: float
    target_lon_deg: float
    shape: str
    launch_time_s: float
    rcs_m2: float | None  # the RV's cross section in every band, overriding the catalog's
    launch_area: str | None = None  # catalog launch area id, when launched from one
    party: str | None = None  # whose missile (the launch area's party, or as given)
    threat_class: ThreatClass = "regional"  # the one rule: `threat_class`


@dataclass(frozen=True)
class Scenario:
    """A validated scenario with every name resolved against the catalog."""

    path: Path
    name: str
    description: str
    threat_case: Case
    defence_case: Case
    assumptions: Assumptions
    catalog: Catalog
    sites: dict[str, Site]
    interceptors: dict[str, Interceptor]
    sensor_types: dict[str, SensorType]
    cueing: str
    cueing_pairs: frozenset[tuple[str, str]]
    threats: list[Threat]
    digest: str  # SHA-256 of the scenario file
    operations: Operations  # the joint-operation rules ([operations], or their defaults)
    parties: list[str] = field(default_factory=list)
    architecture: str | None = None  # the catalog architecture it starts from
    strategic: StrategicSpec = field(default_factory=StrategicSpec)
    patrol_areas: list[PatrolArea] = field(default_factory=list)
    # The parsed file it was resolved from (for `with_architecture`); empty if built otherwise.
    source: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def case_label(self) -> str:
        """The capability cases in words ("nominal", or "threats low, defence high")."""
        if self.threat_case == self.defence_case:
            return self.threat_case
        return f"threats {self.threat_case}, defence {self.defence_case}"

    def with_case(self, case: Case) -> Scenario:
        """The same scenario with one capability case for both sides."""
        return dataclasses.replace(self, threat_case=case, defence_case=case)

    def may_cue(self, sensor_party: str, site_party: str) -> bool:
        """Whether a sensor of one party may give tracks to another party's site."""
        if sensor_party == site_party:
            return self.cueing != "none"
        return self.cueing == "across-parties" or (sensor_party, site_party) in self.cueing_pairs


def _apply_overrides(
    base: dict[str, Any], overrides: dict[str, Any], path: Path, key: str
) -> dict[str, Any]:
    """Overlay override values; a plain number replaces a sourced quantity."""
    merged = copy.deepcopy(base)
    for name, value in overrides.items():
        current = merged.get(name)
        if (
            isinstance(current, dict)
            and "nominal" in current
            and isinstance(value, int | float)
            and not isinstance(value, bool)
        ):
            merged[name] = {"nominal": float(value), "source": f"scenario {path.name}"}
        else:
            merged[name] = value
    return merged


def _override_table(
    raw_overrides: dict[str, dict[str, dict[str, Any]]],
    kind: str,
    known: dict[str, Any],
    schema: type[BaseModel],
    path: Path,
) -> dict[str, Any]:
    result = dict(known)
    for entry_id, values in raw_overrides.get(kind, {}).items():
        where = f"{path}: overrides.{kind}.{entry_id}"
        if entry_id not in known:
            raise unknown_name_error(kind.rstrip("s").replace("_", " "), entry_id, known, where)
        data = _apply_overrides(known[entry_id].model_dump(by_alias=True), values, path, where)
        try:
            result[entry_id] = schema.model_validate(data)
        except ValidationError as exc:
            raise RoofError(validation_error(path, exc).what, where=where) from None
        _check_override_bounds(result[entry_id], kind, set(values), where)
    return result


def load_scenario(
    path: Path, catalog: Catalog | None = None, *, architecture: str | None = None
) -> Scenario:
    """Read, validate and resolve a scenario file.

    `architecture` replaces the file's catalog architecture (to compare
    architectures on the same threats and assumptions).
    """
    catalog = catalog or load_catalog()
    file_bytes = read_file_bytes(path)
    raw = parse_toml(decode_utf8(file_bytes, str(path)), str(path))
    check_raw_values(raw, str(path))
    digest = hashlib.sha256(file_bytes).hexdigest()
    return _resolve_scenario(raw, catalog, path, digest, architecture)


def with_architecture(scenario: Scenario, architecture: str) -> Scenario:
    """The scenario on another catalog architecture, built in memory from what
    was loaded (the same threats, assumptions and own sites; no file is read).

    The same as loading the file with ``architecture=``: the scenario's own
    sites are laid over the new architecture's as they were over its own.
    """
    if not scenario.source:
        raise RoofError(
            "this scenario was not loaded from a scenario file: it cannot be moved to "
            "another architecture.",
            where=str(scenario.path),
            fix="Load it with load_scenario.",
        )
    return _resolve_scenario(
        copy.deepcopy(scenario.source),
        scenario.catalog,
        scenario.path,
        scenario.digest,
        architecture,
    )


def _resolve_scenario(
    raw: dict[str, Any], catalog: Catalog, path: Path, digest: str, architecture: str | None
) -> Scenario:
    """Validate a parsed scenario file and resolve its names against the catalog."""
    source = copy.deepcopy(raw)  # kept for `with_architecture`, before any change
    if architecture is not None and isinstance(raw.get("scenario"), dict):
        raw["scenario"]["architecture"] = architecture
    try:
        spec = ScenarioFile.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(path, exc, ScenarioFile) from None
    unknown_kinds = set(spec.overrides) - {"interceptors", "sensor_types"}
    if unknown_kinds:
        kind = sorted(unknown_kinds)[0]
        raise unknown_name_error(
            "override table", kind, ["interceptors", "sensor_types"], f"{path}: overrides"
        )
    interceptors = _override_table(
        spec.overrides, "interceptors", catalog.interceptors, Interceptor, path
    )
    sensor_types = _override_table(
        spec.overrides, "sensor_types", catalog.sensor_types, SensorType, path
    )

    # Sites: the architecture's, then the scenario's own list (new or changed).
    sites: dict[str, Site] = {}
    cueing = "within-party"
    if spec.scenario.architecture is not None:
        where = f"{path}: scenario.architecture"
        site_ids = catalog.architecture_sites(spec.scenario.architecture, where=where)
        overrides = catalog.interceptor_overrides(spec.scenario.architecture)
        cueing = catalog.architectures[spec.scenario.architecture].cueing
        for site_id in site_ids:
            site = catalog.sites[site_id]
            if site_id in overrides:
                batteries = [
                    b.model_copy(update={"type": overrides[site_id]}) for b in site.interceptors
                ]
                site = site.model_copy(update={"interceptors": batteries})
            sites[site_id] = site
    seen: dict[str, int] = {}
    for i, site_spec in enumerate(spec.sites):
        where = f"{path}: sites[{i}]"
        if site_spec.id in seen:
            raise RoofError(
                f"duplicate site id {site_spec.id!r} (also sites[{seen[site_spec.id]}]).",
                where=where,
                fix="Give every site its own id.",
            )
        seen[site_spec.id] = i
        extra = {k: v for k, v in (site_spec.model_extra or {}).items()}
        base = sites.get(site_spec.id) or catalog.sites.get(site_spec.id)
        if base is None and not extra:
            raise unknown_name_error("site", site_spec.id, catalog.sites, f"{where}.id")
        data = (
            _apply_overrides(base.model_dump(), extra, path, where)
            if base is not None
            else {"name": site_spec.id, **_as_quantities(extra, path)}
        )
        try:
            sites[site_spec.id] = Site.model_validate(data)
        except ValidationError as exc:
            raise RoofError(validation_error(path, exc).what, where=where) from None
        _check_site(sites[site_spec.id], where)
    if not sites:
        raise RoofError(
            "the scenario has no sites.",
            where=f"{path}: scenario",
            fix="Name a catalog architecture or list [[sites]].",
        )
    for site_id, site in sites.items():
        where = f"{path}: site {site_id}"
        if site.party not in catalog.parties:
            raise unknown_name_error("party", site.party, catalog.parties, f"{where}.party")
        for mount in site.sensors:
            if mount.type not in sensor_types:
                raise unknown_name_error(
                    "sensor type", mount.type, sensor_types, f"{where}.sensors"
                )
        for battery in site.interceptors:
            if battery.type not in interceptors:
                raise unknown_name_error(
                    "interceptor", battery.type, interceptors, f"{where}.interceptors"
                )
    if spec.assumptions.cueing is not None:
        cueing = spec.assumptions.cueing
    pairs = set()
    for i, rule in enumerate(spec.cueing_rules):
        for party, key in ((rule.from_party, "from"), (rule.to_party, "to")):
            if party not in catalog.parties:
                where = f"{path}: cueing_rules[{i}].{key}"
                raise unknown_name_error("party", party, catalog.parties, where)
        pairs.add((rule.from_party, rule.to_party))

    threats = [
        threat
        for i, threat_spec in enumerate(spec.threats)
        for threat in _resolve_threat(threat_spec, i, catalog, path)
    ]
    _check_sizes(sites, threats, path)
    _check_strategic(spec.strategic, catalog, path)
    header_case = spec.scenario.case
    case = (
        header_case
        if isinstance(header_case, CaseSplit)
        else CaseSplit(threats=header_case, defence=header_case)
    )
    parties = sorted({s.party for s in sites.values()})
    # Hosts take part in operations too: they approve what fires from their soil.
    operating = sorted({*parties, *(s.host for s in sites.values() if s.host)})
    operations = _resolve_operations(spec.operations, operating, sites, catalog, path)
    scenario = Scenario(
        path=path,
        name=spec.scenario.name,
        description=spec.scenario.description,
        threat_case=case.threats,
        defence_case=case.defence,
        assumptions=spec.assumptions,
        catalog=catalog,
        sites=sites,
        interceptors=interceptors,
        sensor_types=sensor_types,
        cueing=cueing,
        cueing_pairs=frozenset(pairs),
        threats=threats,
        digest=digest,
        parties=parties,
        architecture=spec.scenario.architecture,
        operations=operations,
        strategic=spec.strategic,
        patrol_areas=[
            _patrol_area(area, i, interceptors, path) for i, area in enumerate(spec.patrol_areas)
        ],
        source=source,
    )
    check_memory(scenario)
    return scenario


def _patrol_area(
    spec: PatrolAreaSpec, index: int, interceptors: dict[str, Interceptor], path: Path
) -> PatrolArea:
    """Check a patrol area: known interceptor, vertices on the globe, a simple polygon."""
    where = f"{path}: patrol_areas[{index}] ({spec.name})"
    if spec.interceptor is not None and spec.interceptor not in interceptors:
        raise unknown_name_error(
            "interceptor", spec.interceptor, interceptors, f"{where}.interceptor"
        )
    for lat, lon in spec.vertices:
        if not (-90 <= lat <= 90 and -180 <= lon <= 360):
            raise RoofError(
                f"vertex ({lat}, {lon}) is not a latitude, longitude in degrees.",
                where=f"{where}.vertices",
            )
    polygon = shapely.Polygon([(lon, lat) for lat, lon in spec.vertices])
    distinct = len({(lat, lon) for lat, lon in spec.vertices})
    if distinct < 3 or polygon.convex_hull.area <= 0.0:
        raise RoofError(
            "the patrol area is empty: its vertices enclose no area.",
            where=f"{where}.vertices",
            fix="Give at least three distinct [lat, lon] vertices around the area.",
        )
    if not polygon.is_valid:
        raise RoofError(
            f"the patrol area's outline crosses itself ({shapely.is_valid_reason(polygon)}).",
            where=f"{where}.vertices",
            fix="List the vertices in order around the area, without crossing edges.",
        )
    return PatrolArea(
        spec.name,
        spec.interceptor,
        tuple(float(lat) for lat, _ in spec.vertices),
        tuple(float(lon) for _, lon in spec.vertices),
    )


def _resolve_operations(
    spec: OperationsSpec, parties: list[str], sites: dict[str, Site], catalog: Catalog, path: Path
) -> Operations:
    """Check the [operations] rules' party and site names against the scenario."""
    for i, rule in enumerate(spec.sharing):
        for party, key in ((rule.from_party, "from"), (rule.to_party, "to")):
            if party not in parties:
                where = f"{path}: operations.sharing[{i}].{key}"
                raise unknown_name_error("party of this scenario", party, parties, where)
    for i, approval in enumerate(spec.approvals):
        for site in approval.sites or []:
            if site not in sites:
                where = f"{path}: operations.approvals[{i}].sites"
                raise unknown_name_error("site of this scenario", site, sites, where)
        for who in approval.approvers:
            if who not in APPROVER_ROLES and who not in catalog.parties:
                where = f"{path}: operations.approvals[{i}].approvers"
                raise unknown_name_error(
                    "approver", who, [*APPROVER_ROLES, *catalog.parties], where
                )
    return Operations(spec, tuple(parties))


def _as_quantities(values: dict[str, Any], path: Path) -> dict[str, Any]:
    """Inline sites may give plain numbers; they are the scenario's own values."""
    out = dict(values)
    for key in ("lat_deg", "lon_deg", "altitude_m"):
        if isinstance(out.get(key), int | float) and not isinstance(out.get(key), bool):
            out[key] = {"nominal": float(out[key]), "source": f"scenario {path.name}"}
    return out


def _resolve_threat(spec: ThreatSpec, index: int, catalog: Catalog, path: Path) -> list[Threat]:
    where = f"{path}: threats[{index}]"
    if spec.missile not in catalog.missiles.missiles:
        raise unknown_name_error(
            "missile", spec.missile, catalog.missiles.missiles, f"{where}.missile"
        )
    if spec.from_area is not None:
        if spec.from_area not in catalog.launch_areas:
            raise unknown_name_error(
                "launch area", spec.from_area, catalog.launch_areas, f"{where}.from"
            )
        area = catalog.launch_areas[spec.from_area]
        origin = (area.lat_deg.nominal, area.lon_deg.nominal)
        origin_name = spec.from_area
        party: str | None = area.party
        if spec.party is not None and spec.party != area.party:
            raise RoofError(
                f"launch area {spec.from_area!r} belongs to {area.party!r}, not {spec.party!r}.",
                where=f"{where}.party",
                fix="Leave party out for a catalog launch area.",
            )
    else:
        assert spec.from_latlon is not None
        origin = spec.from_latlon
        origin_name = f"{origin[0]:.2f},{origin[1]:.2f}"
        party = spec.party
        if party is not None and party not in catalog.parties:
            raise unknown_name_error("party", party, catalog.parties, f"{where}.party")
    kind = threat_class(catalog, spec.missile, spec.from_area, party)
    targets: list[tuple[str, float, float]] = []
    for target_id in spec.to:
        if target_id not in catalog.target_areas:
            raise unknown_name_error("target area", target_id, catalog.target_areas, f"{where}.to")
        area_t = catalog.target_areas[target_id]
        targets.append((target_id, area_t.lat_deg.nominal, area_t.lon_deg.nominal))
    for lat, lon in spec.to_latlon:
        targets.append((f"{lat:.2f},{lon:.2f}", lat, lon))
    threats = []
    for target_name, lat, lon in targets:
        for shape in spec.shapes:
            name = spec.name or f"{spec.missile} {origin_name}->{target_name}"
            if len(targets) > 1 or len(spec.shapes) > 1:
                name = f"{name} ({target_name}, {shape})" if spec.name else f"{name} {shape}"
            elif not spec.name:
                name = f"{name} {shape}"
            threats.append(
                Threat(
                    name=name,
                    missile=spec.missile,
                    launch_lat_deg=origin[0],
                    launch_lon_deg=origin[1],
                    target_name=target_name,
                    target_lat_deg=lat,
                    target_lon_deg=lon,
                    shape=shape,
                    launch_time_s=spec.launch_time_s,
                    rcs_m2=spec.rcs_m2,
                    launch_area=spec.from_area,
                    party=party,
                    threat_class=kind,
                )
            )
    if not all(math.isfinite(t.launch_lat_deg) for t in threats):
        raise RoofError("a launch point is not finite.", where=where)
    return threats


def threat_class(
    catalog: Catalog, missile_id: str, launch_area: str | None, party: str | None = None
) -> ThreatClass:
    """ "strategic" or "regional": the one rule every command uses.

    Strategic: launched from a strategic launch area (ICBM field, SLBM patrol
    area), or, from a given point, by an ICBM or SLBM of a party with
    strategic forces in the catalog (or of no stated party). Regional:
    everything else (an ICBM launched from a regional area, or by a party
    without catalogued strategic forces, e.g. a future Iranian ICBM, is a
    regional threat to the roof).
    """
    if launch_area is not None:
        kind = catalog.launch_areas[launch_area].kind
        return "strategic" if kind.startswith("strategic") else "regional"
    missile = catalog.missiles.missile(missile_id)
    if missile.missile_class not in ("ICBM", "SLBM"):
        return "regional"
    if party is not None and not any(
        a.party == party and a.kind.startswith("strategic") for a in catalog.launch_areas.values()
    ):
        return "regional"  # a party with no strategic forces catalogued (a future Iranian ICBM)
    return "strategic"


def _check_strategic(spec: StrategicSpec, catalog: Catalog, path: Path) -> None:
    where = f"{path}: strategic"
    for party in spec.parties or []:
        if party not in catalog.parties:
            raise unknown_name_error("party", party, catalog.parties, f"{where}.parties")
    for area in spec.launch_areas or []:
        if area not in catalog.launch_areas:
            raise unknown_name_error(
                "launch area", area, catalog.launch_areas, f"{where}.launch_areas"
            )
        if not catalog.launch_areas[area].kind.startswith("strategic"):
            raise RoofError(
                f"launch area {area!r} is not a strategic one ({catalog.launch_areas[area].kind}).",
                where=f"{where}.launch_areas",
                fix="Name ICBM fields or SLBM patrol areas (roof catalog threats).",
            )
    for target in spec.targets or []:
        if target not in catalog.target_areas:
            raise unknown_name_error(
                "target area", target, catalog.target_areas, f"{where}.targets"
            )


def strategic_threats(scenario: Scenario) -> list[Threat]:
    """The strategic set the stability verdict judges (see the module notes).

    The catalogued part: for every party whose forces some battery of
    another party could face, each of its strategic launch areas (its first
    missile, or all with ``missiles = "all"``) against its strategic
    adversaries' catalogued cities, on each shape; restricted by
    ``[strategic]``. Then the scenario's own strategic threats, without
    repeating one the catalogued part already holds.
    """
    catalog = scenario.catalog
    spec = scenario.strategic
    owners = {site.party for site in scenario.sites.values() if site.interceptors}
    found: list[Threat] = []
    seen: set[tuple[str, ...]] = set()
    if spec.catalog and owners:
        for area_id, area in catalog.launch_areas.items():
            if not area.kind.startswith("strategic"):
                continue
            if owners <= {area.party}:  # only its own batteries: nothing to judge
                continue
            if spec.parties is not None and area.party not in spec.parties:
                continue
            if spec.launch_areas is not None and area_id not in spec.launch_areas:
                continue
            adversaries = catalog.parties[area.party].strategic_adversaries
            target_ids = spec.targets
            if target_ids is None:
                target_ids = [
                    t_id for t_id, t in catalog.target_areas.items() if t.party in adversaries
                ]
            missiles = area.missiles if spec.missiles == "all" else area.missiles[:1]
            for missile_id in missiles:
                for target_id in target_ids:
                    target = catalog.target_areas[target_id]
                    for shape in spec.shapes:
                        seen.add((missile_id, area_id, target_id, shape))
                        found.append(
                            Threat(
                                name=f"{missile_id} {area_id}->{target_id} {shape}",
                                missile=missile_id,
                                launch_lat_deg=area.lat_deg.nominal,
                                launch_lon_deg=area.lon_deg.nominal,
                                target_name=target_id,
                                target_lat_deg=target.lat_deg.nominal,
                                target_lon_deg=target.lon_deg.nominal,
                                shape=shape,
                                launch_time_s=0.0,
                                rcs_m2=None,
                                launch_area=area_id,
                                party=area.party,
                                threat_class="strategic",
                            )
                        )
    for threat in scenario.threats:
        if threat.threat_class != "strategic":
            continue
        own = (threat.missile, threat.launch_area or "", threat.target_name, threat.shape)
        if own not in seen:
            seen.add(own)
            found.append(threat)
    return found


def regional_threats(scenario: Scenario) -> list[Threat]:
    """The scenario's regional threats (`threat_class`), in order."""
    return [t for t in scenario.threats if t.threat_class == "regional"]


def _unsafe_character(text: str, multiline: bool) -> str | None:
    """The first character that must not appear in scenario text, or None.

    Control characters (terminal escape codes, NUL, carriage returns) and the
    bidirectional overrides that make text read differently from what it is
    are refused; tabs and newlines only where text may run over lines.
    """
    for char in text:
        if multiline and char in "\n\t":
            continue
        category = unicodedata.category(char)
        if category == "Cc" or (category == "Cf" and unicodedata.bidirectional(char) in _BIDI):
            return char
    return None


_BIDI = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})


def check_raw_values(raw: dict[str, Any], where: str) -> None:
    """Refuse what no schema should have to see: text with control characters
    (in values or keys), numbers that are not finite, integers beyond
    `MAX_INTEGER`. Each error names the key path."""
    stack: list[tuple[Any, str, str]] = [(raw, "", "")]
    while stack:
        value, keys, last = stack.pop()
        at = f"{where}: {keys}" if keys else where
        if isinstance(value, dict):
            for key, item in value.items():
                bad = _unsafe_character(str(key), multiline=False)
                if bad is not None:
                    raise RoofError(
                        f"a key holds the control character {bad!r} ({key!r}).",
                        where=at,
                        fix="Keys are plain names: remove the character.",
                    )
                stack.append((item, f"{keys}.{key}" if keys else str(key), str(key)))
        elif isinstance(value, list):
            stack.extend((item, f"{keys}[{i}]", last) for i, item in enumerate(value))
        elif isinstance(value, str):
            bad = _unsafe_character(value, multiline=last in _MULTILINE_KEYS)
            if bad is not None:
                raise RoofError(
                    f"the text holds the control character {bad!r} ({value[:60]!r}).",
                    where=at,
                    fix="Remove control characters (escape codes, line breaks in names).",
                )
        elif isinstance(value, bool):
            continue
        elif isinstance(value, float) and not math.isfinite(value):
            raise RoofError(
                f"{value} is not a finite number.", where=at, fix="Give a finite number."
            )
        elif isinstance(value, int) and abs(value) > MAX_INTEGER:
            raise RoofError(
                f"the integer is far too large ({len(str(abs(value)))} digits).",
                where=at,
                fix=f"Give a number of at most {MAX_INTEGER:.0e} in magnitude.",
            )


def _quantity_values(quantity: Quantity) -> list[float]:
    return [v for v in (quantity.low, quantity.nominal, quantity.high) if v is not None]


def _in_range(
    values: Iterable[float], bounds: tuple[float, float], key: str, unit: str, where: str
) -> None:
    low, high = bounds
    for value in values:
        if not (math.isfinite(value) and low <= value <= high):
            raise RoofError(
                f"{key} {value:g} is outside its physical range, {low:g} to {high:g}{unit}.",
                where=f"{where}.{key}",
                fix="Give a value within the range.",
            )


def _check_site(site: Site, where: str) -> None:
    """The bounds of a scenario's own site: on the Earth's surface (or in orbit), boresights
    as compass azimuths, sane battery sizes, something at the site."""
    _in_range(_quantity_values(site.lat_deg), (-90.0, 90.0), "lat_deg", " deg", where)
    _in_range(_quantity_values(site.lon_deg), (-180.0, 360.0), "lon_deg", " deg", where)
    if site.altitude_m is not None:
        bounds = SATELLITE_ALTITUDE_M if site.kind == "satellite" else SITE_ALTITUDE_M
        _in_range(_quantity_values(site.altitude_m), bounds, "altitude_m", " m", where)
    for i, mount in enumerate(site.sensors):
        _in_range(
            [mount.boresight_deg], (0.0, 360.0), "boresight_deg", " deg", f"{where}.sensors[{i}]"
        )
    for i, battery in enumerate(site.interceptors):
        _in_range([battery.count], (0, MAX_COUNT), "count", "", f"{where}.interceptors[{i}]")
    if not site.sensors and not site.interceptors:
        raise RoofError(
            "the site has neither sensors nor interceptors.",
            where=where,
            fix="Give it sensors = [...] or interceptors = [...], or leave it out.",
        )


def _check_override_bounds(entry: BaseModel, kind: str, keys: set[str], where: str) -> None:
    """The overridden numbers of a catalog entry within their physical ranges."""
    bounds = OVERRIDE_BOUNDS.get(kind, {})
    for key in sorted(keys):
        value = getattr(entry, key, None)
        if isinstance(value, Quantity):
            values = _quantity_values(value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            values = [float(value)]
        else:
            continue
        unit = next((f" {u}" for u in ("km", "m_s", "s", "deg") if key.endswith(u)), "")
        _in_range(values, bounds.get(key, ANY_FINITE), key, unit.replace("m_s", "m/s"), where)


def _check_sizes(sites: dict[str, Site], threats: list[Threat], path: Path) -> None:
    if len(threats) > MAX_THREATS:
        raise RoofError(
            f"the scenario expands to {len(threats):,} threat trajectories (targets x shapes); "
            f"the limit is {MAX_THREATS:,}.",
            where=f"{path}: threats",
            fix="Split it into several scenarios.",
        )
    if len(sites) > MAX_SITES:
        raise RoofError(
            f"the scenario has {len(sites):,} sites; the limit is {MAX_SITES:,}.",
            where=f"{path}: sites",
            fix="Split it into several scenarios.",
        )


# Sampling, as the analyses do it: every threat trajectory is flown in each of
# three capability cases, for at most this long; each interceptor type's reach
# table flies a fan of this many trajectories for its longest flight plus a
# margin. A sample holds six float64 numbers.
_THREAT_FLIGHT_S = 3_600.0
_CASES = 3
_FAN_RAYS = 80
_FAN_MARGIN = 1.25
_SAMPLE_BYTES = 6 * 8


def sample_memory_bytes(scenario: Scenario) -> int:
    """An estimate of the memory the sampled trajectories of an analysis take."""
    dt = scenario.assumptions.sample_interval_s
    threat_bytes = len(scenario.threats) * _CASES * math.ceil(_THREAT_FLIGHT_S / dt) * _SAMPLE_BYTES
    types = {b.type for s in scenario.sites.values() for b in s.interceptors}
    fan_bytes = 0
    for kind in types:
        longest = max(_quantity_values(scenario.interceptors[kind].max_flight_time_s))
        fan_bytes += _FAN_RAYS * math.ceil(longest * _FAN_MARGIN / dt) * _SAMPLE_BYTES
    return threat_bytes + fan_bytes


def memory_budget_bytes() -> int:
    """Half this machine's memory, at most `MAX_SAMPLE_BYTES`."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return MAX_SAMPLE_BYTES
    return min(MAX_SAMPLE_BYTES, total // 2) if total > 0 else MAX_SAMPLE_BYTES


def check_memory(scenario: Scenario) -> None:
    """Refuse, before any work, a scenario whose samples would not fit in memory."""
    need = sample_memory_bytes(scenario)
    budget = memory_budget_bytes()
    if need > budget:
        raise RoofError(
            f"the trajectory samples would take about {need / 2**30:,.1f} GiB of memory "
            f"(the limit here is {budget / 2**30:,.1f} GiB).",
            where=f"{scenario.path}: assumptions.sample_interval_s",
            fix="Sample less often (a larger sample_interval_s), or list fewer threats.",
        )

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

    [overrides.missiles.shahab-3]    # change a catalog missile (sensor_types likewise)
    payload_mass_kg = 1000.0

    [missiles.my-mrbm]               # a missile of the scenario's own, checked like the
    name = "Notional MRBM"           # catalog's; plain numbers are the scenario's values
    class = "MRBM"
    propellant = "liquid"
    published_range_km = 1500.0
    payload_mass_kg = 750.0
    ballistic_coefficient_kg_m2 = 4500.0
    vertical_rise_s = 5.0
    signature_like = "shahab-3"      # radar and infrared like this catalog missile
                                     # (default: the first of the same class)
    [[missiles.my-mrbm.stages]]      # bottom stage first
    propellant_mass_kg = 13000.0
    dry_mass_kg = 2100.0
    burn_time_s = 110.0
    isp_vacuum_s = 250.0
    diameter_m = 1.32

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

`Scenario.from_toml(text)` and `Scenario.from_dict(mapping)` build the same
scenario from text or a Python mapping (errors then name "<string>" as the
file). The scenario's hash (`digest`) covers its missile overrides and its
own missiles, so a report's manifest changes when they do.

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
import json
import math
import os
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import shapely
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from securityroof.errors import RoofError
from securityroof.model.catalog import (
    MAX_TOML_BYTES,
    Catalog,
    MissileCatalog,
    decode_utf8,
    load_catalog,
    parse_toml,
    read_file_bytes,
    unknown_name_error,
    validation_error,
)
from securityroof.model.defence import Interceptor, SensorType, Site
from securityroof.model.missile import Missile, Stage
from securityroof.model.operations import APPROVER_ROLES, Operations, OperationsSpec
from securityroof.model.quantity import Case, Quantity
from securityroof.model.shapes import SHAPES, Shape
from securityroof.model.signature import MissileSignature

ThreatClass = Literal["regional", "strategic"]
# What errors name as the file of a scenario built from text or a mapping.
IN_MEMORY = Path("<string>")
# The catalog tables a scenario's [overrides] may change.
OVERRIDE_KINDS = ("interceptors", "sensor_types", "missiles")

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
    "missiles": {
        "published_range_km": (0.0, 20_038.0),
        "launch_mass_kg": (0.0, 1e6),  # the heaviest ICBMs weigh about 210 t
        "payload_mass_kg": (0.0, 1e5),
        "ballistic_coefficient_kg_m2": (0.0, 1e6),
        "vertical_rise_s": (0.0, 600.0),
        "pitch_over_s": (0.0, 600.0),
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
# Field docstrings become the schema's descriptions: the scenario reference and the
# editors' JSON Schema (`scenario_schema.py`) are generated from them.
_STRICT = ConfigDict(
    extra="forbid", frozen=True, populate_by_name=True, use_attribute_docstrings=True
)


class CaseSplit(BaseModel):
    """Separate capability cases for the offence and the defence."""

    model_config = _STRICT

    threats: Case = "nominal"
    """Capability case of the missiles (threats and the strategic set)."""
    defence: Case = "nominal"
    """Capability case of the sensors and interceptors."""


class ScenarioHeader(BaseModel):
    """The scenario's name, the catalog architecture it starts from and its capability case."""

    model_config = _STRICT

    name: str
    """Shown in every output and report."""
    description: str = ""
    """Free text; may run over several lines."""
    architecture: str | None = None
    """A catalog architecture to start from: its sites and cueing (`roof catalog architectures`)."""
    case: Case | CaseSplit = "nominal"
    """Capability case, `low`, `nominal` or `high`, for both sides, or a table
    `{ threats = ..., defence = ... }` with one for each."""


class StrategicSpec(BaseModel):
    """Which strategic forces the stability verdict judges (see the module notes)."""

    model_config = _STRICT

    catalog: bool = True
    """Judge the catalogued strategic launch areas of every party whose forces another
    party's batteries could face; `false`: only the scenario's own strategic threats."""
    # None: all of them; an empty list would silently judge nothing.
    parties: list[str] | None = Field(default=None, min_length=1)
    """Only these parties' strategic forces (default: every party's)."""
    launch_areas: list[str] | None = Field(default=None, min_length=1)
    """Only these catalog launch areas (ICBM fields, SLBM patrol areas)."""
    targets: list[str] | None = Field(default=None, min_length=1)
    """Catalog target areas, instead of the strategic adversaries' 20 most populous cities."""
    shapes: list[Shape] = Field(default=list(SHAPES), min_length=1)
    """Trajectory shapes flown from each launch area."""
    missiles: Literal["primary", "all"] = "primary"
    """Each launch area's first catalogued missile, or all of them."""


class Assumptions(BaseModel):
    """How sensors share tracks, the delays, and the Earth and flight model."""

    model_config = _STRICT

    cueing: Literal["none", "within-party", "across-parties"] | None = None
    """Which sensors may cue and give tracks to which sites: none, a party's own,
    or every party's (default: the architecture's, else `within-party`)."""
    decision_delay_s: float = Field(default=0.0, ge=0.0, le=3600.0, allow_inf_nan=False)
    """Seconds added to every interceptor's launch delay (a human decision)."""
    sample_interval_s: float = Field(default=2.0, ge=0.1, le=30.0, allow_inf_nan=False)
    """Seconds between the trajectory samples the sensors and batteries look at."""
    # "What you would need to believe" about sensors: every site holds a
    # fire-control track this long after each threat's launch (None: the
    # sensor model decides).
    fire_control_at_s: float | None = Field(
        default=None, ge=0.0, le=MAX_FLIGHT_TIME_S, allow_inf_nan=False
    )
    """Assume every site holds a fire-control track this many seconds after each
    threat's launch (default: the sensor model decides)."""
    earth: Literal["wgs84", "sphere"] = "wgs84"
    """The WGS 84 ellipsoid with J2 gravity, or a sphere of radius 6,371.0 km."""
    rotating: bool = True
    """Fly on the rotating Earth."""
    drag: bool = True
    """Fly through the atmosphere (U.S. Standard Atmosphere 1976)."""


class CueingRule(BaseModel):
    """An extra permission: one party's sensors cue and give tracks to another's sites."""

    model_config = _STRICT

    from_party: str = Field(alias="from")
    """The party whose sensors give the tracks."""
    to_party: str = Field(alias="to")
    """The party whose sites receive them."""


class ThreatSpec(BaseModel):
    """A missile launched from one place at one or more aim points, on one or more shapes."""

    model_config = _STRICT

    name: str | None = None
    """A label (default: missile, launch point, aim point and shape)."""
    missile: str
    """A catalog missile (`roof catalog missiles`)."""
    from_area: str | None = Field(default=None, alias="from")
    """A catalog launch area (`roof catalog threats`); or give `from_latlon`."""
    from_latlon: tuple[float, float] | None = None
    """The launch point, [lat, lon] in degrees; or give `from`."""
    party: str | None = None
    """Whose missile, for a threat from `from_latlon` (decides whether it is strategic)."""
    to: list[str] = []
    """Catalog target areas to aim at."""
    to_latlon: list[tuple[float, float]] = []
    """Aim points, [[lat, lon], ...] in degrees."""
    shapes: list[Shape] = Field(default=["minimum-energy"], min_length=1)
    """Trajectory shapes, each flown to each aim point."""
    launch_time_s: float = Field(default=0.0, ge=0.0, le=86_400.0, allow_inf_nan=False)
    """Launch time in the scenario's clock (raids and the operations exercise)."""
    rcs_m2: float | None = Field(default=None, ge=1e-6, le=1e4, allow_inf_nan=False)
    """The re-entry vehicle's radar cross section in every band, m² (default: the catalog's)."""

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
    """Shown in the envelope's tables and maps."""
    interceptor: str | None = None
    """The interceptor type that patrols there (default: every type of the scenario)."""
    vertices: list[tuple[float, float]] = Field(min_length=3, max_length=10_000)
    """The outline, [[lat, lon], ...] in degrees, in order around a simple polygon."""


class SiteSpec(BaseModel):
    """A catalog site by id, or a new site; given fields override the catalog's."""

    model_config = ConfigDict(extra="allow", frozen=True, use_attribute_docstrings=True)

    id: str
    """A catalog site (`roof catalog sites`) to add or change, or the id of a new site."""


class ScenarioFile(BaseModel):
    """A scenario file (TOML): the tables it may hold."""

    model_config = _STRICT

    scenario: ScenarioHeader
    """Name, architecture and capability case."""
    assumptions: Assumptions = Assumptions()
    """Cueing, delays, sampling and the flight model."""
    cueing_rules: list[CueingRule] = []
    """Extra cueing permissions between parties."""
    sites: list[SiteSpec] = []
    """Sites added to the architecture's, or catalog sites changed."""
    overrides: dict[str, dict[str, dict[str, Any]]] = {}
    """Single catalog values replaced: `[overrides.interceptors.ID]`,
    `[overrides.sensor_types.ID]` and `[overrides.missiles.ID]`; a plain number
    replaces the catalog value."""
    missiles: dict[str, dict[str, Any]] = {}  # the scenario's own missiles, checked below
    """The scenario's own missiles, `[missiles.ID]`, with the keys of a catalog missile."""
    threats: list[ThreatSpec] = []
    """The threats the engagements, footprints and raids analyse."""
    strategic: StrategicSpec = StrategicSpec()
    """Restricts the strategic set of the stability verdict and the envelope."""
    operations: OperationsSpec = OperationsSpec()
    """The rules of the joint operations service (`roof serve`)."""
    patrol_areas: list[PatrolAreaSpec] = []
    """Declared ship patrol areas, judged by `roof envelope`."""


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
class ScenarioOrigin:
    """What a scenario was built from: its text as written (a mapping's as
    indented JSON), the parsed data and the catalog it was resolved against."""

    text: str
    raw: dict[str, Any]
    catalog: Catalog


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
    # What it was built from, to build it again with another architecture.
    origin: ScenarioOrigin = field(repr=False, compare=False)
    parties: list[str] = field(default_factory=list)
    architecture: str | None = None  # the catalog architecture it starts from
    strategic: StrategicSpec = field(default_factory=StrategicSpec)
    patrol_areas: list[PatrolArea] = field(default_factory=list)
    # The missiles the scenario changes or adds: id -> "override" or "scenario".
    missile_changes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_toml(cls, text: str, catalog: Catalog | None = None) -> Scenario:
        """A scenario from TOML text (errors name "<string>" as the file)."""
        return scenario_from_toml(text, catalog)

    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any], catalog: Catalog | None = None) -> Scenario:
        """A scenario from a mapping shaped like the TOML file."""
        return scenario_from_dict(mapping, catalog)

    def with_architecture(self, architecture: str) -> Scenario:
        """The same scenario starting from another catalog architecture."""
        raw = copy.deepcopy(self.origin.raw)
        return resolve_scenario(
            raw,
            self.path,
            self.digest,
            self.origin.text,
            self.origin.catalog,
            architecture=architecture,
        )

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


def default_scenario_path() -> Path:
    """The built-in scenario of `roof assess`: the joint NATO-Russia roof."""
    return Path(str(resources.files("securityroof.scenarios").joinpath("default.toml")))


def load_scenario(
    path: str | os.PathLike[str],
    catalog: Catalog | None = None,
    *,
    architecture: str | None = None,
) -> Scenario:
    """Read, validate and resolve a scenario file.

    `architecture` replaces the file's catalog architecture (to compare
    architectures on the same threats and assumptions).
    """
    path = Path(path)
    file_bytes = read_file_bytes(path)
    text = decode_utf8(file_bytes, str(path))
    raw = parse_toml(text, str(path))
    digest = hashlib.sha256(file_bytes).hexdigest()
    return resolve_scenario(raw, path, digest, text, catalog, architecture=architecture)


def scenario_from_toml(
    text: str, catalog: Catalog | None = None, *, architecture: str | None = None
) -> Scenario:
    """Validate and resolve a scenario given as TOML text (see `load_scenario`)."""
    if not isinstance(text, str):
        raise RoofError(
            f"the scenario text is a {type(text).__name__}, not a str.",
            where=str(IN_MEMORY),
            fix="Pass the TOML text itself, or use load_scenario(path) for a file.",
        )
    data = text.encode("utf-8", errors="surrogatepass")
    if len(data) > MAX_TOML_BYTES:
        raise RoofError(
            f"the scenario text is too large ({len(data):,} bytes; the limit is "
            f"{MAX_TOML_BYTES:,}).",
            where=str(IN_MEMORY),
        )
    raw = parse_toml(text, str(IN_MEMORY))
    digest = hashlib.sha256(data).hexdigest()
    return resolve_scenario(raw, IN_MEMORY, digest, text, catalog, architecture=architecture)


def scenario_from_dict(
    mapping: Mapping[str, Any], catalog: Catalog | None = None, *, architecture: str | None = None
) -> Scenario:
    """Validate and resolve a scenario given as a mapping shaped like the TOML file.

    Its hash is that of its canonical JSON form (keys sorted), so the same
    mapping always gives the same digest.
    """
    if not isinstance(mapping, Mapping):
        raise RoofError(
            f"the scenario is a {type(mapping).__name__}, not a mapping.",
            where=str(IN_MEMORY),
            fix='Pass a dict such as {"scenario": {"name": ...}, "threats": [...]}.',
        )
    try:
        # Through JSON: tuples become lists, and anything but plain values is refused.
        canonical = json.dumps(mapping, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise RoofError(
            f"the scenario holds a value that is not plain data ({exc}).",
            where=str(IN_MEMORY),
            fix="Use only dicts, lists, strings, numbers and booleans.",
        ) from None
    raw = json.loads(canonical)
    digest = hashlib.sha256(canonical.encode("utf-8", errors="surrogatepass")).hexdigest()
    text = json.dumps(raw, indent=1, sort_keys=True)
    return resolve_scenario(raw, IN_MEMORY, digest, text, catalog, architecture=architecture)


def resolve_scenario(
    raw: dict[str, Any],
    path: Path,
    digest: str,
    text: str,
    catalog: Catalog | None = None,
    *,
    architecture: str | None = None,
) -> Scenario:
    """Validate parsed scenario data and resolve its names against the catalog.

    `path` is only what errors name; `digest` the hash of the `text` it came from.
    """
    base_catalog = catalog or load_catalog()
    origin = ScenarioOrigin(text, copy.deepcopy(raw), base_catalog)
    check_raw_values(raw, str(path))
    if architecture is not None and isinstance(raw.get("scenario"), dict):
        raw["scenario"]["architecture"] = architecture
    try:
        spec = ScenarioFile.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(path, exc, ScenarioFile) from None
    unknown_kinds = set(spec.overrides) - set(OVERRIDE_KINDS)
    if unknown_kinds:
        kind = sorted(unknown_kinds)[0]
        raise unknown_name_error("override table", kind, OVERRIDE_KINDS, f"{path}: overrides")
    catalog, missile_changes = _scenario_missiles(spec, base_catalog, path)
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
        missile_changes=missile_changes,
        origin=origin,
    )
    check_memory(scenario)
    return scenario


def _own_values(schema: type[BaseModel], values: dict[str, Any], source: str) -> dict[str, Any]:
    """Plain numbers where `schema` holds a sourced quantity become quantities of
    the scenario's own (`source`); stages likewise."""
    out = dict(values)
    for key, value in values.items():
        field_info = schema.model_fields.get(key) or next(
            (f for f in schema.model_fields.values() if f.alias == key), None
        )
        if field_info is None:
            continue
        wants_quantity = Quantity in (
            field_info.annotation,
            *getattr(field_info.annotation, "__args__", ()),
        )
        if wants_quantity and isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = {"nominal": float(value), "source": source}
        elif key == "stages" and isinstance(value, list):
            out[key] = [
                _own_values(Stage, stage, source) if isinstance(stage, dict) else stage
                for stage in value
            ]
    return out


def _scenario_missiles(
    spec: ScenarioFile, catalog: Catalog, path: Path
) -> tuple[Catalog, dict[str, str]]:
    """The catalog with the scenario's missile overrides and own missiles, and
    which missiles changed (the catalog itself when none did)."""
    overrides = spec.overrides.get("missiles", {})
    if not overrides and not spec.missiles:
        return catalog, {}
    known = catalog.missiles
    source = f"scenario {path.name}"
    missiles = dict(known.missiles)
    signatures = dict(catalog.signatures)
    changes: dict[str, str] = {}
    for missile_id, values in overrides.items():
        where = f"{path}: overrides.missiles.{missile_id}"
        if missile_id not in missiles:
            raise unknown_name_error("missile", missile_id, missiles, where)
        data = {
            **missiles[missile_id].model_dump(by_alias=True),
            **_own_values(Missile, values, source),
        }
        missiles[missile_id] = _checked_missile(data, known, source, path, where)
        _check_override_bounds(missiles[missile_id], "missiles", set(values), where)
        changes[missile_id] = "override"
    for missile_id, values in spec.missiles.items():
        where = f"{path}: missiles.{missile_id}"
        if missile_id in known.missiles:
            raise RoofError(
                f"the catalog already has a missile {missile_id!r}.",
                where=where,
                fix=f"Change it under [overrides.missiles.{missile_id}], or choose a new id.",
            )
        if not isinstance(values, dict):
            raise RoofError("a missile is a table of its values.", where=where)
        own = dict(values)
        like = own.pop("signature_like", None)
        missile = _checked_missile(_own_values(Missile, own, source), known, source, path, where)
        _check_override_bounds(missile, "missiles", set(own), where)
        missiles[missile_id] = missile
        signatures[missile_id] = _signature_like(like, missile, catalog, f"{where}.signature_like")
        changes[missile_id] = "scenario"
    sources = {**known.sources, source: f"the scenario {path.name}'s own value"}
    derived = MissileCatalog(known.path, sources, known.drag_tables, missiles)
    catalog = dataclasses.replace(
        catalog,
        missiles=derived,
        signatures=signatures,
        sources={**catalog.sources, "missiles": sources},
    )
    return catalog, changes


def _checked_missile(
    data: dict[str, Any], known: MissileCatalog, source: str, path: Path, where: str
) -> Missile:
    """A missile validated as the catalog's are: schema, physics, sources, drag tables."""
    try:
        missile = Missile.model_validate(data)
    except ValidationError as exc:
        raise RoofError(validation_error(path, exc).what, where=where) from None
    for key, quantity in missile.quantities().items():
        if quantity.source != source and quantity.source not in known.sources:
            raise unknown_name_error(
                "source", quantity.source, [*known.sources, source], f"{where}.{key}.source"
            )
    for i, stage in enumerate(missile.stages):
        if stage.drag_table not in known.drag_tables:
            raise unknown_name_error(
                "drag table", stage.drag_table, known.drag_tables, f"{where}.stages[{i}].drag_table"
            )
    return missile


def _signature_like(
    like: object, missile: Missile, catalog: Catalog, where: str
) -> MissileSignature:
    """The radar and infrared classes of a scenario's own missile: those of the
    catalog missile it names, or of the first catalog missile of its class."""
    if like is None:
        same_class = [
            m_id
            for m_id, m in catalog.missiles.missiles.items()
            if m.missile_class == missile.missile_class
        ]
        like = same_class[0] if same_class else next(iter(catalog.missiles.missiles))
    if not isinstance(like, str) or like not in catalog.signatures:
        raise unknown_name_error("missile", str(like), catalog.signatures, where)
    return catalog.signatures[like]


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

    Control characters (terminal escape codes, NUL, carriage returns), the
    bidirectional overrides that make text read differently from what it is,
    line and paragraph separators, and code points with no printable meaning
    (unassigned, private use, lone surrogates) are refused; tabs and newlines
    only where text may run over lines. Joiners (Cf, e.g. the zero-width
    non-joiner of Persian names) are kept.
    """
    for char in text:
        if multiline and char in "\n\t":
            continue
        category = unicodedata.category(char)
        if category in _UNPRINTABLE or (
            category == "Cf" and unicodedata.bidirectional(char) in _BIDI
        ):
            return char
    return None


_UNPRINTABLE = frozenset({"Cc", "Cn", "Co", "Cs", "Zl", "Zp"})


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
                        f"a key holds the unprintable character {bad!r} ({key!r}).",
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
                    f"the text holds the unprintable character {bad!r} ({value[:60]!r}).",
                    where=at,
                    fix="Remove control and unassigned characters (escape codes, line breaks).",
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

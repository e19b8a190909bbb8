"""The prepare stage: a validated scenario turned, once, into SI arrays and the
space of its uncertain values.

Everything an analysis needs from a scenario comes from here: the Earth
model, the threats and their missiles, the sensors (positions, kinds, bands,
roles, who may cue whom), the batteries (positions, interceptor types, which
sensors each may launch on and be guided on), and the *value space*: every
catalog number the results depend on, with its nominal value and its range,
converted to SI once. A *draw* is one vector of that space: the nominal or
a capability case (`ValueSpace.case_vector`), or a Monte Carlo sample
(`ValueSpace.sample`); `Prepared` turns draws into the per-sensor,
per-battery and per-threat arrays the kernels read.

Capability cases are about capability, separately for the offence and the
defence (`Scenario.threat_case`, `Scenario.defence_case`): "high" takes each
value at the end of its range that makes the missile (or the sensor or
interceptor) more capable, "low" the other end. For a missile the range
case is one number u in [-1, 1] (`securityroof.model.missile.Missile.vehicle_at`:
its low and high cases fly the published range band); for its signature, a
smaller cross section is the more capable offence.

Distributions for sampling: each uncertain value is triangular on
(low, nominal, high) (an assumption: the nominal is the catalog's best
estimate, the ends are the plausible limits); the sample is a Latin
hypercube (McKay, Beckman and Conover, Technometrics 21, 1979) drawn with
`scipy.stats.qmc.LatinHypercube` from a recorded seed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc

from securityroof.core.detection import (
    CUE_GAIN,
    DETECTION_DELAY_S,
    HALF_WIDTH,
    MAX_ELEVATION,
    MIN_ELEVATION,
    MIN_PLUME_ALTITUDE_M,
    N_SENSOR_PARAMETERS,
    RANGE_PER_ROOT_RCS,
    TRACK_DELAY_S,
)
from securityroof.core.earth import geodetic_to_ecef_batch
from securityroof.core.engagement import (
    BURNOUT_SPEED_M_S,
    DELAY_S,
    KILL_ASSESSMENT_S,
    MAX_ALTITUDE_M,
    MAX_ENGAGEMENT_ANGLE,
    MAX_FLIGHT_TIME_S,
    MAX_GROUND_RANGE_M,
    MIN_ALTITUDE_M,
    MIN_CLOSING_SPEED_M_S,
    N_BATTERY_PARAMETERS,
)
from securityroof.core.planet import Planet
from securityroof.core.sensors import SensorArrays
from securityroof.core.signatures import BANDS, N_BANDS, N_OBJECTS, OBJECTS
from securityroof.model.defence import SENSOR_ROLES
from securityroof.model.quantity import Case, Quantity
from securityroof.model.scenario import Scenario, Threat

ROLE_CODE = {role: code for code, role in enumerate(SENSOR_ROLES)}
BAND_CODE = {band: code for code, band in enumerate(BANDS)}
# The missile range case u runs over [-1, 1] (low case, nominal, high case).
MISSILE_CASE_U = {"low": -1.0, "nominal": 0.0, "high": 1.0}


@dataclass(frozen=True)
class UncertainValue:
    """One number the results depend on, in SI units.

    `key` is its catalog path (``sensor_types.us-uewr.detection_range_km``);
    `unit` and `to_si` give the unit people read it in (SI = value x to_si).
    """

    key: str
    label: str
    nominal: float
    low: float
    high: float
    larger_is_more_capable: bool
    side: str  # "threat" or "defence"
    source: str
    unit: str
    to_si: float

    def at(self, case: Case) -> float:
        """The value at a capability case (see the module notes)."""
        if case == "nominal":
            return self.nominal
        larger = (case == "high") == self.larger_is_more_capable
        return self.high if larger else self.low

    @property
    def uncertain(self) -> bool:
        return self.high > self.low


@dataclass(frozen=True)
class ValueSpace:
    """The uncertain values of a scenario, in a fixed order (the draw vector's)."""

    values: tuple[UncertainValue, ...]

    def index(self, key: str) -> int:
        for i, value in enumerate(self.values):
            if value.key == key:
                return i
        raise KeyError(key)

    def __len__(self) -> int:
        return len(self.values)

    def case_vector(self, threat_case: Case, defence_case: Case) -> np.ndarray:
        """One draw, (1, n_values): every value at the case of its side."""
        return np.array(
            [[v.at(threat_case if v.side == "threat" else defence_case) for v in self.values]]
        )

    def nominal_vector(self) -> np.ndarray:
        return np.array([[v.nominal for v in self.values]])

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Lowest and highest value of each, (n_values,) each."""
        return (
            np.array([v.low for v in self.values]),
            np.array([v.high for v in self.values]),
        )

    def uncertain_indices(self) -> np.ndarray:
        return np.array([i for i, v in enumerate(self.values) if v.uncertain], dtype=np.int64)

    def sample(self, n: int, seed: int) -> np.ndarray:
        """`n` Latin-hypercube draws with triangular marginals, (n, n_values)."""
        out = np.repeat(self.nominal_vector(), n, axis=0)
        free = self.uncertain_indices()
        if free.size == 0 or n == 0:
            return out
        unit = qmc.LatinHypercube(d=free.size, seed=np.random.default_rng(seed)).random(n)
        for column, i in enumerate(free):
            v = self.values[i]
            out[:, i] = _triangular_ppf(unit[:, column], v.low, v.nominal, v.high)
        return out


def _triangular_ppf(u: np.ndarray, low: float, mode: float, high: float) -> np.ndarray:
    """Inverse CDF of the triangular distribution on (low, mode, high)."""
    span = high - low
    cut = (mode - low) / span
    left = low + np.sqrt(np.clip(u, 0.0, 1.0) * span * (mode - low))
    right = high - np.sqrt(np.clip(1.0 - u, 0.0, 1.0) * span * (high - mode))
    return np.where(u < cut, left, right)


@dataclass(frozen=True)
class SensorPlacement:
    """A sensor of a catalog type at a site."""

    site: str
    party: str
    host: str | None
    type: str


@dataclass(frozen=True)
class Battery:
    """One interceptor type at one site: the unit an engagement is computed for."""

    site: str
    party: str
    host: str | None
    interceptor: str
    count: int


class _Builder:
    """Collects the value space while the arrays are laid out."""

    def __init__(self) -> None:
        self.values: list[UncertainValue] = []
        self.keys: dict[str, int] = {}

    def add(
        self,
        key: str,
        label: str,
        quantity: Quantity,
        *,
        larger_is_more_capable: bool,
        side: str,
        unit: str,
        to_si: float = 1.0,
    ) -> int:
        if key in self.keys:
            return self.keys[key]
        nominal = quantity.nominal * to_si
        low = (quantity.low if quantity.low is not None else quantity.nominal) * to_si
        high = (quantity.high if quantity.high is not None else quantity.nominal) * to_si
        self.keys[key] = len(self.values)
        self.values.append(
            UncertainValue(
                key,
                label,
                nominal,
                low,
                high,
                larger_is_more_capable,
                side,
                quantity.source,
                unit,
                to_si,
            )
        )
        return self.keys[key]


@dataclass(frozen=True)
class Prepared:
    """A scenario in SI arrays; see the module notes.

    The ``*_slot`` arrays say which value of `space` feeds each per-sensor or
    per-battery parameter (columns as in `securityroof.core.detection` and
    `securityroof.core.engagement`); ``*_add`` is added after (the
    scenario's decision delay).
    """

    scenario: Scenario
    planet: Planet
    space: ValueSpace
    threats: list[Threat]
    launch_lat_rad: np.ndarray  # (n_threats,) launch points, geodetic
    launch_lon_rad: np.ndarray
    target_lat_rad: np.ndarray  # (n_threats,) aim points, geodetic
    target_lon_rad: np.ndarray
    missiles: list[str]
    missile_of: np.ndarray  # (n_threats,) index into missiles
    missile_slot: np.ndarray  # (n_missiles,) index of the missile's range case u
    rcs_slot: np.ndarray  # (n_missiles, N_OBJECTS, N_BANDS); -1: the object does not exist
    rv_rcs_override_m2: np.ndarray  # (n_threats,) the scenario's rcs_m2, NaN if none
    sensors: list[SensorPlacement]
    sensor_arrays: SensorArrays  # positions, kinds, boresights, bands (limits at nominal)
    sensor_role: np.ndarray  # (n_sensors,) ROLE_CODE
    cue_from: np.ndarray  # (n_sensors, n_sensors) bool
    sensor_slot: np.ndarray  # (n_sensors, N_SENSOR_PARAMETERS); -1: sensor_const
    sensor_const: np.ndarray  # (n_sensors, N_SENSOR_PARAMETERS)
    batteries: list[Battery]
    battery_position_ecef_m: np.ndarray  # (n_batteries, 3)
    interceptor_types: list[str]
    battery_type: np.ndarray  # (n_batteries,) index into interceptor_types
    launch_mask: np.ndarray  # (n_batteries, n_sensors) bool
    guide_mask: np.ndarray  # (n_batteries, n_sensors) bool
    battery_slot: np.ndarray  # (n_batteries, N_BATTERY_PARAMETERS)
    battery_add: np.ndarray  # (n_batteries, N_BATTERY_PARAMETERS)

    @property
    def n_threats(self) -> int:
        return len(self.threats)

    def sensor_parameters(self, draws: np.ndarray) -> np.ndarray:
        """(n_draws, n_sensors, N_SENSOR_PARAMETERS) from (n_draws, n_values)."""
        return gather_values(draws, self.sensor_slot, self.sensor_const)

    def battery_parameters(self, draws: np.ndarray) -> np.ndarray:
        """(n_draws, n_batteries, N_BATTERY_PARAMETERS) from (n_draws, n_values)."""
        return gather_values(draws, self.battery_slot, 0.0) + self.battery_add[None]

    def missile_case(self, draws: np.ndarray) -> np.ndarray:
        """(n_draws, n_missiles) range case u of each missile."""
        return np.asarray(draws[:, self.missile_slot])


def gather_values(draws: np.ndarray, slot: np.ndarray, fill: float | np.ndarray) -> np.ndarray:
    """draws[:, slot], with `fill` (broadcast like slot) where slot is -1."""
    values = draws[:, np.maximum(slot, 0)]
    return np.where(slot[None] >= 0, values, np.asarray(fill)[None] if np.ndim(fill) else fill)


def site_position_ecef(scenario: Scenario, site_id: str, planet: Planet) -> np.ndarray:
    """ECEF position (m) of a scenario site (nominal position and height)."""
    site = scenario.sites[site_id]
    altitude = site.altitude_m.nominal if site.altitude_m else 0.0
    x, y, z = geodetic_to_ecef_batch(
        math.radians(site.lat_deg.nominal),
        math.radians(site.lon_deg.nominal),
        altitude,
        planet.a_m,
        planet.f,
    )
    return np.array([float(x), float(y), float(z)])


def scenario_planet(scenario: Scenario) -> Planet:
    """The Earth model the scenario's assumptions ask for."""
    a = scenario.assumptions
    return Planet.build(a.earth, rotating=a.rotating, j2=True)


def prepare(scenario: Scenario) -> Prepared:
    """Lay the scenario out in SI arrays and collect its value space."""
    planet = scenario_planet(scenario)
    build = _Builder()
    catalog = scenario.catalog
    threats = list(scenario.threats)

    # Threats: missiles, their range cases and their objects' cross sections.
    missiles = sorted({t.missile for t in threats})
    missile_slot = np.array(
        [
            build.add(
                f"missiles.{m}.range_case",
                f"{m}: range case (-1 low, 0 nominal, +1 high)",
                Quantity(
                    nominal=0.0, low=-1.0, high=1.0, source=f"missiles.{m}.published_range_km"
                ),
                larger_is_more_capable=True,
                side="threat",
                unit="",
            )
            for m in missiles
        ],
        dtype=np.int64,
    )
    rcs_slot = np.full((len(missiles), N_OBJECTS, N_BANDS), -1, dtype=np.int64)
    for m, missile_id in enumerate(missiles):
        signature = catalog.signatures[missile_id]
        for o, class_id in enumerate(signature.classes()):
            if class_id is None:
                continue
            klass = catalog.signature_classes[class_id]
            for b, quantity in enumerate(klass.by_band()):
                rcs_slot[m, o, b] = build.add(
                    f"signature_classes.{class_id}.{BANDS[b].lower()}",
                    f"{class_id} ({OBJECTS[o].replace('_', ' ')}): {BANDS[b]} cross section",
                    quantity,
                    larger_is_more_capable=False,
                    side="threat",
                    unit="m²",
                )
    missile_of = np.array([missiles.index(t.missile) for t in threats], dtype=np.int64)
    override = np.array([t.rcs_m2 if t.rcs_m2 is not None else np.nan for t in threats])

    # Sensors.
    placements: list[SensorPlacement] = []
    positions, kinds, boresights, bands, roles = [], [], [], [], []
    slots, consts = [], []
    for site_id, site in scenario.sites.items():
        position = site_position_ecef(scenario, site_id, planet)
        for mount in site.sensors:
            kind = scenario.sensor_types[mount.type]
            placements.append(SensorPlacement(site_id, site.party, site.host, mount.type))
            positions.append(position)
            radar = kind.kind == "radar"
            kinds.append(0 if radar else 1)
            boresights.append(math.radians(mount.boresight_deg))
            bands.append(BAND_CODE[kind.band] if kind.band else -1)
            roles.append(ROLE_CODE[kind.role])
            slot, const = _sensor_slots(build, mount.type, kind, radar)
            slots.append(slot)
            consts.append(const)
    n_s = len(placements)
    sensor_arrays = _sensor_arrays(positions, kinds, boresights, bands)
    may = scenario.may_cue
    cue_from = np.zeros((n_s, n_s), dtype=bool)
    for a, source in enumerate(placements):
        for b, target in enumerate(placements):
            if a != b and kinds[b] == 0:
                cue_from[a, b] = source.site == target.site or may(source.party, target.party)

    # Batteries.
    batteries = [
        Battery(site_id, site.party, site.host, battery.type, battery.count)
        for site_id, site in scenario.sites.items()
        for battery in site.interceptors
    ]
    types = sorted({b.interceptor for b in batteries})
    decision = scenario.assumptions.decision_delay_s
    b_slots, b_add, launch_mask, guide_mask = [], [], [], []
    for battery in batteries:
        interceptor = scenario.interceptors[battery.interceptor]
        b_slots.append(_battery_slots(build, battery.interceptor, interceptor))
        add = np.zeros(N_BATTERY_PARAMETERS)
        add[DELAY_S] = decision
        b_add.append(add)

        launch_mask.append(
            [
                _usable(scenario, j, battery, interceptor.launch_on, interceptor.remote_launch)
                for j in placements
            ]
        )
        guide_mask.append(
            [
                _usable(scenario, j, battery, interceptor.guided_on, interceptor.remote_guidance)
                for j in placements
            ]
        )
    n_b = len(batteries)
    return Prepared(
        scenario=scenario,
        planet=planet,
        space=ValueSpace(tuple(build.values)),
        threats=threats,
        launch_lat_rad=np.radians([t.launch_lat_deg for t in threats]),
        launch_lon_rad=np.radians([t.launch_lon_deg for t in threats]),
        target_lat_rad=np.radians([t.target_lat_deg for t in threats]),
        target_lon_rad=np.radians([t.target_lon_deg for t in threats]),
        missiles=missiles,
        missile_of=missile_of,
        missile_slot=missile_slot,
        rcs_slot=rcs_slot,
        rv_rcs_override_m2=override,
        sensors=placements,
        sensor_arrays=sensor_arrays,
        sensor_role=np.array(roles, dtype=np.int64),
        cue_from=cue_from,
        sensor_slot=np.array(slots, dtype=np.int64).reshape(n_s, N_SENSOR_PARAMETERS),
        sensor_const=np.array(consts, dtype=np.float64).reshape(n_s, N_SENSOR_PARAMETERS),
        batteries=batteries,
        battery_position_ecef_m=np.array(
            [site_position_ecef(scenario, b.site, planet) for b in batteries]
        ).reshape(n_b, 3),
        interceptor_types=types,
        battery_type=np.array([types.index(b.interceptor) for b in batteries], dtype=np.int64),
        launch_mask=np.array(launch_mask, dtype=bool).reshape(n_b, n_s),
        guide_mask=np.array(guide_mask, dtype=bool).reshape(n_b, n_s),
        battery_slot=np.array(b_slots, dtype=np.int64).reshape(n_b, N_BATTERY_PARAMETERS),
        battery_add=np.array(b_add).reshape(n_b, N_BATTERY_PARAMETERS),
    )


def _usable(
    scenario: Scenario,
    sensor: SensorPlacement,
    battery: Battery,
    qualities: Sequence[str],
    remote: bool,
) -> bool:
    """Whether a battery may launch on (or be guided by) a sensor's tracks.

    The sensor's role must be one the interceptor accepts, and the sensor
    must stand at the battery's own site, or the interceptor must accept
    remote tracks and the cueing rules let the sensor's party pass them.
    """
    if scenario.sensor_types[sensor.type].role not in qualities:
        return False
    return sensor.site == battery.site or (remote and scenario.may_cue(sensor.party, battery.party))


def _sensor_arrays(positions, kinds, boresights, bands) -> SensorArrays:
    n = len(positions)
    pos = np.array(positions).reshape(n, 3)
    radar = np.array(kinds, dtype=np.int64) == 0
    return SensorArrays(
        position_ecef_m=pos,
        kind=np.array(kinds, dtype=np.int64),
        boresight=np.array(boresights),
        half_width=np.full(n, math.pi),
        min_elevation=np.where(radar, 0.0, -0.5 * math.pi),
        max_elevation=np.full(n, 0.5 * math.pi),
        reference_range_m=np.where(radar, 0.0, np.inf),
        reference_rcs_m2=np.ones(n),
        track_delay_s=np.zeros(n),
        band=np.array(bands, dtype=np.int64),
        min_plume_altitude_m=np.zeros(n),
        detection_delay_s=np.zeros(n),
    )


_DEG = math.pi / 180.0

# (column, catalog field, label, larger is more capable, unit, to SI)
_Field = tuple[int, str, str, bool, str, float]
_SENSOR_COMMON = ((TRACK_DELAY_S, "track_delay_s", "track delay", False, "s", 1.0),)
_SENSOR_DETECTION_DELAY = (
    (DETECTION_DELAY_S, "detection_delay_s", "detection delay", False, "s", 1.0),
)
_RADAR_FIELDS = (
    (RANGE_PER_ROOT_RCS, "detection_range_km", "detection range against 1 m²", True, "km", 1e3),
    (HALF_WIDTH, "azimuth_half_width_deg", "azimuth half-width", True, "deg", _DEG),
    (MIN_ELEVATION, "min_elevation_deg", "lowest elevation", False, "deg", _DEG),
    (MAX_ELEVATION, "max_elevation_deg", "highest elevation", True, "deg", _DEG),
    (CUE_GAIN, "cued_range_gain", "cued range gain", True, "", 1.0),
)
_INFRARED_FIELDS = (
    (MIN_PLUME_ALTITUDE_M, "min_plume_altitude_km", "lowest plume altitude seen", False, "km", 1e3),
)
_BATTERY_FIELDS = (
    (DELAY_S, "launch_delay_s", "launch delay", False, "s", 1.0),
    (KILL_ASSESSMENT_S, "kill_assessment_s", "kill assessment time", False, "s", 1.0),
    (MIN_ALTITUDE_M, "min_intercept_altitude_km", "lowest intercept altitude", False, "km", 1e3),
    (MAX_ALTITUDE_M, "max_intercept_altitude_km", "highest intercept altitude", True, "km", 1e3),
    (MAX_GROUND_RANGE_M, "max_ground_range_km", "longest ground range", True, "km", 1e3),
    (MAX_FLIGHT_TIME_S, "max_flight_time_s", "longest flight", True, "s", 1.0),
    (BURNOUT_SPEED_M_S, "burnout_speed_m_s", "burnout speed", True, "m/s", 1.0),
    (MIN_CLOSING_SPEED_M_S, "min_closing_speed_m_s", "slowest closing speed", False, "m/s", 1.0),
    (
        MAX_ENGAGEMENT_ANGLE,
        "max_engagement_angle_deg",
        "widest engagement angle",
        True,
        "deg",
        _DEG,
    ),
)


def _defence_slots(
    build: _Builder, group: str, type_id: str, kind, fields: tuple[_Field, ...], slots: list[int]
) -> None:
    """Adds each of `fields` of one catalog type to the space and records its index."""
    for column, name, label, larger, unit, to_si in fields:
        slots[column] = build.add(
            f"{group}.{type_id}.{name}",
            f"{type_id}: {label}",
            getattr(kind, name),
            larger_is_more_capable=larger,
            side="defence",
            unit=unit,
            to_si=to_si,
        )


def _sensor_slots(
    build: _Builder, type_id: str, kind, radar: bool
) -> tuple[list[int], list[float]]:
    """Value indices of one sensor's parameters, and the constants of those its kind lacks."""
    slots = [-1] * N_SENSOR_PARAMETERS
    consts = [0.0] * N_SENSOR_PARAMETERS
    fields: tuple[_Field, ...] = _SENSOR_COMMON
    if kind.detection_delay_s is not None:
        fields += _SENSOR_DETECTION_DELAY
    fields += _RADAR_FIELDS if radar else _INFRARED_FIELDS
    _defence_slots(build, "sensor_types", type_id, kind, fields, slots)
    if not radar:
        # An infrared sensor looks all round and gains nothing from a cue.
        consts[HALF_WIDTH] = math.pi
        consts[MIN_ELEVATION] = -0.5 * math.pi
        consts[MAX_ELEVATION] = 0.5 * math.pi
        consts[CUE_GAIN] = 1.0
    return slots, consts


def _battery_slots(build: _Builder, type_id: str, interceptor) -> list[int]:
    slots = [-1] * N_BATTERY_PARAMETERS
    _defence_slots(build, "interceptors", type_id, interceptor, _BATTERY_FIELDS, slots)
    return slots

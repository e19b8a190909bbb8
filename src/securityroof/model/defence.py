"""The defence side of the catalog: interceptors, sensors, parties, sites,
architectures, and the threat side's launch and target areas.

Each class is the schema of one TOML table; numbers are `Quantity`s with a
source. Cross-references (a site's sensor type, an architecture's sites) are
checked when the whole catalog is assembled in `catalog.py`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from securityroof.model.quantity import Quantity, positive


def _smallest(quantity: Quantity) -> float:
    return quantity.low if quantity.low is not None else quantity.nominal


_STRICT = ConfigDict(extra="forbid", frozen=True)
# A scenario's [[sites]] use these tables too: their field docstrings are the
# scenario reference's descriptions (`scenario_schema.py`).
_DOCUMENTED = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

# What a sensor's track is good for, from least to most (`SensorType.role`):
# warning and cueing only; launching interceptors that need in-flight updates
# (launch-quality, e.g. the upgraded early-warning radars for GBIs); guiding
# an interceptor to intercept (fire control).
SENSOR_ROLES = ("early-warning", "launch-quality", "fire-control")
SensorRole = Literal["early-warning", "launch-quality", "fire-control"]
TrackQuality = Literal["launch-quality", "fire-control"]
Band = Literal["VHF", "UHF", "S", "X"]


class Interceptor(BaseModel):
    """An interceptor missile at open-source fidelity."""

    model_config = _DOCUMENTED

    name: str
    """Full name."""
    country: str = ""
    """Who builds it."""
    basing: Literal["sea", "land", "air"]
    """Sea, land or air."""
    role: Literal["midcourse", "terminal", "boost"]
    """The phase of the threat's flight it engages."""
    status: Literal["operational", "development", "cancelled", "retired", "notional"]
    """Operational, in development, cancelled, retired or notional."""
    burnout_speed_m_s: Quantity
    """Speed at the end of powered flight (the 1997 agreements' interceptor velocity)."""
    burn_time_s: Quantity
    """Total powered flight of all booster stages."""
    min_intercept_altitude_km: Quantity
    """Lowest altitude at which the kill vehicle can engage."""
    max_intercept_altitude_km: Quantity
    """Highest altitude at which the kill vehicle can engage."""
    max_ground_range_km: Quantity
    """Farthest ground distance from the launcher to an intercept point."""
    launch_delay_s: Quantity
    """From a track it may launch on to launch, decision included."""
    kill_assessment_s: Quantity
    """After an intercept attempt, until the next shot can be decided."""
    max_flight_time_s: Quantity
    """Flyout endurance of the kill vehicle."""
    single_shot_kill_probability: Quantity | None = None
    """Chance that one interceptor destroys the re-entry vehicle (a band)."""
    # Track rules: which track qualities it launches on and is guided on, and
    # whether those tracks may come from another site ("launch on remote",
    # "engage on remote"); the source key says who says so.
    launch_on: list[TrackQuality] = Field(min_length=1)
    """Track qualities it can be launched on."""
    guided_on: list[TrackQuality] = Field(min_length=1)
    """Track qualities it can be guided to intercept on."""
    remote_launch: bool
    """Whether the launch track may come from another site's sensor (launch on remote)."""
    remote_guidance: bool
    """Whether the guidance track may come from another site's sensor (engage on remote)."""
    track_rules_source: str
    """The source of the track rules."""
    # Kill-vehicle limits: slowest closing speed at which it can make the hit,
    # and widest engagement angle (0 head-on, 180 a pure tail chase).
    min_closing_speed_m_s: Quantity
    """Slowest closing speed at which the kill vehicle makes a lethal hit."""
    max_engagement_angle_deg: Quantity
    """Widest angle between its velocity and the reversed threat velocity (0 head-on, 90 crossing,
    180 a tail chase)."""
    demonstrated_speed_m_s: Quantity | None = None
    """Its speed as openly reported (the 1997 agreements' test parameters)."""
    test_target_max_speed_m_s: Quantity | None = None
    """Fastest target it was tested against."""
    test_target_max_range_km: Quantity | None = None
    """Longest-range target it was tested against."""
    kill_vehicle: str = ""
    """The kill vehicle, in words."""
    notes: str = ""
    """Free text."""

    @model_validator(mode="after")
    def _physical(self) -> Interceptor:
        for name in (
            "burnout_speed_m_s",
            "burn_time_s",
            "max_intercept_altitude_km",
            "max_ground_range_km",
            "max_flight_time_s",
        ):
            positive(getattr(self, name), name)
        for name in (
            "launch_delay_s",
            "kill_assessment_s",
            "min_intercept_altitude_km",
            "min_closing_speed_m_s",
        ):
            if _smallest(getattr(self, name)) < 0:
                raise ValueError(f"{name} must not be negative")
        angle = self.max_engagement_angle_deg
        if _smallest(angle) <= 0 or (angle.high or angle.nominal) > 180.0:
            raise ValueError("max_engagement_angle_deg must lie in (0, 180] degrees")
        if self.min_intercept_altitude_km.nominal >= self.max_intercept_altitude_km.nominal:
            raise ValueError(
                "min_intercept_altitude_km is not below max_intercept_altitude_km: "
                "the interceptor could intercept nowhere"
            )
        # Escape speed at the surface: no interceptor leaves the Earth.
        if self.burnout_speed_m_s.nominal >= 11_186.0:
            raise ValueError(
                f"burnout_speed_m_s {self.burnout_speed_m_s.nominal} is above escape speed "
                "(11,186 m/s)"
            )
        pk = self.single_shot_kill_probability
        if pk is not None and not (
            (pk.low or pk.nominal) >= 0.0 and (pk.high or pk.nominal) <= 1.0
        ):
            raise ValueError("single_shot_kill_probability must lie within 0..1")
        return self


class SensorType(BaseModel):
    """A kind of radar or infrared satellite.

    A radar's `detection_range_km` is its range against a target of 1 m² in
    its own `band` (the one reference-cross-section convention of the
    catalog); the range against another target scales with the fourth root
    of that target's cross section in the same band.
    """

    model_config = _DOCUMENTED

    name: str
    """Full name."""
    kind: Literal["radar", "infrared-satellite"]
    """A radar or an infrared early-warning satellite."""
    band: Band | None = None
    """A radar's band: VHF, UHF, S or X."""
    frequency: str = ""
    """The frequency, in words."""
    role: SensorRole
    """What its tracks are good for: early warning, launch quality or fire control."""
    role_source: str
    """The source of the role."""
    detection_range_km: Quantity | None = None
    """A radar's autonomous-search range against 1 m² in its own band."""
    cued_range_gain: Quantity | None = None
    """Factor by which a cued radar reaches farther (at least 1)."""
    azimuth_half_width_deg: Quantity | None = None
    """Half-width of a radar's field of regard about its boresight (180 all round)."""
    min_elevation_deg: Quantity | None = None
    """Lowest elevation a radar sees, above the local horizontal."""
    max_elevation_deg: Quantity | None = None
    """Highest elevation a radar sees, above the local horizontal."""
    track_delay_s: Quantity
    """From first detection to an established track."""
    min_plume_altitude_km: Quantity | None = None
    """An infrared satellite first sees the plume above this altitude (the cloud tops)."""
    detection_delay_s: Quantity | None = None
    """An infrared satellite's time from first sight to a report."""
    notes: str = ""
    """Free text."""

    @model_validator(mode="after")
    def _complete(self) -> SensorType:
        if self.kind == "radar":
            for name in (
                "band",
                "detection_range_km",
                "cued_range_gain",
                "azimuth_half_width_deg",
                "min_elevation_deg",
                "max_elevation_deg",
            ):
                if getattr(self, name) is None:
                    raise ValueError(f"a radar needs {name}")
            positive(self.detection_range_km, "detection_range_km")
            assert self.cued_range_gain is not None
            if _smallest(self.cued_range_gain) < 1.0:
                raise ValueError("cued_range_gain must be at least 1: a cue never shortens reach")
            positive(
                self.azimuth_half_width_deg, "azimuth_half_width_deg (an empty field of regard)"
            )
            assert self.min_elevation_deg is not None and self.max_elevation_deg is not None
            if self.min_elevation_deg.nominal >= self.max_elevation_deg.nominal:
                raise ValueError(
                    "min_elevation_deg is not below max_elevation_deg: an empty field of regard"
                )
        else:
            if self.min_plume_altitude_km is None:
                raise ValueError("an infrared satellite needs min_plume_altitude_km")
            if self.role != "early-warning":
                raise ValueError("an infrared satellite's tracks are cues: role early-warning")
            if self.band is not None:
                raise ValueError("an infrared satellite has no radar band")
        if _smallest(self.track_delay_s) < 0:
            raise ValueError("track_delay_s must not be negative")
        return self


class Party(BaseModel):
    model_config = _STRICT

    name: str
    nato: bool = False
    # Whose cities this party's strategic forces are aimed at, by default
    # (the strategic set of the stability analysis).
    strategic_adversaries: list[str] = []


class SensorMount(BaseModel):
    """A sensor of a catalog type at a site, facing a boresight azimuth."""

    model_config = _DOCUMENTED

    type: str
    """A catalog sensor type (`roof catalog sensors`)."""
    boresight_deg: float = 0.0
    """Azimuth the sensor faces, degrees clockwise from north (0-360)."""


class Battery(BaseModel):
    """Interceptors of one type at a site."""

    model_config = _DOCUMENTED

    type: str
    """A catalog interceptor (`roof catalog interceptors`)."""
    count: int = Field(ge=0)
    """Interceptors ready to fire."""


class Site(BaseModel):
    """A place with sensors and/or interceptors, owned by a party, hosted by one."""

    model_config = _DOCUMENTED

    name: str
    """Shown in outputs (default for a new site: its id)."""
    party: str
    """The party that owns and operates it."""
    host: str | None = None
    """The party on whose soil it stands, when another."""
    kind: Literal["land", "ship-station", "satellite"] = "land"
    """A place on land, a ship's station at sea, or a satellite (its altitude the orbit's)."""
    lat_deg: Quantity
    """Geodetic latitude, degrees."""
    lon_deg: Quantity
    """Longitude, degrees east."""
    altitude_m: Quantity | None = None
    """Height above the ellipsoid (-500 m to 10 km; a satellite 150 km to 50,000 km)."""
    sensors: list[SensorMount] = []
    """Its sensors."""
    interceptors: list[Battery] = []
    """Its interceptor batteries."""
    notes: str = ""
    """Free text."""

    @model_validator(mode="after")
    def _on_earth(self) -> Site:
        if not -90.0 <= self.lat_deg.nominal <= 90.0:
            raise ValueError(f"lat_deg {self.lat_deg.nominal} is outside -90..90")
        if not -180.0 <= self.lon_deg.nominal <= 360.0:
            raise ValueError(f"lon_deg {self.lon_deg.nominal} is outside -180..360")
        return self


class Architecture(BaseModel):
    model_config = _STRICT

    name: str
    description: str = ""
    year: int | None = None
    sites: list[str] = []
    extends: str | None = None
    interceptor_overrides: dict[str, str] = {}
    cueing: Literal["none", "within-party", "across-parties"] = "within-party"
    source: str


class LaunchArea(BaseModel):
    model_config = _STRICT

    name: str
    country: str
    party: str
    kind: Literal["regional", "strategic-icbm", "strategic-slbm"]
    lat_deg: Quantity
    lon_deg: Quantity
    radius_km: Quantity | None = None
    missiles: list[str]
    notes: str = ""


class TargetArea(BaseModel):
    model_config = _STRICT

    name: str
    country: str
    party: str | None = None  # the catalog party the city belongs to, if any
    lat_deg: Quantity
    lon_deg: Quantity
    population: Quantity | None = None
    notes: str = ""

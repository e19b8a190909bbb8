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

    model_config = _STRICT

    name: str
    country: str = ""
    basing: Literal["sea", "land", "air"]
    role: Literal["midcourse", "terminal", "boost"]
    status: Literal["operational", "development", "cancelled", "retired", "notional"]
    burnout_speed_m_s: Quantity
    burn_time_s: Quantity
    min_intercept_altitude_km: Quantity
    max_intercept_altitude_km: Quantity
    max_ground_range_km: Quantity
    launch_delay_s: Quantity
    kill_assessment_s: Quantity
    max_flight_time_s: Quantity
    single_shot_kill_probability: Quantity | None = None
    # Track rules: which track qualities it launches on and is guided on, and
    # whether those tracks may come from another site ("launch on remote",
    # "engage on remote"); the source key says who says so.
    launch_on: list[TrackQuality] = Field(min_length=1)
    guided_on: list[TrackQuality] = Field(min_length=1)
    remote_launch: bool
    remote_guidance: bool
    track_rules_source: str
    # Kill-vehicle limits: slowest closing speed at which it can make the hit,
    # and widest engagement angle (0 head-on, 180 a pure tail chase).
    min_closing_speed_m_s: Quantity
    max_engagement_angle_deg: Quantity
    demonstrated_speed_m_s: Quantity | None = None
    test_target_max_speed_m_s: Quantity | None = None
    test_target_max_range_km: Quantity | None = None
    kill_vehicle: str = ""
    notes: str = ""

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

    model_config = _STRICT

    name: str
    kind: Literal["radar", "infrared-satellite"]
    band: Band | None = None
    frequency: str = ""
    role: SensorRole
    role_source: str
    detection_range_km: Quantity | None = None
    cued_range_gain: Quantity | None = None
    azimuth_half_width_deg: Quantity | None = None
    min_elevation_deg: Quantity | None = None
    max_elevation_deg: Quantity | None = None
    track_delay_s: Quantity
    min_plume_altitude_km: Quantity | None = None
    detection_delay_s: Quantity | None = None
    notes: str = ""

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

    model_config = _STRICT

    type: str
    boresight_deg: float = 0.0


class Battery(BaseModel):
    """Interceptors of one type at a site."""

    model_config = _STRICT

    type: str
    count: int = Field(ge=0)


class Site(BaseModel):
    """A place with sensors and/or interceptors, owned by a party, hosted by one."""

    model_config = _STRICT

    name: str
    party: str
    host: str | None = None
    kind: Literal["land", "ship-station", "satellite"] = "land"
    lat_deg: Quantity
    lon_deg: Quantity
    altitude_m: Quantity | None = None
    sensors: list[SensorMount] = []
    interceptors: list[Battery] = []
    notes: str = ""

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

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

_STRICT = ConfigDict(extra="forbid", frozen=True)


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
        for name in ("launch_delay_s", "kill_assessment_s", "min_intercept_altitude_km"):
            if getattr(self, name).nominal < 0:
                raise ValueError(f"{name} must not be negative")
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
    """A kind of radar or infrared satellite."""

    model_config = _STRICT

    name: str
    kind: Literal["radar", "infrared-satellite"]
    band: str = ""
    fire_control: bool
    detection_range_km: Quantity | None = None
    reference_rcs_m2: Quantity | None = None
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
                "detection_range_km",
                "reference_rcs_m2",
                "azimuth_half_width_deg",
                "min_elevation_deg",
                "max_elevation_deg",
            ):
                if getattr(self, name) is None:
                    raise ValueError(f"a radar needs {name}")
            positive(self.detection_range_km, "detection_range_km")
            positive(self.reference_rcs_m2, "reference_rcs_m2")
            positive(
                self.azimuth_half_width_deg, "azimuth_half_width_deg (an empty field of regard)"
            )
            assert self.min_elevation_deg is not None and self.max_elevation_deg is not None
            if self.min_elevation_deg.nominal >= self.max_elevation_deg.nominal:
                raise ValueError(
                    "min_elevation_deg is not below max_elevation_deg: an empty field of regard"
                )
        elif self.min_plume_altitude_km is None:
            raise ValueError("an infrared satellite needs min_plume_altitude_km")
        if self.track_delay_s.nominal < 0:
            raise ValueError("track_delay_s must not be negative")
        return self


class Party(BaseModel):
    model_config = _STRICT

    name: str
    nato: bool = False


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
    lat_deg: Quantity
    lon_deg: Quantity
    population: Quantity | None = None
    notes: str = ""

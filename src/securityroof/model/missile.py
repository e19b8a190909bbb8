"""Missiles as the catalog describes them, and their packing for the flight core."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from securityroof.core.flight import VehicleArrays
from securityroof.model.quantity import Case, Quantity, positive

# Pitch-over duration when a catalog entry gives none (s). Assumption: the
# kick angle is solved by targeting, so this only sets how abruptly it is
# flown; 10 s is of the order of the turn manoeuvres in Forden (2007), Sec. 2.
DEFAULT_PITCH_OVER_S = 10.0


class DragTable(BaseModel):
    """Zero-lift drag coefficient against Mach number."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mach: list[float]
    cd: list[float]
    source: str

    @model_validator(mode="after")
    def _consistent(self) -> DragTable:
        if len(self.mach) < 2 or len(self.mach) != len(self.cd):
            raise ValueError("mach and cd need the same number of entries, at least two")
        if any(b <= a for a, b in zip(self.mach, self.mach[1:], strict=False)):
            raise ValueError("mach values must increase")
        if any(not math.isfinite(c) or c < 0 for c in self.cd):
            raise ValueError("cd values must be finite and not negative")
        return self


class Stage(BaseModel):
    """One rocket stage, constant thrust over its burn."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    propellant_mass_kg: Quantity
    dry_mass_kg: Quantity
    burn_time_s: Quantity
    isp_vacuum_s: Quantity
    isp_sea_level_s: Quantity | None = None
    diameter_m: Quantity
    drag_table: str = "default-missile"

    @model_validator(mode="after")
    def _physical(self) -> Stage:
        for name in ("propellant_mass_kg", "dry_mass_kg", "burn_time_s", "isp_vacuum_s"):
            positive(getattr(self, name), name)
        positive(self.diameter_m, "diameter_m")
        positive(self.isp_sea_level_s, "isp_sea_level_s")
        if (
            self.isp_sea_level_s is not None
            and self.isp_sea_level_s.nominal > self.isp_vacuum_s.nominal
        ):
            raise ValueError(
                "isp_sea_level_s is above isp_vacuum_s: a nozzle loses thrust at sea level"
            )
        return self


class Missile(BaseModel):
    """A ballistic missile: stages bottom first, payload, reentry body."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str
    missile_class: Literal["SRBM", "MRBM", "IRBM", "ICBM", "SLBM"] = Field(alias="class")
    propellant: Literal["liquid", "solid"]
    country: str = ""
    published_range_km: Quantity
    launch_mass_kg: Quantity | None = None
    payload_mass_kg: Quantity
    ballistic_coefficient_kg_m2: Quantity
    radar_cross_section_m2: Quantity | None = None
    vertical_rise_s: Quantity
    pitch_over_s: Quantity | None = None
    payload_separates: bool = True
    notes: str = ""
    stages: list[Stage] = Field(min_length=1)

    @model_validator(mode="after")
    def _physical(self) -> Missile:
        for name in (
            "published_range_km",
            "payload_mass_kg",
            "ballistic_coefficient_kg_m2",
            "launch_mass_kg",
            "radar_cross_section_m2",
            "pitch_over_s",
        ):
            positive(getattr(self, name), name)
        if self.vertical_rise_s.nominal < 0:
            raise ValueError("vertical_rise_s must not be negative")
        return self

    def quantities(self) -> dict[str, Quantity]:
        """Every sourced number of the entry, by dotted field path."""
        found: dict[str, Quantity] = {}
        for name, value in self:
            if isinstance(value, Quantity):
                found[name] = value
        for i, stage in enumerate(self.stages):
            for name, value in stage:
                if isinstance(value, Quantity):
                    found[f"stages[{i}].{name}"] = value
        return found

    def vehicle(self, drag_tables: dict[str, DragTable], case: Case = "nominal") -> VehicleArrays:
        """Pack for the flight core.

        `case` is about capability, not about each number: "low" takes every
        uncertain value at the end of its range that shortens the flight
        (less propellant and Isp, more dry mass, payload and drag), "high"
        the end that lengthens it; values whose effect has no clear sign
        (burn time, vertical rise, pitch-over) stay nominal.
        """

        def pick(quantity: Quantity, more_range_when_larger: bool) -> float:
            return quantity.capability(case, larger_is_more_capable=more_range_when_larger)

        rows = []
        for stage in self.stages:
            isp_vac = pick(stage.isp_vacuum_s, True)
            isp_sl = pick(stage.isp_sea_level_s, True) if stage.isp_sea_level_s else isp_vac
            rows.append(
                [
                    pick(stage.propellant_mass_kg, True),
                    pick(stage.dry_mass_kg, False),
                    stage.burn_time_s.nominal,
                    isp_vac,
                    min(isp_sl, isp_vac),
                    math.pi * (0.5 * pick(stage.diameter_m, False)) ** 2,
                ]
            )
        # One drag table for the stack: that of the bottom stage, which flies
        # the dense atmosphere.
        table = drag_tables[self.stages[0].drag_table]
        return VehicleArrays(
            stages=np.array(rows, dtype=np.float64),
            payload_kg=pick(self.payload_mass_kg, False),
            ballistic_coefficient_kg_m2=pick(self.ballistic_coefficient_kg_m2, True),
            vertical_rise_s=self.vertical_rise_s.nominal,
            pitch_over_s=self.pitch_over_s.nominal if self.pitch_over_s else DEFAULT_PITCH_OVER_S,
            cd_mach=np.array(table.mach, dtype=np.float64),
            cd=np.array(table.cd, dtype=np.float64),
        )

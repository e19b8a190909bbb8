"""Missiles as the catalog describes them, and their packing for the flight core.

Capability cases
----------------
Every uncertain catalog number has its own band (``low``, ``high``), but the
bands are not independent: the open sources that give them also give the
missile's range (``published_range_km``) and often its launch mass. Taking
every number at the end of its band that lengthens the flight at once (the
old "high" case) stacks the uncertainties far outside what any source says,
e.g. 18,900 km for Topol-M against the 10,000-10,500 km quoted. So the
low / high cases are constrained jointly by the published range band:

1. The range-affecting stage and payload values (propellant and dry mass,
   vacuum and sea-level Isp and diameter of every stage; payload mass) move
   together along one line,

       q(s) = q_nominal + s * (q_extreme - q_nominal),   0 <= s <= 1,

   where q_extreme is the end of the value's band that makes the
   missile more capable (``high``: more propellant and Isp, less dry mass,
   payload and diameter) or less capable (``low``). Burn time, vertical rise
   and pitch-over stay nominal: their effect on range has no clear sign.
2. The ballistic coefficient is a property of the re-entering body, which the
   published range hardly constrains (across the catalog's beta bands it moves
   the maximum range by at most 2.4 %, scud-b); it is what terminal defences
   see. It is taken at its own capability end (the larger beta for ``high``,
   the smaller for ``low``), and it is part of the flights that calibrate s.
3. s is solved (Illinois regula falsi on the simulated maximum range, to
   `RANGE_TOLERANCE`) so that the vehicle flies exactly the published low
   (resp. high) range. Where the whole line (s = 1) does not reach that
   bound, s = 1: the values' own bands are the limit. Where the nominal
   values already fly beyond the bound (a catalog nominal that flies a little
   past a point range, or a beta that alone shortens the flight below it),
   s = 0: the case does not move the boost values at all.
4. Where the catalog gives ``launch_mass_kg`` with a band, s is also clamped
   so that the total mass (propellant and dry mass of every stage plus
   payload) stays within it. The nominal sum need not equal the published
   launch mass, so relative deviations are compared: (sum(s) - sum(0)) /
   sum(0) must lie between (low - nominal) / nominal and (high - nominal) /
   nominal of ``launch_mass_kg``.

Maximum range is measured with the convention of
tests/validation/references/missile_ranges.md: non-rotating WGS 84 Earth with
J2, drag on, launch from 0 N 0 E due east, every stage burning to depletion,
kick angle optimised for range (`securityroof.core.targeting.max_range`).

For Monte Carlo sampling, `Missile.vehicle_at` takes a continuous capability
coordinate u in [-1, 1]: -1 is the low case, 0 nominal, +1 high; in between
s = |u| s_case and the ballistic coefficient moves by the same fraction |u|
of the way to its end. Maximum range is monotone in u. `Missile.vehicle`
returns exactly ``vehicle_at(-1 | 0 | +1)``.

The calibration costs a few maximum-range searches per case (about 0.1 s a
missile; the whole catalog about 1 s on two cores); it is cached by the
missile's content (its ``model_dump_json``) and its drag table, so a second
call costs nothing, and the nominal case never calibrates.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from securityroof.core.flight import VehicleArrays
from securityroof.core.planet import Planet
from securityroof.core.targeting import Launch, TargetingError, max_range
from securityroof.model.quantity import Case, Quantity, positive

# Pitch-over duration when a catalog entry gives none (s). Assumption: the
# kick angle is solved by targeting, so this only sets how abruptly it is
# flown; 10 s is of the order of the turn manoeuvres in Forden (2007), Sec. 2.
DEFAULT_PITCH_OVER_S = 10.0

# Capability coordinate u of each catalog case (see `Missile.vehicle_at`).
CASE_U: dict[Case, float] = {"low": -1.0, "nominal": 0.0, "high": 1.0}

# The calibration stops when the maximum range is within this fraction of the
# published bound (2 km at 10,000 km, 60 m at 300 km): well inside every
# published band's width and every validation tolerance.
RANGE_TOLERANCE = 2e-4
_MAX_ITERATIONS = 30

# Where a case stopped moving the boost values (CaseSide.limit).
Limit = Literal["range", "nominal", "parameters", "launch mass"]


@dataclass(frozen=True)
class CaseSide:
    """How far one capability case (low or high) moves the boost values.

    Attributes
    ----------
    s
        Fraction of the way from nominal to the values' capability ends, in [0, 1].
    range_m
        Maximum range of the case's vehicle (m), measured by the convention
        of the module docstring.
    target_m
        The published bound it aims at (m): ``published_range_km`` low or high.
    limit
        What set s: "range" (the case flies `target_m`), "nominal" (the
        nominal values already fly at or beyond it: s = 0), "parameters"
        (s = 1 falls short) or "launch mass" (s clamped by the launch-mass band).
    """

    s: float
    range_m: float
    target_m: float
    limit: Limit


@dataclass(frozen=True)
class CaseCalibration:
    """The low and high capability cases of one missile, solved against its
    published range band (see the module docstring)."""

    low: CaseSide
    high: CaseSide

    def side(self, u: float) -> CaseSide:
        return self.high if u > 0 else self.low


# Calibrations by (missile JSON, drag table JSON); scenario overrides and
# sweeps make new missiles, so the oldest are forgotten beyond this many.
_CACHE_SIZE = 1024
_CALIBRATIONS: dict[tuple[str, str], CaseCalibration] = {}
_CALIBRATIONS_LOCK = threading.Lock()


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

    # Field docstrings are the scenario reference's descriptions (`scenario_schema.py`).
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    propellant_mass_kg: Quantity
    """Propellant burnt by the stage."""
    dry_mass_kg: Quantity
    """The stage's mass without propellant, dropped at its burnout."""
    burn_time_s: Quantity
    """Burn time at constant thrust."""
    isp_vacuum_s: Quantity
    """Specific impulse in vacuum."""
    isp_sea_level_s: Quantity | None = None
    """Specific impulse at sea level (default: the vacuum value); thrust falls with pressure."""
    diameter_m: Quantity
    """Body diameter, for drag."""
    drag_table: str = "default-missile"
    """The drag coefficient against Mach number: a table of the catalog's `[drag_tables]`."""

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

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, use_attribute_docstrings=True
    )

    name: str
    """Full name."""
    missile_class: Literal["SRBM", "MRBM", "IRBM", "ICBM", "SLBM"] = Field(alias="class")
    """Range class; an ICBM or SLBM of a party with strategic forces is strategic."""
    propellant: Literal["liquid", "solid"]
    """Liquid or solid propellant."""
    country: str = ""
    """Who builds it."""
    published_range_km: Quantity
    """The range the sources quote; the low and high capability cases fly its band's ends."""
    launch_mass_kg: Quantity | None = None
    """The launch mass the sources quote; bounds the capability cases."""
    payload_mass_kg: Quantity
    """Mass carried to burnout above the last stage (warhead and bus)."""
    ballistic_coefficient_kg_m2: Quantity
    """m / (Cd A) of the re-entering body."""
    vertical_rise_s: Quantity
    """Seconds of vertical flight before the pitch-over."""
    pitch_over_s: Quantity | None = None
    """Duration of the pitch-over to the kick angle."""
    payload_separates: bool = True
    """Whether the warhead separates from the spent body (not for Scud-class missiles)."""
    notes: str = ""
    """Free text."""
    stages: list[Stage] = Field(min_length=1)
    """The stages, bottom first."""

    @model_validator(mode="after")
    def _physical(self) -> Missile:
        for name in (
            "published_range_km",
            "payload_mass_kg",
            "ballistic_coefficient_kg_m2",
            "launch_mass_kg",
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
        """Pack one capability case for the flight core.

        Exactly ``vehicle_at(drag_tables, u)`` with u = -1 ("low"), 0
        ("nominal") or +1 ("high"): the low and high cases fly the published
        range band (see the module docstring), not every value at its end.
        """
        return self.vehicle_at(drag_tables, CASE_U[case])

    def vehicle_at(self, drag_tables: dict[str, DragTable], u: float) -> VehicleArrays:
        """Pack the missile at capability coordinate `u` in [-1, 1] for the flight core.

        Parameters
        ----------
        drag_tables
            The catalog's drag tables by name.
        u
            -1 the low case, 0 nominal, +1 the high case. In between, the boost
            values sit at s = abs(u) * s_case on the line of their case and the
            ballistic coefficient the same fraction abs(u) of the way to its
            capability end, so the maximum range grows monotonically with u.
            Suited to Monte Carlo draws of missile capability.

        Returns
        -------
        VehicleArrays
            The vehicle; the first non-nominal call per missile content and
            drag table calibrates the cases (cached).
        """
        if not (math.isfinite(u) and -1.0 <= u <= 1.0):
            raise ValueError(f"capability coordinate u must lie in [-1, 1], got {u}")
        table = drag_tables[self.stages[0].drag_table]
        if u == 0.0:
            return self._pack(table, 0.0, 0.0, 0.0)
        direction = 1.0 if u > 0 else -1.0
        side = self.case_calibration(drag_tables).side(u)
        return self._pack(table, direction, abs(u) * side.s, abs(u))

    def case_calibration(self, drag_tables: dict[str, DragTable]) -> CaseCalibration:
        """The solved low and high cases (cached by missile content and drag table)."""
        table = drag_tables[self.stages[0].drag_table]
        key = (self.model_dump_json(), table.model_dump_json())
        found = _CALIBRATIONS.get(key)
        if found is None:
            found = self._calibrate(table)
            with _CALIBRATIONS_LOCK:
                if len(_CALIBRATIONS) >= _CACHE_SIZE:  # forget the oldest
                    del _CALIBRATIONS[next(iter(_CALIBRATIONS))]
                found = _CALIBRATIONS.setdefault(key, found)
        return found

    def total_mass_kg(self, direction: float = 0.0, s: float = 0.0) -> float:
        """Stage propellant and dry masses plus payload (kg) at s along a case's line."""
        total = _toward(self.payload_mass_kg, False, direction, s)
        for stage in self.stages:
            total += _toward(stage.propellant_mass_kg, True, direction, s)
            total += _toward(stage.dry_mass_kg, False, direction, s)
        return total

    def _pack(
        self, table: DragTable, direction: float, s: float, beta_fraction: float
    ) -> VehicleArrays:
        """The vehicle at s along the line toward the capability ends of
        `direction` (+1 more capable, -1 less), the ballistic coefficient
        `beta_fraction` of the way to its own end."""

        def pick(quantity: Quantity, more_range_when_larger: bool) -> float:
            return _toward(quantity, more_range_when_larger, direction, s)

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
        return VehicleArrays(
            stages=np.array(rows, dtype=np.float64),
            payload_kg=pick(self.payload_mass_kg, False),
            ballistic_coefficient_kg_m2=_toward(
                self.ballistic_coefficient_kg_m2, True, direction, beta_fraction
            ),
            vertical_rise_s=self.vertical_rise_s.nominal,
            pitch_over_s=self.pitch_over_s.nominal if self.pitch_over_s else DEFAULT_PITCH_OVER_S,
            cd_mach=np.array(table.mach, dtype=np.float64),
            cd=np.array(table.cd, dtype=np.float64),
        )

    def _calibrate(self, table: DragTable) -> CaseCalibration:
        planet = Planet.build("wgs84", rotating=False, j2=True)
        launch = Launch(0.0, 0.0)
        east = 0.5 * math.pi
        cases: tuple[tuple[float, Case], ...] = ((-1.0, "low"), (1.0, "high"))
        found: list[CaseSide] = []
        for direction, case in cases:

            def flown(s: float, direction: float = direction) -> float:
                vehicle = self._pack(table, direction, s, 1.0)
                try:
                    return max_range(vehicle, planet, launch, east)[0]
                except TargetingError:  # no kick brings it down: beyond any bound
                    return math.inf

            target = 1e3 * self.published_range_km.value(case)
            found.append(_solve_side(flown, direction, target, self._launch_mass_limit(direction)))
        return CaseCalibration(low=found[0], high=found[1])

    def _launch_mass_limit(self, direction: float) -> float:
        """Largest s in [0, 1] that keeps the total mass within the launch-mass band."""
        band = self.launch_mass_kg
        if band is None or (band.low is None and band.high is None):
            return 1.0
        nominal_sum = self.total_mass_kg()
        change = self.total_mass_kg(direction, 1.0) - nominal_sum  # at s = 1
        if change == 0.0:
            return 1.0
        bound = band.value("high") if change > 0 else band.value("low")
        allowed = (bound - band.nominal) / band.nominal  # relative, same sign as change or 0
        return min(1.0, max(0.0, allowed * nominal_sum / change))


def _toward(quantity: Quantity, larger_is_more_capable: bool, direction: float, s: float) -> float:
    """The value s of the way from nominal to its capability end of `direction`."""
    if direction == 0.0 or s == 0.0:
        return quantity.nominal
    end = quantity.capability(
        "high" if direction > 0 else "low", larger_is_more_capable=larger_is_more_capable
    )
    return quantity.nominal + s * (end - quantity.nominal)


def _solve_side(
    flown: Callable[[float], float], direction: float, target_m: float, s_max: float
) -> CaseSide:
    """s in [0, s_max] at which `flown(s)` (maximum range, monotone in s:
    increasing for direction +1, decreasing for -1) equals `target_m`."""

    def excess(range_m: float) -> float:  # > 0: beyond the bound, toward the case's side
        return direction * (range_m - target_m)

    tolerance = RANGE_TOLERANCE * target_m
    range_hi = flown(s_max)
    if excess(range_hi) <= tolerance:
        limit: Limit = "parameters" if s_max >= 1.0 else "launch mass"
        if excess(range_hi) >= -tolerance:
            limit = "range"
        return CaseSide(s_max, range_hi, target_m, limit)
    range_lo = flown(0.0)
    if excess(range_lo) >= -tolerance:
        return CaseSide(0.0, range_lo, target_m, "nominal" if excess(range_lo) > 0 else "range")
    # Illinois regula falsi on g(s) = excess(flown(s)), g(0) < 0 < g(s_max).
    a, ga, b, gb = 0.0, excess(range_lo), s_max, excess(range_hi)
    side = 0
    s, range_s = b, range_hi
    for _ in range(_MAX_ITERATIONS):
        # Bisect while an end is an orbit (infinite excess).
        s = (a * gb - b * ga) / (gb - ga) if math.isfinite(ga + gb) else 0.5 * (a + b)
        range_s = flown(s)
        g = excess(range_s)
        if abs(g) <= tolerance:
            break
        if g > 0:
            b, gb = s, g
            if side == 1:
                ga *= 0.5
            side = 1
        else:
            a, ga = s, g
            if side == -1:
                gb *= 0.5
            side = -1
    return CaseSide(s, range_s, target_m, "range")

"""Capability cases of a missile: the continuous coordinate u and its cache."""

from __future__ import annotations

import math

import numpy as np
import pytest

from securityroof.core.planet import Planet
from securityroof.core.targeting import Launch, max_range
from securityroof.model.catalog import load_missiles
from securityroof.model.missile import CASE_U, Missile
from securityroof.model.quantity import Quantity

CATALOG = load_missiles()
STILL = Planet.build("wgs84", rotating=False, j2=True)
U_GRID = (-1.0, -0.7, -0.4, -0.1, 0.0, 0.1, 0.4, 0.7, 1.0)


def _same(a, b) -> bool:
    return (
        np.array_equal(a.stages, b.stages)
        and a.payload_kg == b.payload_kg
        and a.ballistic_coefficient_kg_m2 == b.ballistic_coefficient_kg_m2
        and a.vertical_rise_s == b.vertical_rise_s
        and a.pitch_over_s == b.pitch_over_s
        and np.array_equal(a.cd, b.cd)
        and np.array_equal(a.cd_mach, b.cd_mach)
    )


@pytest.mark.parametrize("missile_id", ["topol-m", "sejjil-2", "scud-b"])
def test_the_cases_are_vehicle_at_minus_one_zero_and_plus_one(missile_id):
    missile = CATALOG.missile(missile_id)
    for case, u in CASE_U.items():
        assert _same(
            missile.vehicle(CATALOG.drag_tables, case), missile.vehicle_at(CATALOG.drag_tables, u)
        )


@pytest.mark.parametrize("missile_id", ["topol-m", "sejjil-2", "shahab-3"])
def test_vehicle_at_is_monotone_in_u(missile_id):
    missile = CATALOG.missile(missile_id)
    vehicles = [missile.vehicle_at(CATALOG.drag_tables, u) for u in U_GRID]
    payload = [v.payload_kg for v in vehicles]
    propellant = [v.stages[:, 0].sum() for v in vehicles]
    dry = [v.stages[:, 1].sum() for v in vehicles]
    isp = [v.stages[:, 3].sum() for v in vehicles]
    beta = [v.ballistic_coefficient_kg_m2 for v in vehicles]
    ranges = [max_range(v, STILL, Launch(0.0, 0.0), math.pi / 2)[0] for v in vehicles]
    assert payload == sorted(payload, reverse=True)
    assert dry == sorted(dry, reverse=True)
    for increasing in (propellant, isp, beta, ranges):
        assert increasing == sorted(increasing)
    assert ranges[0] < ranges[4] < ranges[-1]  # these three have room both ways


def test_u_outside_minus_one_to_one_is_refused():
    missile = CATALOG.missile("shahab-3")
    for u in (-1.01, 1.5, math.nan):
        with pytest.raises(ValueError, match="u must lie in"):
            missile.vehicle_at(CATALOG.drag_tables, u)


def test_calibration_is_cached_by_content():
    missile = CATALOG.missile("ghadr-1")
    first = missile.case_calibration(CATALOG.drag_tables)
    assert CATALOG.missile("ghadr-1").case_calibration(CATALOG.drag_tables) is first
    # Another published range is another missile: calibrated afresh.
    wider = missile.model_copy(
        update={
            "published_range_km": Quantity(
                nominal=1600.0, low=1400.0, high=1700.0, source="aca2016"
            )
        }
    )
    other = wider.case_calibration(CATALOG.drag_tables)
    assert other is not first
    assert other.low.s > first.low.s


def test_nominal_needs_no_calibration(monkeypatch):
    def refuse(self, table):
        raise AssertionError("the nominal case calibrated")

    monkeypatch.setattr(Missile, "_calibrate", refuse)
    missile = CATALOG.missile("generic-icbm").model_copy(update={"notes": "never calibrated"})
    vehicle = missile.vehicle(CATALOG.drag_tables)
    assert vehicle.payload_kg == missile.payload_mass_kg.nominal


def test_a_band_the_values_cannot_reach_stops_at_their_ends():
    # Minuteman III: "over 13,000 km" (mm3_range) is beyond the open stage
    # bands with a 900 kg payload: the high case takes every end (s = 1).
    missile = CATALOG.missile("minuteman-iii")
    calibration = missile.case_calibration(CATALOG.drag_tables)
    assert calibration.high.s == 1.0 and calibration.high.limit == "parameters"
    assert calibration.high.range_m < 13_000e3
    assert missile.vehicle(CATALOG.drag_tables, "high").payload_kg == missile.payload_mass_kg.low

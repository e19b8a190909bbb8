"""The low / high capability cases of every catalog missile fly its published range band.

Published bands: `published_range_km` {low, nominal, high} of each entry of
src/securityroof/catalog/missiles.toml, cited there by source key (e.g.
`scud_b_range`, `shahab3_range`, `ghadr_range`, `sejjil_range`, `mm3_range`,
`topolm_range`, `usn_d5_range`; the single-figure entries `forden2007_alhussein`,
`forden2007_nodong`, `iiss2010_3stage`, `generic_icbm_design`,
`generic_liquid_design`, `reuters_bulava2011`); launch masses
`launch_mass_kg` (`scud_b_mass`, `shahab3_mass`, `ghadr_mass`, `sejjil_mass`,
`topolm_mass`). The convention for maximum range is that of
references/missile_ranges.md: non-rotating Earth, drag on, launch from 0 N
0 E due east, all stages burning, kick optimised.

Tolerances, and why:

- The cases may not fly beyond the band, where the band is widened to the
  nominal flight itself (a nominal that flies a little past a one-figure
  published range is checked against that figure by test_targeting.py, with
  the fair tolerances of missile_ranges.md; the cases then stay at nominal).
- Below the band: 2.5 %. The re-entry ballistic coefficient is taken at its
  own end of its band in each case (the published range hardly constrains
  it), and that alone moves the maximum range of a catalog missile by up to
  2.4 % (scud-b, `beta_scud`: 5,000 against 18,000 kg/m^2 flies 285.5 against
  292.6 km), so a low case may fall that far below the band where the boost
  values cannot make up for it.
- Above the band: 0.5 %. A larger ballistic coefficient lengthens the flight
  by at most 0.25 % across the catalog (scud-b, 18,000 to 24,000 kg/m^2),
  and the calibration stops within 0.02 % of the bound.
- Where a case's calibration reached its published bound (limit "range"),
  it flies that bound within 0.05 % (the solver stops at 0.02 %; the rest is
  room for the re-flight through analysis.flight).
- Launch mass: the summed stage and payload masses deviate from their
  nominal sum by no more (relatively) than the `launch_mass_kg` band allows,
  to rounding (1e-9).
"""

from __future__ import annotations

import math

import pytest

from securityroof.analysis.flight import EarthOptions, fly_max_range
from securityroof.model.catalog import load_missiles
from securityroof.model.quantity import CASES

CATALOG = load_missiles()
STILL = EarthOptions(rotating=False)
BELOW_BAND = 0.025  # fraction of the bound, see the module docstring
ABOVE_BAND = 0.005
AT_BOUND = 5e-4


def _flown_km(missile_id: str) -> dict[str, float]:
    return {
        case: fly_max_range(
            CATALOG, missile_id, 0.0, 0.0, math.radians(90.0), earth=STILL, case=case
        ).range_m
        / 1e3
        for case in CASES
    }


@pytest.mark.parametrize("missile_id", sorted(CATALOG.missiles))
def test_cases_fly_within_the_published_range_band(missile_id):
    missile = CATALOG.missile(missile_id)
    published = missile.published_range_km
    flown = _flown_km(missile_id)
    band_low = min(published.value("low"), flown["nominal"])  # km
    band_high = max(published.value("high"), flown["nominal"])  # km
    assert flown["low"] <= flown["nominal"] <= flown["high"]
    assert flown["low"] >= band_low * (1 - BELOW_BAND)
    assert flown["high"] <= band_high * (1 + ABOVE_BAND)
    calibration = missile.case_calibration(CATALOG.drag_tables)
    for case, side in (("low", calibration.low), ("high", calibration.high)):
        if side.limit == "range":
            assert flown[case] == pytest.approx(published.value(case), rel=AT_BOUND)


@pytest.mark.parametrize(
    "missile_id",
    sorted(
        missile_id
        for missile_id, missile in CATALOG.missiles.items()
        if missile.launch_mass_kg is not None
        and (missile.launch_mass_kg.low is not None or missile.launch_mass_kg.high is not None)
    ),
)
def test_cases_keep_the_launch_mass_within_its_band(missile_id):
    missile = CATALOG.missile(missile_id)
    band = missile.launch_mass_kg
    calibration = missile.case_calibration(CATALOG.drag_tables)
    nominal_sum = missile.total_mass_kg()
    lowest = (band.value("low") - band.nominal) / band.nominal
    highest = (band.value("high") - band.nominal) / band.nominal
    for direction, side in ((-1.0, calibration.low), (1.0, calibration.high)):
        deviation = missile.total_mass_kg(direction, side.s) / nominal_sum - 1.0
        assert lowest - 1e-9 <= deviation <= highest + 1e-9


def test_the_issue_topol_m_and_sejjil_2_no_longer_stack_every_bound():
    # The issue: Topol-M's high case flew 18,886 km and Sejjil-2's 5,265 km
    # (rotating Earth); open sources give 10,000-11,000 km (`topolm_range`)
    # and 1,930-2,200 km (`sejjil_range`).
    topol = _flown_km("topol-m")
    sejjil = _flown_km("sejjil-2")
    assert 9_950.0 <= topol["low"] <= topol["high"] <= 11_050.0  # km
    assert 1_920.0 <= sejjil["low"] <= sejjil["high"] <= 2_215.0  # km

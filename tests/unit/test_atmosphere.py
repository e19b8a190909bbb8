"""Unit tests of securityroof.core.atmosphere (U.S. Standard Atmosphere 1976)."""

import math

import numba
import numpy as np
import pytest

from securityroof.core import _atmosphere_table_upper as upper_table
from securityroof.core.atmosphere import (
    LAYER_BASE_GEOPOTENTIAL_M,
    LOWER_REGION_TOP_M,
    LOWEST_ALTITUDE_M,
    R0_M,
    SPEED_OF_SOUND_86KM_M_S,
    TABLE_TOP_M,
    atmosphere,
    atmosphere_profile,
)

# Geometric altitudes (m) of every place where the model changes formula or data:
# the layer bases of USSA76 Table 4 (Z = r0 H / (r0 - H)), 86 km, the node-segment starts
# of the upper table and its 1000 km top.
LAYER_BOUNDARIES_M = [R0_M * h / (R0_M - h) for h in LAYER_BASE_GEOPOTENTIAL_M[1:]]
BOUNDARIES_M = [
    *LAYER_BOUNDARIES_M,
    LOWER_REGION_TOP_M,
    *upper_table.SEGMENT_START_M[1:],
    TABLE_TOP_M,
]


def _grid_m() -> np.ndarray:
    return np.concatenate(
        [
            np.arange(LOWEST_ALTITUDE_M, TABLE_TOP_M, 50.0),
            np.arange(TABLE_TOP_M, 5.0e6, 5_000.0),
            np.array(BOUNDARIES_M),
        ]
    )


def test_returns_three_floats() -> None:
    result = atmosphere(10_000.0)
    assert isinstance(result, tuple)
    assert len(result) == 3
    assert all(isinstance(x, float) for x in result)


def test_density_and_pressure_decrease_strictly_with_altitude() -> None:
    # From -5 km to 5000 km, every 50 m below 1000 km, every 5 km above.
    z = np.unique(_grid_m())
    density, pressure, _ = atmosphere_profile(z)
    assert np.all(np.diff(density) < 0.0)
    assert np.all(np.diff(pressure) < 0.0)
    assert np.all(density > 0.0)
    assert np.all(pressure > 0.0)


@pytest.mark.parametrize("boundary_m", BOUNDARIES_M)
def test_continuous_across_boundaries(boundary_m: float) -> None:
    # 1 mm either side of each boundary. Density and pressure change by at most
    # 2 mm / (5.8 km scale height) = 3.4e-7 relative over that step from the gradient alone;
    # a formula or data mismatch would show as a larger jump. Tolerance 1e-6 relative.
    below = atmosphere(boundary_m - 1e-3)
    above = atmosphere(boundary_m + 1e-3)
    assert above[0] == pytest.approx(below[0], rel=1e-6, abs=0.0)
    assert above[1] == pytest.approx(below[1], rel=1e-6, abs=0.0)
    # Speed of sound: temperature is continuous (USSA76 Eq. 23), and above 86 km the 86 km
    # value is held. Tolerance 1e-4 m/s.
    assert above[2] == pytest.approx(below[2], rel=0.0, abs=1e-4)


def test_compiled_and_vectorised_agree() -> None:
    # Two independent code paths (numba kernel with an O(1) segment index; NumPy with
    # searchsorted and np.interp) over random altitudes from -20 to 5000 km plus boundaries.
    rng = np.random.default_rng(20_100_326)
    z = np.concatenate([rng.uniform(-20e3, 5e6, 20_000), rng.uniform(-5e3, 130e3, 20_000)])
    z = np.concatenate([z, BOUNDARIES_M, [LOWEST_ALTITUDE_M, 0.0, TABLE_TOP_M]])
    compiled = np.array([atmosphere(float(x)) for x in z]).T
    vectorised = atmosphere_profile(z)
    for ours, theirs in zip(compiled, vectorised, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0.0)


def test_profile_keeps_shape_and_accepts_scalars_and_lists() -> None:
    z = np.array([[0.0, 10e3], [100e3, 2e6]])
    density, pressure, sound = atmosphere_profile(z)
    assert density.shape == pressure.shape == sound.shape == (2, 2)
    assert density[1, 0] == pytest.approx(atmosphere(100e3)[0], rel=1e-12)
    scalar = atmosphere_profile(5_000.0)
    assert all(a.shape == () for a in scalar)
    listed = atmosphere_profile([0.0, 5_000.0])
    assert listed[1][1] == pytest.approx(float(scalar[1]), rel=1e-12)


def test_below_sea_level_extends_lowest_layer_then_clamps_at_minus_5_km() -> None:
    sea = atmosphere(0.0)
    minus_1km = atmosphere(-1_000.0)
    # The lowest layer continues below 0 m (USSA76 Table I starts at -5 km): denser,
    # higher pressure, warmer (faster sound) than at sea level.
    assert minus_1km[0] > sea[0]
    assert minus_1km[1] > sea[1]
    assert minus_1km[2] > sea[2]
    at_floor = atmosphere(LOWEST_ALTITUDE_M)
    for z in (-5_000.001, -6_000.0, -1.0e7, -math.inf):
        assert atmosphere(z) == at_floor
    np.testing.assert_array_equal(
        np.array(atmosphere_profile([-6_000.0, -math.inf])).T, [at_floor, at_floor]
    )


def test_above_table_top_decays_with_last_interval_scale_height() -> None:
    z_nodes = np.asarray(upper_table.NODES)[:, 0]
    z_prev = float(z_nodes[-2])
    prev = atmosphere(z_prev)
    top = atmosphere(TABLE_TOP_M)
    beyond = atmosphere(TABLE_TOP_M + 500e3)
    for q in (0, 1):
        slope = math.log(top[q] / prev[q]) / (TABLE_TOP_M - z_prev)
        assert slope < 0.0
        expected = top[q] * math.exp(slope * 500e3)
        assert beyond[q] == pytest.approx(expected, rel=1e-9)
    assert atmosphere(1.0e12)[:2] == (0.0, 0.0)
    assert atmosphere(math.inf)[:2] == (0.0, 0.0)


def test_speed_of_sound_held_at_86_km_value_above_86_km() -> None:
    # USSA76 Table III stops at 86 km (274.10 m/s); the module holds that value above.
    assert abs(SPEED_OF_SOUND_86KM_M_S - 274.10) <= 0.005
    assert atmosphere(LOWER_REGION_TOP_M)[2] == pytest.approx(SPEED_OF_SOUND_86KM_M_S, abs=1e-9)
    for z in (86_000.5, 150e3, 999e3, 3e6, math.inf):
        assert atmosphere(z)[2] == SPEED_OF_SOUND_86KM_M_S


def test_nan_altitude_gives_nan() -> None:
    assert all(math.isnan(x) for x in atmosphere(math.nan))
    assert all(np.isnan(a).all() for a in atmosphere_profile([math.nan]))


def test_callable_from_another_compiled_kernel() -> None:
    @numba.njit(cache=False)
    def dynamic_pressure_pa(altitude_m: np.ndarray, speed_m_s: float) -> np.ndarray:
        out = np.empty_like(altitude_m)
        for i in range(altitude_m.size):
            density, _, _ = atmosphere(altitude_m[i])
            out[i] = 0.5 * density * speed_m_s**2
        return out

    z = np.array([0.0, 30e3, 90e3, 400e3])
    got = dynamic_pressure_pa(z, 2_000.0)
    expected = 0.5 * atmosphere_profile(z)[0] * 2_000.0**2
    np.testing.assert_allclose(got, expected, rtol=1e-14)


def test_node_table_is_piecewise_uniform() -> None:
    # The kernel finds the interval arithmetically; that needs the nodes to be uniform
    # within each segment, from 86 km to exactly 1000 km.
    z = np.asarray(upper_table.NODES)[:, 0]
    assert z[0] == LOWER_REGION_TOP_M
    assert z[-1] == TABLE_TOP_M
    starts = np.array(upper_table.SEGMENT_START_M)
    steps = np.array(upper_table.SEGMENT_STEP_M)
    segment = np.searchsorted(starts, z[:-1], side="right") - 1
    np.testing.assert_array_equal(np.diff(z), steps[segment])
    assert set(starts) <= set(z)


def test_86_km_node_anchored_to_layer_equations() -> None:
    # The table's 86 km row (ussa1976's evaluation of the layer equations, with its
    # 0.028964425 kg/mol M0) and this module's layer equations agree to 2e-5 relative;
    # the module uses its own value there so that the profile is continuous.
    row = upper_table.NODES[0]
    density, pressure, _ = atmosphere(LOWER_REGION_TOP_M)
    assert math.log(density) == pytest.approx(row[1], abs=2e-5)
    assert math.log(pressure) == pytest.approx(row[2], abs=2e-5)

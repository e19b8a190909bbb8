"""U.S. Standard Atmosphere 1976: density, pressure and speed of sound.

Reference: *U.S. Standard Atmosphere, 1976*, NOAA-S/T 76-1562 / NASA-TM-X-74335
(NOAA, NASA, USAF; Washington, D.C., October 1976), cited below as "USSA76".

Altitude regions
----------------
* -5 km to 86 km geometric altitude: the standard's own layer equations,
  evaluated here in closed form: geopotential altitude (Eqs. 17-18), molecular-scale
  temperature linear in geopotential altitude in seven layers (Eq. 23,
  Table 4), hydrostatic pressure (Eqs. 33a, 33b), density (Eq. 42) and speed
  of sound (Eq. 50). The standard's Table I starts at -5 km; this module uses
  the lowest layer's equations down to -5 km and holds the -5 km values below.
* 86 km to 1000 km: the standard's diffusion model (USSA76 Part 1), precomputed
  by ``tools/make_atmosphere_table.py`` into the literal node table
  ``_atmosphere_table_upper`` and interpolated linearly in ln(density) and
  ln(pressure). The table follows the standard's printed Table I: the
  generator corrects the atomic oxygen of the ``ussa1976`` package, which is
  7 % above the standard's Table VIII (see the tool's docstring). Interpolation
  error against the underlying profile is below 0.04 %.
* Above 1000 km: ln(density) and ln(pressure) continue linearly with the slope
  of the last table interval (995-1000 km), i.e. exponential decay with the
  scale heights there (about 237 km for density and 289 km for pressure). This
  is an extrapolation, not part of the standard; it keeps drag positive,
  continuous and monotonically decreasing.
* Speed of sound: the standard defines it (Eq. 50, Table III) only below 86 km
  where the air is well mixed; above 86 km this module holds the 86 km value,
  274.10 m/s (see :func:`atmosphere`).

Molecular-scale temperature ``T_M`` is used throughout the lower region: it
is what Eqs. 33, 42 and 50 take, and it equals the kinetic temperature below
80 km (Eq. 22; the two differ by at most 0.04 % between 80 and 86 km, which
affects neither density nor pressure).
"""

import math

import numba
import numpy as np
import numpy.typing as npt

from securityroof.core import _atmosphere_table_upper as _upper
from securityroof.core.constants import P0_PA

# --- Constants adopted by the standard (USSA76 Part 1) -----------------------------------
# Values as the standard states them; the standard's own R* and M0 (not CODATA) are what
# reproduce its tables.
RSTAR_J_MOL_K = 8.31432  # gas constant R*, J/(mol K) (USSA76: 8.31432e3 J/(kmol K))
M0_KG_MOL = 0.0289644  # sea-level mean molar mass M0, kg/mol (USSA76: 28.9644 kg/kmol)
GAMMA_AIR = 1.4  # ratio of specific heats of air, dimensionless (USSA76 Eq. 50)
R0_M = 6_356_766.0  # effective Earth radius r0 of Eqs. 17-18, m (USSA76: 6356.766 km)
G0_PRIME_M2_S2_PER_M = 9.80665  # g0', m^2/s^2 per geopotential metre m' (USSA76 Part 1)
T0_K = 288.15  # sea-level temperature, K (USSA76 Part 1, Table 4 base)

# Layer table, USSA76 Table 4: base geopotential altitude H_b (m') and
# molecular-scale temperature gradient L_M,b (K/m') of layers b = 0..6.
LAYER_BASE_GEOPOTENTIAL_M = (0.0, 11_000.0, 20_000.0, 32_000.0, 47_000.0, 51_000.0, 71_000.0)
LAYER_LAPSE_RATE_K_M = (-0.0065, 0.0, 0.001, 0.0028, 0.0, -0.0028, -0.002)

LOWER_REGION_TOP_M = 86_000.0  # geometric altitude, m, where the layer equations end (Table 4)
LOWEST_ALTITUDE_M = -5_000.0  # bottom of USSA76 Table I; altitudes below are clamped here, m
TABLE_TOP_M = 1_000_000.0  # top of the standard and of the node table, m

# Hydrostatic constant g0' M0 / R*, K/m' (the exponent scale of Eqs. 33a and 33b).
_GMR_K_M = G0_PRIME_M2_S2_PER_M * M0_KG_MOL / RSTAR_J_MOL_K
# Speed-of-sound factor of Eq. 50: C_s = sqrt(gamma R* T_M / M0).
_SOUND_FACTOR_M2_S2_K = GAMMA_AIR * RSTAR_J_MOL_K / M0_KG_MOL


def _geopotential_m(altitude_m: float) -> float:
    # USSA76 Eqs. 17-18: H = (1/g0') * integral of g dZ with g = g0 (r0 / (r0 + Z))^2,
    # which gives H = r0 Z / (r0 + Z).
    return R0_M * altitude_m / (R0_M + altitude_m)


def _layer_bases() -> tuple[list[float], list[float]]:
    """Base temperature (K) and pressure (Pa) of each layer, plus the 86 km top.

    Each base follows from the one below by Eq. 23 (temperature) and Eq. 33a
    or 33b (pressure), starting from T0 and P0, as the standard derives them.
    """
    h_levels = [*LAYER_BASE_GEOPOTENTIAL_M, _geopotential_m(LOWER_REGION_TOP_M)]
    temperatures = [T0_K]
    pressures = [P0_PA]
    for b, lapse in enumerate(LAYER_LAPSE_RATE_K_M):
        dh = h_levels[b + 1] - h_levels[b]
        t_base = temperatures[b]
        t_top = t_base + lapse * dh  # Eq. 23
        if lapse == 0.0:
            p_top = pressures[b] * math.exp(-_GMR_K_M * dh / t_base)  # Eq. 33b
        else:
            p_top = pressures[b] * (t_base / t_top) ** (_GMR_K_M / lapse)  # Eq. 33a
        temperatures.append(t_top)
        pressures.append(p_top)
    return temperatures, pressures


_LEVEL_T_K, _LEVEL_P_PA = _layer_bases()

#: Molecular-scale temperature at 86 km (USSA76 Table I: 186.946 K), K.
TEMPERATURE_86KM_K = _LEVEL_T_K[-1]
#: Speed of sound at 86 km by Eq. 50 (USSA76 Table III: 274.10 m/s), held above 86 km, m/s.
SPEED_OF_SOUND_86KM_M_S = math.sqrt(_SOUND_FACTOR_M2_S2_K * TEMPERATURE_86KM_K)

# Arrays the compiled kernel reads (numba freezes global arrays into the code).
_H_BASE = np.array(LAYER_BASE_GEOPOTENTIAL_M)
_LAPSE = np.array(LAYER_LAPSE_RATE_K_M)
_T_BASE = np.array(_LEVEL_T_K[:-1])
_P_BASE = np.array(_LEVEL_P_PA[:-1])
# Exponent of Eq. 33a, g0' M0 / (R* L_M,b); unused (set to 0) in isothermal layers.
_EXPONENT = np.array([_GMR_K_M / lapse if lapse != 0.0 else 0.0 for lapse in LAYER_LAPSE_RATE_K_M])
# Coefficient of Eq. 33b, g0' M0 / (R* T_M,b), 1/m'; used only in isothermal layers.
_ISO_COEF = _GMR_K_M / _T_BASE

# Upper node table. The 86 km row is replaced by this module's own layer-equation
# values (they differ from the ussa1976 values by ~1e-5, from its M0 digits) so the
# profile is continuous at 86 km.
_NODES = np.array(_upper.NODES, dtype=np.float64)
_Z_NODE = np.ascontiguousarray(_NODES[:, 0])
_LN_RHO_NODE = np.ascontiguousarray(_NODES[:, 1])
_LN_P_NODE = np.ascontiguousarray(_NODES[:, 2])
_LN_P_NODE[0] = math.log(_LEVEL_P_PA[-1])
_LN_RHO_NODE[0] = math.log(_LEVEL_P_PA[-1] * M0_KG_MOL / (RSTAR_J_MOL_K * TEMPERATURE_86KM_K))
_SEG_START = np.array(_upper.SEGMENT_START_M)
_SEG_INV_STEP = 1.0 / np.array(_upper.SEGMENT_STEP_M)
_SEG_FIRST = np.searchsorted(_Z_NODE, _SEG_START).astype(np.int64)
_LAST_INTERVAL = _Z_NODE.size - 2


@numba.njit(cache=True, fastmath=False)
def atmosphere(altitude_m: float) -> tuple[float, float, float]:
    """Density, pressure and speed of sound of the U.S. Standard Atmosphere 1976.

    Compiled with numba (``nopython``); call it from other kernels as well as
    from Python. It allocates nothing and branches only on the altitude region
    (below 86 km, above, NaN) and on whether the layer is isothermal.

    Parameters
    ----------
    altitude_m : float
        Geometric altitude above mean sea level, m. Values below -5 km are
        treated as -5 km; NaN gives NaN results.

    Returns
    -------
    density_kg_m3 : float
        Mass density, kg/m^3.
    pressure_pa : float
        Pressure, Pa.
    speed_of_sound_m_s : float
        Speed of sound, m/s.

    Notes
    -----
    Below 86 km (USSA76 Part 1), with geopotential altitude
    ``H = r0 Z / (r0 + Z)`` (Eqs. 17-18) in layer ``b`` of Table 4:

    * ``T_M = T_M,b + L_M,b (H - H_b)`` (Eq. 23);
    * ``P = P_b [T_M,b / T_M] ** (g0' M0 / (R* L_M,b))`` (Eq. 33a), or
      ``P = P_b exp(-g0' M0 (H - H_b) / (R* T_M,b))`` if ``L_M,b = 0`` (Eq. 33b);
    * ``rho = P M0 / (R* T_M)`` (Eq. 42);
    * ``C_s = sqrt(gamma R* T_M / M0)`` (Eq. 50).

    From 86 to 1000 km, density and pressure are interpolated linearly in
    their logarithms from the generated node table (diffusion model of
    USSA76 Part 1, following the printed Table I to 0.21 %); above 1000 km the
    last interval's logarithmic slopes are extended. The standard gives the
    speed of sound only up to 86 km (Eq. 50 is written for the well-mixed
    lower region and Table III stops at 86 km), so the 86 km value,
    274.10 m/s, is returned for every altitude above 86 km.
    """
    if altitude_m <= LOWER_REGION_TOP_M:
        z = altitude_m
        if z < LOWEST_ALTITUDE_M:
            z = LOWEST_ALTITUDE_M
        h = R0_M * z / (R0_M + z)  # Eqs. 17-18
        b = 0  # layer index: number of layer bases above the first that h has reached
        for j in range(1, _H_BASE.size):  # constant trip count: unrolled, branch-free
            b += h >= _H_BASE[j]
        dh = h - _H_BASE[b]
        lapse = _LAPSE[b]
        t_base = _T_BASE[b]
        temperature = t_base + lapse * dh  # Eq. 23
        if lapse != 0.0:
            pressure = _P_BASE[b] * (t_base / temperature) ** _EXPONENT[b]  # Eq. 33a
        else:
            pressure = _P_BASE[b] * math.exp(-_ISO_COEF[b] * dh)  # Eq. 33b
        density = pressure * (M0_KG_MOL / RSTAR_J_MOL_K) / temperature  # Eq. 42
        return density, pressure, math.sqrt(_SOUND_FACTOR_M2_S2_K * temperature)  # Eq. 50

    if altitude_m > LOWER_REGION_TOP_M:
        # Upper region: piecewise-uniform node grid, so the interval index is O(1).
        k = 0  # node-grid segment index
        for j in range(1, _SEG_START.size):
            k += altitude_m >= _SEG_START[j]
        u = (altitude_m - _SEG_START[k]) * _SEG_INV_STEP[k]
        i = _SEG_FIRST[k] + int(min(u, 1.0e6))  # min() keeps int() defined for +inf
        if i > _LAST_INTERVAL:
            i = _LAST_INTERVAL
        w = (altitude_m - _Z_NODE[i]) / (_Z_NODE[i + 1] - _Z_NODE[i])  # > 1 above 1000 km
        ln_rho = _LN_RHO_NODE[i] + w * (_LN_RHO_NODE[i + 1] - _LN_RHO_NODE[i])
        ln_p = _LN_P_NODE[i] + w * (_LN_P_NODE[i + 1] - _LN_P_NODE[i])
        return math.exp(ln_rho), math.exp(ln_p), SPEED_OF_SOUND_86KM_M_S

    return math.nan, math.nan, math.nan  # altitude is NaN


def atmosphere_profile(
    altitude_m: npt.ArrayLike,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Vectorised U.S. Standard Atmosphere 1976 over an array of altitudes.

    A NumPy implementation of the same model as :func:`atmosphere` (same
    constants and node table, independent code path), for plotting, tables and
    cross-checks. Use :func:`atmosphere` inside compiled kernels.

    Parameters
    ----------
    altitude_m : array_like
        Geometric altitudes above mean sea level, m, any shape.

    Returns
    -------
    density_kg_m3, pressure_pa, speed_of_sound_m_s : numpy.ndarray
        Mass density (kg/m^3), pressure (Pa) and speed of sound (m/s), each
        with the shape of ``altitude_m``.

    Notes
    -----
    Same equations and conventions as :func:`atmosphere` (USSA76 Eqs. 17-18, 23,
    33a, 33b, 42, 50 below 86 km; log-linear node table above; clamp below
    -5 km; log-linear extrapolation above 1000 km; speed of sound held at its
    86 km value above 86 km).
    """
    z = np.asarray(altitude_m, dtype=np.float64)
    shape = z.shape
    z = z.ravel()
    density = np.empty_like(z)
    pressure = np.empty_like(z)
    sound = np.full_like(z, SPEED_OF_SOUND_86KM_M_S)

    lower = z <= LOWER_REGION_TOP_M
    zl = np.maximum(z[lower], LOWEST_ALTITUDE_M)
    h = R0_M * zl / (R0_M + zl)  # Eqs. 17-18
    b = np.searchsorted(_H_BASE, h, side="right") - 1
    b = np.clip(b, 0, _H_BASE.size - 1)
    dh = h - _H_BASE[b]
    lapse = _LAPSE[b]
    temperature = _T_BASE[b] + lapse * dh  # Eq. 23
    gradient = lapse != 0.0
    p_base = _P_BASE[b]
    p_lower = np.empty_like(zl)
    ratio = _T_BASE[b][gradient] / temperature[gradient]
    p_lower[gradient] = p_base[gradient] * ratio ** _EXPONENT[b][gradient]  # Eq. 33a
    iso = ~gradient
    p_lower[iso] = p_base[iso] * np.exp(-_ISO_COEF[b][iso] * dh[iso])  # Eq. 33b
    pressure[lower] = p_lower
    density[lower] = p_lower * M0_KG_MOL / (RSTAR_J_MOL_K * temperature)  # Eq. 42
    sound[lower] = np.sqrt(_SOUND_FACTOR_M2_S2_K * temperature)  # Eq. 50

    upper = ~lower  # includes NaN
    zu = z[upper]
    ln_rho = np.interp(zu, _Z_NODE, _LN_RHO_NODE)
    ln_p = np.interp(zu, _Z_NODE, _LN_P_NODE)
    above = zu > TABLE_TOP_M
    if np.any(above):
        dz_top = _Z_NODE[-1] - _Z_NODE[-2]
        slope_rho = (_LN_RHO_NODE[-1] - _LN_RHO_NODE[-2]) / dz_top
        slope_p = (_LN_P_NODE[-1] - _LN_P_NODE[-2]) / dz_top
        ln_rho[above] = _LN_RHO_NODE[-1] + slope_rho * (zu[above] - _Z_NODE[-1])
        ln_p[above] = _LN_P_NODE[-1] + slope_p * (zu[above] - _Z_NODE[-1])
    density[upper] = np.exp(ln_rho)
    pressure[upper] = np.exp(ln_p)
    sound[upper] = np.where(np.isnan(zu), np.nan, SPEED_OF_SOUND_86KM_M_S)
    return density.reshape(shape), pressure.reshape(shape), sound.reshape(shape)

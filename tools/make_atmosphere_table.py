"""Generate ``src/securityroof/core/_atmosphere_table_upper.py``.

The U.S. Standard Atmosphere 1976 (NOAA-S/T 76-1562, NASA-TM-X-74335) defines
the atmosphere above 86 km by a diffusion integration of six species (Part 1:
number densities of N2, O, O2, Ar, He and H integrated upward from their 86 km
values of Table 9, with the transport terms of Table 7). Security Roof does not
reimplement that integration: this script evaluates it once with the PyPI
package ``ussa1976`` (version 0.3.4, Rayference) and writes the result as a
literal Python node table that ``securityroof.core.atmosphere`` interpolates at
run time (linear in log density and log pressure).

Correction applied to ``ussa1976`` 0.3.4
-----------------------------------------
``ussa1976`` 0.3.4 reproduces the standard's number densities of N2, O2 and He
(Table VIII, pp. 210-215) to within 0.3 % and of H to within 1.7 % (at
150 km; 0.8 % above 200 km), but its atomic oxygen is
7.0-7.2 % too high everywhere above ~100 km (+2.3 % at 90 km, +4.9 % at
95 km). The package's own test suite accepts O with ``rtol=0.1`` and a TODO.
Because O carries most of the mass between ~200 and ~600 km, the package's
total density is up to 6.7 % (at 500 km) and its pressure up to 6.5 % (at
400 km) above the standard's printed Table I. The standard's printed tables
are the normative result, so this script rescales the package's O number
density by the ratio Table VIII / ussa1976 (interpolated linearly in altitude
of its logarithm between the Table VIII altitudes below) and recomputes

    rho = sum_i n_i m_i / N_A          (mass density from the species)
    P   = n k T                        (standard Eq. 33c)

With that single correction the generated profile agrees with the printed
Table I to within 0.21 % in density and 0.20 % in pressure from 86 to
1000 km (see tests/validation/test_atmosphere.py).

Usage
-----
    python tools/make_atmosphere_table.py            # write the module
    python tools/make_atmosphere_table.py --check    # exit 1 if it is stale

After writing, the script removes numba's on-disk caches (``*.nbi``, ``*.nbc``)
under ``src/securityroof``: numba freezes global arrays into compiled code and
keys each cache on the source file of its kernel, not on the table module, so
``atmosphere`` and every cached kernel that calls it would keep the old table.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import numpy.typing as npt

REPO_ROOT = Path(__file__).resolve().parent.parent
OUTPUT_PATH = REPO_ROOT / "src" / "securityroof" / "core" / "_atmosphere_table_upper.py"
PACKAGE_ROOT = REPO_ROOT / "src" / "securityroof"
USSA1976_VERSION = "0.3.4"

# Node grid: piecewise-uniform segments (start, step), all ending at 1000 km.
# Finer where the temperature profile bends (elliptical segment 91-110 km,
# linear 110-120 km, onset of the exponential segment above 120 km: standard
# Eqs. 27, 29, 31). With this grid the log-linear interpolation error against
# the profile evaluated every 100 m is below 0.04 % in density and pressure.
SEGMENTS_M: tuple[tuple[float, float], ...] = (
    (86_000.0, 500.0),
    (130_000.0, 1_000.0),
    (200_000.0, 2_000.0),
    (400_000.0, 5_000.0),
)
TOP_M = 1_000_000.0

# Atomic-oxygen number density (m^-3) at geometric altitude (m): NOAA-S/T 76-1562
# Table VIII (pp. 210-215); the 86 km value is the standard's boundary value (Table 9).
TABLE_VIII_O: tuple[tuple[float, float], ...] = (
    (86e3, 8.6e16),
    (90e3, 2.443e17),
    (95e3, 4.365e17),
    (100e3, 4.298e17),
    (110e3, 2.303e17),
    (120e3, 9.275e16),
    (150e3, 1.780e16),
    (200e3, 4.050e15),
    (300e3, 5.443e14),
    (400e3, 9.584e13),
    (500e3, 1.836e13),
    (600e3, 3.707e12),
    (700e3, 7.840e11),
    (800e3, 1.732e11),
    (900e3, 3.989e10),
    (1000e3, 9.562e9),
)

_UPPER_SPECIES = ("N2", "O", "O2", "Ar", "He", "H")


def node_altitudes_m() -> npt.NDArray[np.float64]:
    """Return the node altitudes of the generated table.

    Returns
    -------
    numpy.ndarray
        Geometric altitudes, m, strictly increasing from 86 km to 1000 km.
    """
    parts = []
    bounds = [start for start, _ in SEGMENTS_M[1:]] + [TOP_M]
    for (start, step), stop in zip(SEGMENTS_M, bounds, strict=True):
        count = round((stop - start) / step)
        parts.append(start + step * np.arange(count))
    parts.append(np.array([TOP_M]))
    return np.concatenate(parts)


def _import_ussa1976() -> ModuleType:
    import ussa1976

    if ussa1976.__version__ != USSA1976_VERSION:
        raise SystemExit(
            f"ussa1976 {ussa1976.__version__} is installed but this table is defined with "
            f"{USSA1976_VERSION}; install it with `pip install ussa1976=={USSA1976_VERSION}`."
        )
    return ussa1976


def upper_profile(
    altitude_m: npt.ArrayLike,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Standard-atmosphere profile above 86 km: ``ussa1976`` with corrected O.

    Parameters
    ----------
    altitude_m : array_like
        Geometric altitudes, m, each in (86 km, 1000 km].

    Returns
    -------
    density_kg_m3, pressure_pa, temperature_k : numpy.ndarray
        Mass density (kg/m^3), pressure (Pa) and kinetic temperature (K).

    Notes
    -----
    The package's species number densities are used as they are, except
    atomic oxygen, which is multiplied by the Table VIII / ussa1976 ratio (see
    the module docstring). Density is ``sum(n_i m_i) / N_A`` and pressure
    ``n k T`` (NOAA-S/T 76-1562 Eq. 33c) with the package's constants, which
    are the standard's.
    """
    ussa1976 = _import_ussa1976()
    from ussa1976.constants import NA, K, M

    z = np.atleast_1d(np.asarray(altitude_m, dtype=np.float64))
    if np.any(z <= 86e3) or np.any(z > TOP_M):
        raise ValueError("upper_profile covers 86 km < altitude <= 1000 km only")
    ds = ussa1976.compute(z=z, variables=["n", "t"])
    species = [str(s) for s in ds["s"].values]
    n = {s: np.asarray(ds["n"].values[species.index(s)], dtype=np.float64) for s in species}
    n["O"] = n["O"] * oxygen_correction(z)
    temperature_k = np.asarray(ds["t"].values, dtype=np.float64)
    n_total = sum(n[s] for s in _UPPER_SPECIES)
    density = sum(n[s] * M[s] for s in _UPPER_SPECIES) / NA
    pressure = K * n_total * temperature_k
    return np.asarray(density), np.asarray(pressure), temperature_k


def oxygen_correction(altitude_m: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Factor that brings ``ussa1976`` 0.3.4 atomic oxygen onto Table VIII.

    Parameters
    ----------
    altitude_m : array_like
        Geometric altitudes, m, in [86 km, 1000 km].

    Returns
    -------
    numpy.ndarray
        Multiplicative factor (dimensionless), interpolated linearly in
        altitude of its logarithm between the Table VIII altitudes.
    """
    _import_ussa1976()
    from ussa1976.core import compute_number_densities_high_altitude

    table = np.array(TABLE_VIII_O)
    packaged = compute_number_densities_high_altitude(table[:, 0]).sel(s="O").values
    log_ratio = np.log(table[:, 1] / np.asarray(packaged, dtype=np.float64))
    z = np.asarray(altitude_m, dtype=np.float64)
    return np.exp(np.interp(z, table[:, 0], log_ratio))


def build_nodes() -> npt.NDArray[np.float64]:
    """Evaluate the node table.

    Returns
    -------
    numpy.ndarray
        Shape (n, 4): altitude (m), ln(density / (kg/m^3)), ln(pressure / Pa),
        kinetic temperature (K). The 86 km row takes density and pressure from
        the standard's layer equations as ``ussa1976`` evaluates them (its
        ``compute`` uses them at z <= 86 km) and the kinetic temperature
        T7 = 186.8673 K (NOAA-S/T 76-1562, 86-91 km isothermal layer); the core module
        replaces that row's density and pressure by its own layer-equation
        values so the profile is continuous.
    """
    ussa1976 = _import_ussa1976()
    from ussa1976.constants import T7

    z = node_altitudes_m()
    base = ussa1976.compute(z=z[:1], variables=["rho", "p"])
    density, pressure, temperature = upper_profile(z[1:])
    rows = np.empty((z.size, 4))
    rows[:, 0] = z
    rows[0, 1] = np.log(float(base["rho"].values[0]))
    rows[0, 2] = np.log(float(base["p"].values[0]))
    rows[0, 3] = T7
    rows[1:, 1] = np.log(density)
    rows[1:, 2] = np.log(pressure)
    rows[1:, 3] = temperature
    return rows


def render_module(rows: npt.NDArray[np.float64]) -> str:
    """Render the node table as Python source.

    Parameters
    ----------
    rows : numpy.ndarray
        Output of :func:`build_nodes`.

    Returns
    -------
    str
        Source text of ``_atmosphere_table_upper.py``.
    """
    starts = ", ".join(f"{start:.1f}" for start, _ in SEGMENTS_M)
    steps = ", ".join(f"{step:.1f}" for _, step in SEGMENTS_M)
    lines = [
        '"""U.S. Standard Atmosphere 1976 above 86 km: node table (GENERATED, do not edit).',
        "",
        "Generated by tools/make_atmosphere_table.py from the PyPI package ussa1976",
        f"{USSA1976_VERSION} (an implementation of the diffusion model of NOAA-S/T 76-1562 /",
        "NASA-TM-X-74335, Part 1), with its atomic-oxygen number density",
        "rescaled to the standard's Table VIII (pp. 210-215); see that script's",
        "docstring for why. Regenerate with `python tools/make_atmosphere_table.py`.",
        "",
        "NODES rows: (geometric altitude m, ln(density / (kg m^-3)), ln(pressure / Pa),",
        "kinetic temperature K). Nodes are uniform within each segment: segment k",
        "starts at SEGMENT_START_M[k] with spacing SEGMENT_STEP_M[k]; the last node",
        f"is at {TOP_M:.1f} m.",
        '"""',
        "",
        f"SEGMENT_START_M = ({starts})",
        f"SEGMENT_STEP_M = ({steps})",
        "",
        "# fmt: off",
        "NODES = (",
    ]
    for z, ln_rho, ln_p, t in rows:
        lines.append(f"    ({z:.1f}, {ln_rho:.12f}, {ln_p:.12f}, {t:.6f}),")
    lines += [")", "# fmt: on", ""]
    return "\n".join(lines)


def _clear_numba_cache() -> None:
    # Every cached kernel that calls ``atmosphere`` has the old table frozen in.
    for path in PACKAGE_ROOT.rglob("__pycache__/*.nb[ic]"):
        path.unlink()


def main(argv: list[str] | None = None) -> int:
    """Write (or check) the generated node table.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments; ``--check`` only compares.

    Returns
    -------
    int
        Process exit status: 0 on success, 1 if ``--check`` found a stale file.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args(argv)
    text = render_module(build_nodes())
    if args.check:
        current = OUTPUT_PATH.read_text() if OUTPUT_PATH.exists() else ""
        if current != text:
            print(f"{OUTPUT_PATH} is out of date; run tools/make_atmosphere_table.py")
            return 1
        print(f"{OUTPUT_PATH} is up to date")
        return 0
    OUTPUT_PATH.write_text(text)
    _clear_numba_cache()
    print(f"wrote {OUTPUT_PATH} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

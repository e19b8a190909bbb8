"""Analytic two-body (Kepler) flight from a burnout state to a given radius.

The reference the drag-free, non-rotating, spherical, J2-free flights are
checked against. Bate, Mueller & White, "Fundamentals of Astrodynamics"
(Dover, 1971), chapter 6 (ballistic missile trajectories), eqs. 6.2-1 to
6.2-16, and chapter 4 (time of flight from the eccentric anomaly, eq. 4.2-9).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class KeplerArc:
    range_angle_rad: np.ndarray
    flight_time_s: np.ndarray
    apogee_radius_m: np.ndarray
    time_to_radius_up_s: np.ndarray | None = None


def _mean_anomaly(nu: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Mean anomaly of true anomaly nu in [0, 2 pi), continuous across pi."""
    upper = nu > np.pi
    nu_half = np.where(upper, 2.0 * np.pi - nu, nu)
    ecc = 2.0 * np.arctan(np.sqrt((1.0 - e) / (1.0 + e)) * np.tan(nu_half / 2.0))
    m = ecc - e * np.sin(ecc)
    return np.where(upper, 2.0 * np.pi - m, m)


def arc(
    mu_m3_s2: float,
    r0_m: np.ndarray,
    speed_m_s: np.ndarray,
    gamma_rad: np.ndarray,
    r_end_m: np.ndarray,
    r_mid_m: np.ndarray | None = None,
) -> KeplerArc:
    """Ascending start at radius r0, descending end at radius r_end.

    Optionally the time at which radius r_mid is first reached going up.
    """
    energy = speed_m_s**2 / 2.0 - mu_m3_s2 / r0_m
    a = -mu_m3_s2 / (2.0 * energy)
    h = r0_m * speed_m_s * np.cos(gamma_rad)
    p = h * h / mu_m3_s2
    e = np.sqrt(1.0 - p / a)
    nu0 = np.arccos(np.clip((p / r0_m - 1.0) / e, -1.0, 1.0))  # ascending: 0 < nu0 < pi
    nu1 = 2.0 * np.pi - np.arccos(np.clip((p / r_end_m - 1.0) / e, -1.0, 1.0))
    n = np.sqrt(mu_m3_s2 / a**3)
    t = (_mean_anomaly(nu1, e) - _mean_anomaly(nu0, e)) / n
    t_mid = None
    if r_mid_m is not None:
        nu_mid = np.arccos(np.clip((p / r_mid_m - 1.0) / e, -1.0, 1.0))
        t_mid = (_mean_anomaly(nu_mid, e) - _mean_anomaly(nu0, e)) / n
    return KeplerArc(nu1 - nu0, t, a * (1.0 + e), t_mid)


def max_range_angle(mu_m3_s2: float, r_m: float, speed_m_s: float) -> tuple[float, float]:
    """Greatest range angle and its burnout angle for burnout and impact at
    the same radius: sin(psi/2) = Q / (2 - Q), gamma* = (pi - psi) / 4, with
    Q = v^2 r / mu (Bate, Mueller & White, eqs. 6.2-16 and 6.2-17)."""
    q = speed_m_s**2 * r_m / mu_m3_s2
    psi = 2.0 * np.arcsin(q / (2.0 - q))
    return psi, (np.pi - psi) / 4.0

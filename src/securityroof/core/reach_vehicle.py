"""The stand-in vehicle of an interceptor: a single-stage rocket flown with the
flight core whose burnout speed is the interceptor's, and the kicks of its fan.

Part of the reach-table model (see `reach`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from securityroof.core.constants import G0_M_S2
from securityroof.core.flight import (
    IntegratorSettings,
    VehicleArrays,
    fly_boosted,
)
from securityroof.core.planet import Planet

# --- Assumptions of the synthesized vehicle ----------------------------------------------
# Vacuum specific impulse (s). Assumption: a solid-propellant booster (open
# figures for such motors lie between about 250 and 290 s). Only the product
# with the propellant fraction matters for the burnout speed, which is matched
# exactly; Isp sets how the acceleration grows during the burn.
DEFAULT_ISP_S = 260.0
# Launch mass per reference area (kg/m^2). Assumption: of the order of a
# THAAD-class interceptor (about 900 kg on a 0.37 m diameter, ~8,400 kg/m^2).
# With thrust and mass scaled together only this ratio enters the dynamics.
DEFAULT_MASS_PER_AREA_KG_M2 = 8000.0
LAUNCH_MASS_KG = 1000.0  # scale only: see DEFAULT_MASS_PER_AREA_KG_M2
# Zero-lift drag coefficient of a slender body against Mach number: Forden,
# "GUI_Missile_Flyout", Science & Global Security 15 (2007), Fig. 1, as in
# the catalog's `default-missile` table.
CD_MACH = np.array([0.0, 0.8, 1.0, 1.2, 2.0, 3.0, 5.0, 10.0])
CD = np.array([0.20, 0.20, 0.27, 0.27, 0.20, 0.20, 0.20, 0.20])
# Ballistic coefficient m / (Cd A) after burnout (kg/m^2). Assumption: a
# burnt-out slender missile coasting through the air, a few thousand kg/m^2 of
# mass per area over a drag coefficient of 0.2-0.3; a kill vehicle that is
# lighter per area separates only above the atmosphere. Held fixed, not
# derived from the stand-in's dry mass: that would make a faster stand-in
# (less dry mass) coast worse through the air, an artefact of folding all
# stages into one.
DEFAULT_COAST_BALLISTIC_COEFFICIENT_KG_M2 = 10000.0
# Steering: a short vertical rise and a quick pitch-over, as fractions of the
# burn time, then a gravity turn. Assumption; see `synthesize_interceptor`.
VERTICAL_RISE_FRACTION = 0.02
PITCH_OVER_FRACTION = 0.10
# Largest kick (rad). A kick of 180 degrees sweeps the thrust from vertical to
# straight down during the pitch-over and leaves the velocity about
# horizontal; beyond that the shot dives. Diving shots fill the ground fringe
# near the launcher, below the flattest trajectory that climbs.
MAX_KICK = math.radians(240.0)
# Feasibility limits of a single-stage stand-in.
MAX_PROPELLANT_FRACTION = 0.99
MIN_THRUST_TO_WEIGHT = 1.5
CALIBRATION_ANGLE = math.radians(45.0)
CALIBRATION_KICKS = 49  # kick values flown per calibration iteration (5 degree steps)
CALIBRATION_TOLERANCE_M_S = 0.01
CALIBRATION_MAX_ITERATIONS = 30


class ReachError(ValueError):
    """The interceptor parameters describe no vehicle this model can fly."""


@dataclass(frozen=True, eq=False)
class SynthesizedInterceptor:
    """The single-stage vehicle that stands in for an interceptor.

    Attributes
    ----------
    vehicle
        The packed vehicle flown by the flight core.
    isp_s
        Vacuum (= sea-level) specific impulse (s).
    propellant_fraction
        Propellant mass over launch mass.
    launch_mass_kg, reference_area_m2
        Scale of the vehicle; only their ratio matters.
    vertical_rise_s, pitch_over_s
        Steering timeline (s).
    burnout_speed_m_s
        The flown vacuum burnout speed at a 45 degree burnout flight-path
        angle (m/s): the calibrated value.
    thrust_to_weight
        Thrust over sea-level weight at launch.
    calibration_kicks, calibration_burnout_angles
        Kick angles (rad) and the vacuum burnout flight-path angles (rad) of
        the last calibration batch; NaN where the trajectory came down
        before burnout.
    iterations
        Calibration flights (batches) used.
    """

    vehicle: VehicleArrays
    isp_s: float
    propellant_fraction: float
    launch_mass_kg: float
    reference_area_m2: float
    vertical_rise_s: float
    pitch_over_s: float
    burnout_speed_m_s: float
    thrust_to_weight: float
    calibration_kicks: np.ndarray = field(repr=False)
    calibration_burnout_angles: np.ndarray = field(repr=False)
    iterations: int


# ---------------------------------------------------------------------------
# The synthesized vehicle
# ---------------------------------------------------------------------------


def _vehicle(
    propellant_fraction: float,
    burn_time_s: float,
    isp_s: float,
    mass_per_area_kg_m2: float,
    vertical_rise_s: float,
    pitch_over_s: float,
    coast_ballistic_coefficient_kg_m2: float,
) -> VehicleArrays:
    area = LAUNCH_MASS_KG / mass_per_area_kg_m2
    propellant = propellant_fraction * LAUNCH_MASS_KG
    dry = LAUNCH_MASS_KG - propellant
    return VehicleArrays(
        stages=np.array([[propellant, dry, burn_time_s, isp_s, isp_s, area]]),
        payload_kg=0.0,
        ballistic_coefficient_kg_m2=coast_ballistic_coefficient_kg_m2,
        vertical_rise_s=vertical_rise_s,
        pitch_over_s=pitch_over_s,
        cd_mach=CD_MACH.copy(),
        cd=CD.copy(),
    )


FAN_SITE = (0.0, 0.0, 0.0)  # latitude, longitude (rad), altitude (m) of the table's launch
FAN_AZIMUTH = 0.5 * math.pi  # due east along the equator


def _burnout_speed_and_angle(flight) -> tuple[np.ndarray, np.ndarray]:
    r = flight.burnout_position_ecef_m
    v = flight.burnout_velocity_m_s
    speed = np.linalg.norm(v, axis=1)
    with np.errstate(invalid="ignore"):
        sin_gamma = np.sum(r * v, axis=1) / (speed * np.linalg.norm(r, axis=1))
        gamma = np.arcsin(np.clip(sin_gamma, -1.0, 1.0))
    return speed, gamma


def _speed_at_angle(kicks, speed, gamma, target):
    """Burnout speed at burnout angle `target` along the kick fan, by linear
    interpolation where the angle first falls through the target."""
    ok = np.isfinite(gamma)
    for k in range(1, kicks.size):
        if not (ok[k] and ok[k - 1]):
            break
        if gamma[k] <= target < gamma[k - 1] or gamma[k] == target:
            w = (gamma[k - 1] - target) / (gamma[k - 1] - gamma[k])
            return float(speed[k - 1] + w * (speed[k] - speed[k - 1]))
    return math.nan


def synthesize_interceptor(
    burnout_speed_m_s: float,
    burn_time_s: float,
    *,
    isp_s: float = DEFAULT_ISP_S,
    mass_per_area_kg_m2: float = DEFAULT_MASS_PER_AREA_KG_M2,
    coast_ballistic_coefficient_kg_m2: float = DEFAULT_COAST_BALLISTIC_COEFFICIENT_KG_M2,
    planet: Planet | None = None,
) -> SynthesizedInterceptor:
    """A single-stage vehicle whose flown vacuum burnout speed is the given one.

    Parameters
    ----------
    burnout_speed_m_s
        Burnout speed (m/s), in the convention of the module notes: in vacuum,
        for the trajectory that burns out at a 45 degree flight-path angle.
    burn_time_s
        Burn time (s), the whole boost.
    isp_s
        Vacuum specific impulse (s), also used at sea level so that drag alone
        carries the atmosphere's effect.
    mass_per_area_kg_m2
        Launch mass per reference area (kg/m^2); sets the drag in the boost.
    coast_ballistic_coefficient_kg_m2
        m / (Cd A) after burnout (kg/m^2); sets the drag in the coast.
    planet
        Earth model of the calibration flights; default non-rotating WGS 84
        with J2.

    Returns
    -------
    SynthesizedInterceptor

    Raises
    ------
    ReachError
        If the speed needs a propellant fraction above 0.99, or the burn is so
        long that thrust would not lift the vehicle off (thrust-to-weight
        below 1.5).

    Notes
    -----
    Steering: a vertical rise of 2 % of the burn time, a pitch-over of 10 %
    that sweeps the thrust linearly from vertical to the kick angle, then a
    gravity turn (`dynamics`). Interceptors turn hard and early, while they
    are slow. With the 1-2 s vertical rise of a ballistic missile and kicks
    up to 90 degrees, a 9 g interceptor (3 km/s in 20 s) burns out no flatter
    than about 53 degrees (measured), so its fan would miss the low, fast
    trajectories. After a short rise the velocity leaves the pitch-over
    tilted by about half the kick (the mean of the swept thrust direction),
    so kicks from 0 to 180 degrees span burnout angles from vertical to about
    horizontal; kicks up to 240 degrees add diving shots. The sweep costs
    some speed (thrust off the velocity), the more the flatter the shot; the
    calibration at 45 degrees sits in the middle.

    The propellant fraction zeta is found by the secant method on
    u = ln(1 / (1 - zeta)) (the ideal speed gain over the exhaust speed,
    Tsiolkovsky), starting from u = (v_bo + g0 T_b / sqrt 2) / c with a
    gravity-loss guess; each iteration flies a batch of 49 kicks in vacuum
    to burnout and interpolates the speed at 45 degrees. Converges to
    0.01 m/s in 3-6 batches.
    """
    planet = planet or Planet.build("wgs84", rotating=False)
    if not (burnout_speed_m_s > 0.0 and burn_time_s > 0.0 and isp_s > 0.0):
        raise ReachError(
            "burnout speed, burn time and specific impulse must be positive, got "
            f"{burnout_speed_m_s} m/s, {burn_time_s} s, {isp_s} s"
        )
    c = isp_s * G0_M_S2
    rise = VERTICAL_RISE_FRACTION * burn_time_s
    pitch = PITCH_OVER_FRACTION * burn_time_s
    kicks = np.linspace(0.0, MAX_KICK, CALIBRATION_KICKS)
    settings = IntegratorSettings(max_flight_time_s=burn_time_s)
    u_max = -math.log(1.0 - MAX_PROPELLANT_FRACTION)

    def flown(u: float) -> tuple[float, np.ndarray, VehicleArrays]:
        zeta = -math.expm1(-u)
        tw = zeta * c / (burn_time_s * G0_M_S2)
        if tw < MIN_THRUST_TO_WEIGHT:
            raise ReachError(
                f"a burn of {burn_time_s} s to {burnout_speed_m_s} m/s gives a thrust-to-weight "
                f"of {tw:.2f} at launch, below {MIN_THRUST_TO_WEIGHT}: the stand-in vehicle "
                "cannot lift off. Give a shorter burn_time_s or a higher burnout speed."
            )
        vehicle = _vehicle(
            zeta,
            burn_time_s,
            isp_s,
            mass_per_area_kg_m2,
            rise,
            pitch,
            coast_ballistic_coefficient_kg_m2,
        )
        flight = fly_boosted(
            vehicle, planet, *FAN_SITE, FAN_AZIMUTH, kicks, drag=False, settings=settings
        )
        speed, gamma = _burnout_speed_and_angle(flight)
        return _speed_at_angle(kicks, speed, gamma, CALIBRATION_ANGLE), gamma, vehicle

    u0 = min((burnout_speed_m_s + G0_M_S2 * burn_time_s / math.sqrt(2.0)) / c, u_max)
    v0, gamma, vehicle = flown(u0)
    iterations = 1
    if not math.isfinite(v0):
        raise ReachError(
            f"no trajectory of the stand-in for {burnout_speed_m_s} m/s in {burn_time_s} s "
            "burns out at 45 degrees; give a shorter burn_time_s"
        )
    u1 = min(u0 + (burnout_speed_m_s - v0) / c, u_max)
    v1 = v0
    while abs(v1 - burnout_speed_m_s) > CALIBRATION_TOLERANCE_M_S:
        if iterations >= CALIBRATION_MAX_ITERATIONS:
            raise ReachError(
                f"the stand-in vehicle's burnout speed did not converge to {burnout_speed_m_s} "
                f"m/s (last {v1:.2f} m/s)"
            )
        v1, gamma, vehicle = flown(u1)
        iterations += 1
        if not math.isfinite(v1):
            raise ReachError(
                f"no trajectory of the stand-in for {burnout_speed_m_s} m/s in {burn_time_s} s "
                "burns out at 45 degrees; give a shorter burn_time_s"
            )
        if abs(v1 - burnout_speed_m_s) <= CALIBRATION_TOLERANCE_M_S:
            break
        if u1 >= u_max and v1 < burnout_speed_m_s:
            raise ReachError(
                f"{burnout_speed_m_s} m/s in {burn_time_s} s needs more than a "
                f"{MAX_PROPELLANT_FRACTION} propellant fraction at a specific impulse of "
                f"{isp_s} s (the stand-in reaches {v1:.0f} m/s); give a lower burnout speed, "
                "a shorter burn_time_s or a higher isp_s"
            )
        slope = (v1 - v0) / (u1 - u0) if u1 != u0 else c
        if not slope > 0.0:
            slope = c
        u0, v0 = u1, v1
        u1 = min(u1 + (burnout_speed_m_s - v1) / slope, u_max)
    zeta = float(vehicle.stages[0, 0] / LAUNCH_MASS_KG)
    kicks.flags.writeable = False
    gamma.flags.writeable = False
    return SynthesizedInterceptor(
        vehicle=vehicle,
        isp_s=float(isp_s),
        propellant_fraction=zeta,
        launch_mass_kg=LAUNCH_MASS_KG,
        reference_area_m2=LAUNCH_MASS_KG / mass_per_area_kg_m2,
        vertical_rise_s=rise,
        pitch_over_s=pitch,
        burnout_speed_m_s=float(v1),
        thrust_to_weight=zeta * c / (burn_time_s * G0_M_S2),
        calibration_kicks=kicks,
        calibration_burnout_angles=gamma,
        iterations=iterations,
    )


def fan_kicks(interceptor: SynthesizedInterceptor, n_kicks: int) -> np.ndarray:
    """Kick angles (rad) of the fan.

    Where the trajectories burn out and their burnout angle falls as the
    kick grows (vertical down to about horizontal), the kicks are chosen so
    that the vacuum burnout angles are evenly spread; beyond, up to
    `MAX_KICK`, the shots dive or come down during the burn and the kicks
    are spread evenly, no denser than at the end of the first part, with at
    most a quarter of `n_kicks`.
    """
    kicks = interceptor.calibration_kicks
    gamma = interceptor.calibration_burnout_angles
    n_ok = 1
    while n_ok < kicks.size and np.isfinite(gamma[n_ok]) and gamma[n_ok] < gamma[n_ok - 1]:
        n_ok += 1
    n_dive = n_kicks // 4 if n_ok < kicks.size else 0
    n_main = n_kicks - n_dive
    targets = np.linspace(gamma[0], gamma[n_ok - 1], n_main)
    chosen = np.interp(targets, gamma[:n_ok][::-1], kicks[:n_ok][::-1])
    chosen[0] = 0.0
    if n_dive > 0:
        step = max(chosen[-1] - chosen[-2], (MAX_KICK - chosen[-1]) / n_dive)
        n_dive = max(1, min(n_dive, math.floor((MAX_KICK - chosen[-1]) / step)))
        chosen = np.concatenate((chosen, chosen[-1] + step * np.arange(1, n_dive + 1)))
    return np.unique(chosen)

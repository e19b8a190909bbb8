"""Targeting: the guidance that takes a missile to an aim point, and its reach.

The guidance has three knobs (see `flight`): the launch azimuth, the kick
angle (loft/depress) and the thrust cutoff time (energy). Each search first
flies a whole grid of candidates in one batch to find the right branch, then
polishes with Newton's method on finite differences, again batched (one call
flies the point and its perturbations together).

Trajectory shapes:

- minimum energy: the least energy (earliest cutoff) that reaches the aim
  point, flown at the kick that maximises range for that energy;
- lofted / depressed: all stages burn out; the kick is below (lofted) or above
  (depressed) the one that maximises range;
- a requested apogee or burnout flight-path angle: kick and cutoff together
  meet the aim point and the shape condition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from securityroof.core.earth import ecef_to_geodetic_batch
from securityroof.core.flight import (
    DEFAULT_SETTINGS,
    STATUS_IMPACT,
    FlightArrays,
    IntegratorSettings,
    VehicleArrays,
    burnout_state_ecef,
    fly_boosted,
    fly_free,
)
from securityroof.core.geodesy import geodesic_inverse_batch
from securityroof.core.planet import Planet

# Kick angles (rad) flown by the branch-finding grid: denser at small kicks,
# where lofted trajectories are sensitive.
KICK_GRID = np.radians(np.geomspace(0.05, 89.5, 56))
MISS_GOAL_M = 1.0  # Newton stops below this miss; the contract is 100 m.
SHAPE_TOLERANCE = {"apogee": 1.0, "burnout_angle": 1e-6}  # m, rad


class TargetingError(Exception):
    """No guidance reaches the aim point; carries the numbers to explain why."""

    def __init__(self, message: str, *, max_range_m: float | None = None) -> None:
        super().__init__(message)
        self.max_range_m = max_range_m


@dataclass(frozen=True)
class Launch:
    """Launch point: geodetic latitude, longitude (rad), altitude (m), epoch (s)."""

    lat: float
    lon: float
    altitude_m: float = 0.0
    epoch_s: float = 0.0


@dataclass(frozen=True)
class Guidance:
    """Launch azimuth (rad), kick angle (rad) and thrust cutoff after launch (s)."""

    azimuth: float
    kick: float
    cutoff_s: float


@dataclass(frozen=True)
class Impacts:
    """Where a batch of flights came down, seen from the launch point."""

    lat: np.ndarray
    lon: np.ndarray
    range_m: np.ndarray  # geodesic distance launch -> impact, inf if no impact
    azimuth: np.ndarray  # geodesic azimuth at the launch point (rad)
    apogee_m: np.ndarray
    burnout_angle: np.ndarray  # flight-path angle above the local horizontal (rad)


@dataclass(frozen=True)
class AimSolution:
    guidance: Guidance
    flight: FlightArrays  # the single trajectory flown with that guidance
    impact_lat: float
    impact_lon: float
    miss_m: float
    iterations: int


@dataclass(frozen=True)
class _Problem:
    vehicle: VehicleArrays
    planet: Planet
    launch: Launch
    drag: bool
    settings: IntegratorSettings

    def fly(self, azimuth, kick, cutoff_s) -> tuple[FlightArrays, Impacts]:
        flight = fly_boosted(
            self.vehicle,
            self.planet,
            self.launch.lat,
            self.launch.lon,
            self.launch.altitude_m,
            azimuth,
            kick,
            cutoff_s=cutoff_s,
            epoch_s=self.launch.epoch_s,
            drag=self.drag,
            settings=self.settings,
        )
        return flight, impacts_of(flight, self.launch, self.planet)


def geodetic_of(points_ecef_m: np.ndarray, planet: Planet) -> tuple[np.ndarray, ...]:
    """Geodetic latitude, longitude (rad) and altitude (m) of (n, 3) ECEF points."""
    p = np.atleast_2d(points_ecef_m)
    return ecef_to_geodetic_batch(p[:, 0], p[:, 1], p[:, 2], planet.a_m, planet.f)


def burnout_angle_of(flight: FlightArrays, planet: Planet) -> np.ndarray:
    """Flight-path angle (rad) of the Earth-relative velocity at burnout."""
    position, velocity = flight.burnout_position_ecef_m, flight.burnout_velocity_m_s
    lat, lon, _ = geodetic_of(position, planet)
    up = np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))
    speed = np.linalg.norm(velocity, axis=1)
    return np.arcsin(np.clip(np.sum(velocity * up, axis=1) / speed, -1.0, 1.0))


def impacts_of(flight: FlightArrays, launch: Launch, planet: Planet) -> Impacts:
    """Impact points of a batch and their distance and azimuth from the launch."""
    lat, lon, _ = geodetic_of(flight.impact_position_ecef_m, planet)
    hit = flight.status == STATUS_IMPACT
    distance = np.full(lat.shape, np.inf)
    azimuth = np.full(lat.shape, np.nan)
    if hit.any():
        d, az, _ = geodesic_inverse_batch(
            np.full(hit.sum(), launch.lat),
            np.full(hit.sum(), launch.lon),
            lat[hit],
            lon[hit],
            planet.a_m,
            planet.f,
        )
        distance[hit], azimuth[hit] = d, az
    return Impacts(
        lat=lat,
        lon=lon,
        range_m=distance,
        azimuth=azimuth,
        apogee_m=flight.apogee_altitude_m,
        burnout_angle=burnout_angle_of(flight, planet),
    )


def _wrap(angle: np.ndarray) -> np.ndarray:
    return (angle + np.pi) % (2.0 * np.pi) - np.pi


def _refine_peak(x: np.ndarray, y: np.ndarray, i: int) -> float:
    """Vertex of the parabola through the three grid points around index i."""
    if i == 0 or i == len(x) - 1 or not np.all(np.isfinite(y[i - 1 : i + 2])):
        return float(x[i])
    x0, x1, x2 = x[i - 1 : i + 2]
    y0, y1, y2 = y[i - 1 : i + 2]
    denom = (x0 - x1) * (x0 - x2) * (x1 - x2)
    a = (x2 * (y1 - y0) + x1 * (y0 - y2) + x0 * (y2 - y1)) / denom
    b = (x2 * x2 * (y0 - y1) + x1 * x1 * (y2 - y0) + x0 * x0 * (y1 - y2)) / denom
    return float(np.clip(-b / (2.0 * a), x0, x2)) if a < 0 else float(x[i])


def _finite_ranges(impacts: Impacts) -> np.ndarray:
    return np.where(np.isfinite(impacts.range_m), impacts.range_m, -np.inf)


def max_range(
    vehicle: VehicleArrays,
    planet: Planet,
    launch: Launch,
    azimuth: float,
    *,
    drag: bool = True,
    settings: IntegratorSettings = DEFAULT_SETTINGS,
) -> tuple[float, Guidance]:
    """Greatest range (m) with all stages burnt, launching toward `azimuth` (rad).

    The kick is found on the grid, then by two zoomed grids around the best.
    """
    problem = _Problem(vehicle, planet, launch, drag, settings)
    kicks = KICK_GRID
    best_kick, best = 0.0, -np.inf
    for _ in range(3):
        _, impacts = problem.fly(azimuth, kicks, np.inf)
        ranges = _finite_ranges(impacts)
        i = int(np.argmax(ranges))
        best_kick, best = float(kicks[i]), float(ranges[i])
        lo, hi = kicks[max(i - 1, 0)], kicks[min(i + 1, len(kicks) - 1)]
        kicks = np.linspace(lo, hi, 17)
    kick = _refine_peak(kicks, _finite_ranges(problem.fly(azimuth, kicks, np.inf)[1]), 8)
    _, impacts = problem.fly(azimuth, kick, np.inf)
    if np.isfinite(impacts.range_m[0]) and impacts.range_m[0] > best:
        best_kick, best = kick, float(impacts.range_m[0])
    if not np.isfinite(best):
        raise TargetingError("no kick angle brings the missile down: it does not impact")
    return best, Guidance(azimuth, best_kick, np.inf)


def best_burnout_angle(
    planet: Planet,
    launch: Launch,
    speed_m_s: float,
    azimuth: float,
    *,
    altitude_m: float = 0.0,
    ballistic_coefficient_kg_m2: float = np.inf,
    drag: bool = True,
    settings: IntegratorSettings = DEFAULT_SETTINGS,
) -> tuple[float, float]:
    """Burnout flight-path angle (rad) that maximises range for a burnout speed
    (m/s, Earth-relative) toward `azimuth`; returns (range_m, angle).

    A grid of angles flown in one batch, zoomed twice, then a parabola through
    the best three.
    """
    angles = np.radians(np.linspace(0.5, 89.5, 90))

    def ranges_for(gammas: np.ndarray) -> np.ndarray:
        position, velocity = burnout_state_ecef(
            launch.lat, launch.lon, altitude_m, speed_m_s, gammas, azimuth, planet
        )
        flight = fly_free(
            planet,
            position,
            velocity,
            ballistic_coefficient_kg_m2=ballistic_coefficient_kg_m2,
            epoch_s=launch.epoch_s,
            drag=drag,
            settings=settings,
        )
        return _finite_ranges(impacts_of(flight, launch, planet))

    for _ in range(3):
        values = ranges_for(angles)
        i = int(np.argmax(values))
        lo, hi = angles[max(i - 1, 0)], angles[min(i + 1, len(angles) - 1)]
        angles = np.linspace(lo, hi, 17)
    values = ranges_for(angles)
    gamma = _refine_peak(angles, values, int(np.argmax(values)))
    best = float(ranges_for(np.array([gamma]))[0])
    return best, gamma


def _residuals(
    impacts: Impacts,
    target_range_m: float,
    target_azimuth: float,
    shape: str | None,
    shape_value: float,
) -> np.ndarray:
    """Downrange and crossrange miss (m), and the shape error, per flight."""
    down = impacts.range_m - target_range_m
    cross = target_range_m * _wrap(impacts.azimuth - target_azimuth)
    columns = [down, cross]
    if shape == "apogee":
        columns.append(impacts.apogee_m - shape_value)
    elif shape == "burnout_angle":
        columns.append(impacts.burnout_angle - shape_value)
    res = np.column_stack(columns)
    res[~np.isfinite(res)] = np.inf
    return res


def _newton(
    evaluate: Callable[[np.ndarray], np.ndarray],
    x0: np.ndarray,
    steps: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    converged: Callable[[np.ndarray], bool],
    max_iterations: int = 25,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Damped Newton on finite differences; each iteration is one batch.

    `evaluate` maps (m, n) parameter rows to (m, n) residual rows.
    """
    x = x0.copy()
    r = evaluate(x[None, :])[0]
    for iteration in range(1, max_iterations + 1):
        if converged(r):
            return x, r, iteration - 1
        # Difference backwards where a forward step would leave the bounds
        # (a cutoff at full burn cannot burn longer).
        signed = np.where(x + steps > upper, -steps, steps)
        probes = x[None, :] + np.diag(signed)
        rp = evaluate(probes)
        jac = (rp - r[None, :]).T / signed[None, :]
        try:
            dx = np.linalg.lstsq(jac, -r, rcond=None)[0]
        except np.linalg.LinAlgError:
            break
        # Halve the step until the residual shrinks: one batch of candidates.
        scales = 0.5 ** np.arange(6)
        candidates = np.clip(x[None, :] + scales[:, None] * dx[None, :], lower, upper)
        rc = evaluate(candidates)
        norms = np.linalg.norm(rc, axis=1)
        j = int(np.argmin(norms))
        if not np.isfinite(norms[j]):
            break
        x, r = candidates[j], rc[j]
    return x, r, max_iterations


def aim(
    vehicle: VehicleArrays,
    planet: Planet,
    launch: Launch,
    target_lat: float,
    target_lon: float,
    *,
    shape: str = "minimum-energy",
    apogee_m: float | None = None,
    burnout_angle: float | None = None,
    drag: bool = True,
    settings: IntegratorSettings = DEFAULT_SETTINGS,
) -> AimSolution:
    """Guidance that lands the missile on the aim point (rad, rad).

    Parameters
    ----------
    shape
        "minimum-energy", "lofted" or "depressed".
    apogee_m, burnout_angle
        Optional shape condition (m above the ellipsoid, or rad); with one of
        them the cutoff and kick are solved together, and `shape` only labels
        the result.
    """
    problem = _Problem(vehicle, planet, launch, drag, settings)
    target_range, target_az, _ = geodesic_inverse_batch(
        np.array([launch.lat]),
        np.array([launch.lon]),
        np.array([target_lat]),
        np.array([target_lon]),
        planet.a_m,
        planet.f,
    )
    s_t, az_t = float(target_range[0]), float(target_az[0])
    condition: str | None = None
    condition_value = 0.0
    if apogee_m is not None:
        condition, condition_value = "apogee", float(apogee_m)
    elif burnout_angle is not None:
        condition, condition_value = "burnout_angle", float(burnout_angle)
    branch = _branch_grid(problem, az_t, shape, condition)
    if branch.ranges.max() < s_t:
        i = int(np.argmax(branch.ranges[-1]))
        reach_full, _ = (
            max_range(vehicle, planet, launch, az_t, drag=drag, settings=settings)
            if i
            else (float(branch.ranges.max()), None)
        )
        raise TargetingError(
            f"the aim point is {s_t / 1e3:,.0f} km away, beyond the missile's maximum "
            f"range of {reach_full / 1e3:,.0f} km toward it",
            max_range_m=reach_full,
        )
    return _solve(
        problem, s_t, az_t, target_lat, target_lon, shape, condition, condition_value, branch
    )


@dataclass(frozen=True)
class _Branch:
    """The branch-finding grid: ranges flown over kicks (and cutoffs) at one azimuth."""

    kicks: np.ndarray  # mesh
    cutoffs: np.ndarray  # the cutoff of each row
    ranges: np.ndarray  # (n_cutoffs, n_kicks), -inf where no impact
    shape_values: np.ndarray | None  # apogee or burnout angle on the mesh, for conditions


def _branch_grid(
    problem: _Problem,
    azimuth: float,
    shape: str,
    condition: str | None,
) -> _Branch:
    """Ranges over kicks (and cutoffs, when energy is free) toward one azimuth."""
    vehicle = problem.vehicle
    full = vehicle.full_burn_s
    t_min = min(vehicle.vertical_rise_s + vehicle.pitch_over_s + 1.0, 0.5 * full)
    cutoffs = np.array([full]) if shape != "minimum-energy" and condition is None else None
    if cutoffs is None:
        cutoffs = np.linspace(t_min, full, 24)
    kk, cc = np.meshgrid(KICK_GRID, cutoffs)
    _, grid = problem.fly(azimuth, kk.ravel(), cc.ravel())
    ranges = _finite_ranges(grid).reshape(kk.shape)
    values = None
    if condition is not None:
        values = (grid.apogee_m if condition == "apogee" else grid.burnout_angle).reshape(kk.shape)
    return _Branch(kk, cutoffs, ranges, values)


def aim_many(
    vehicle: VehicleArrays,
    planet: Planet,
    launch: Launch,
    targets_lat: np.ndarray,
    targets_lon: np.ndarray,
    *,
    shape: str = "minimum-energy",
    drag: bool = True,
    settings: IntegratorSettings = DEFAULT_SETTINGS,
) -> list[AimSolution | TargetingError]:
    """`aim` for many aim points from one launch point, batched.

    The branch-finding grid is flown once, toward the mean azimuth of the aim
    points, and gives each aim point its Newton start; aim points near the
    missile's reach look toward themselves instead (the reach, then the last
    cutoffs). Newton then runs for all aim points together, each iteration
    one batch of the flight kernel, and corrects the azimuth (Earth rotation
    changes the ranges by a few percent). For minimum energy the kick is
    interpolated from the grid, then refined (see `_start`). An aim point
    that cannot be settled this way is aimed on its own (`aim`), errors
    included.
    """
    lat = np.asarray(targets_lat, dtype=np.float64).reshape(-1)
    lon = np.asarray(targets_lon, dtype=np.float64).reshape(-1)
    problem = _Problem(vehicle, planet, launch, drag, settings)
    ranges, azimuths, _ = geodesic_inverse_batch(
        np.full(lat.size, launch.lat), np.full(lat.size, launch.lon), lat, lon, planet.a_m, planet.f
    )
    out: list[AimSolution | TargetingError | None] = [None] * lat.size
    if lat.size == 0:
        return []
    mean_az = float(np.arctan2(np.sin(azimuths).mean(), np.cos(azimuths).mean()))
    branch = _branch_grid(problem, mean_az, shape, None)
    reach = float(branch.ranges.max())
    # Aim points near or past the shared grid's reach, which is that of
    # another azimuth, look toward themselves with all stages burnt (their
    # reach), in one batch; a minimum-energy shot this far burns nearly
    # everything, so its Newton starts from full burn at the best kick.
    near = np.nonzero(ranges >= 0.97 * reach)[0]
    local: dict[int, _Branch] = {}
    if near.size:
        n_k = KICK_GRID.size
        rows = _finite_ranges(
            problem.fly(np.repeat(azimuths[near], n_k), np.tile(KICK_GRID, near.size), np.inf)[1]
        ).reshape(near.size, n_k)
        for row, k in zip(rows, near.tolist(), strict=True):
            s_t = float(ranges[k])
            if s_t > 1.001 * float(row.max()):
                reach_here = float(row.max())
                if s_t < 1.01 * reach_here:  # too close to call on the grid
                    reach_here, _ = max_range(
                        vehicle, planet, launch, float(azimuths[k]), drag=drag, settings=settings
                    )
                if s_t > reach_here:
                    out[k] = TargetingError(
                        f"the aim point is {s_t / 1e3:,.0f} km away, beyond the missile's "
                        f"maximum range of {reach_here / 1e3:,.0f} km toward it",
                        max_range_m=reach_here,
                    )
                    continue
            full_row = _Branch(
                KICK_GRID[None, :], np.array([vehicle.full_burn_s]), row[None, :], None
            )
            local[int(k)] = full_row
    begun: list[tuple[int, np.ndarray, float]] = []  # (aim point, x0, fixed kick or cutoff)
    for k in range(lat.size):
        if out[k] is not None:
            continue
        s_t, az_t = float(ranges[k]), float(azimuths[k])
        is_near = k in local
        if not is_near and abs(_wrap(np.array([az_t - mean_az]))[0]) >= np.radians(40.0):
            continue  # too far round from the shared grid: aimed alone below
        try:
            x0, fixed = _start(
                problem,
                s_t,
                az_t,
                shape,
                local.get(k, branch),
                refine_kick=False,
            )
        except TargetingError:
            continue
        begun.append((k, x0, fixed))
    if begun:
        index = np.array([b[0] for b in begun])
        range_b = ranges[index]
        azimuth_b = azimuths[index]
        kick_b = np.array([b[2] for b in begun])
        if shape == "minimum-energy":
            # The range-maximising kick at each start's cutoff, toward its own
            # aim point: every row of kicks in one batch (as `aim` does one by one).
            cuts = np.array([b[1][1] for b in begun])
            kick_b[:] = _best_kicks(problem, azimuth_b, cuts)
        full = vehicle.full_burn_s
        t_min = min(vehicle.vertical_rise_s + vehicle.pitch_over_s + 1.0, 0.5 * full)
        if shape == "minimum-energy":  # x = (azimuth, cutoff); the kick is fixed

            def fly(x: np.ndarray, owner: np.ndarray) -> tuple[FlightArrays, Impacts]:
                return problem.fly(x[:, 0], kick_b[owner], x[:, 1])

            steps, lower, upper = [1e-7, 1e-3], [-np.inf, t_min], [np.inf, full]
        else:  # x = (azimuth, kick), all stages burnt

            def fly(x: np.ndarray, owner: np.ndarray) -> tuple[FlightArrays, Impacts]:
                return problem.fly(x[:, 0], x[:, 1], np.inf)

            steps, lower, upper = [1e-7, 1e-6], [-np.inf, 0.0], [np.inf, 0.5 * np.pi]

        def residuals(x: np.ndarray, owner: np.ndarray) -> np.ndarray:
            return _residuals(fly(x, owner)[1], range_b[owner], azimuth_b[owner], None, 0.0)

        x, done = _newton_many(
            residuals,
            np.array([b[1] for b in begun]),
            np.array(steps),
            np.array(lower),
            np.array(upper),
        )
        if shape == "minimum-energy":
            # Once more with the kick that maximises range at the cutoff found:
            # the fixed point, whichever start it came from.
            kick_b[:] = _best_kicks(problem, x[:, 0], x[:, 1])
            x, done = _newton_many(residuals, x, np.array(steps), np.array(lower), np.array(upper))
        flight, impacts = fly(x, np.arange(len(begun)))
        miss, _, _ = geodesic_inverse_batch(
            impacts.lat, impacts.lon, lat[index], lon[index], planet.a_m, planet.f
        )
        for i, k in enumerate(index.tolist()):
            if not done[i] or flight.status[i] != STATUS_IMPACT or miss[i] >= MISS_GOAL_M:
                continue
            if shape == "minimum-energy":
                guidance = Guidance(float(x[i, 0]), float(kick_b[i]), float(x[i, 1]))
            else:
                guidance = Guidance(float(x[i, 0]), float(x[i, 1]), np.inf)
            out[k] = AimSolution(
                guidance=guidance,
                flight=flight.rows(slice(i, i + 1)),
                impact_lat=float(impacts.lat[i]),
                impact_lon=float(impacts.lon[i]),
                miss_m=float(miss[i]),
                iterations=-1,
            )
    found: list[AimSolution | TargetingError] = []
    for k, solution in enumerate(out):
        if solution is None and k in local:  # near the reach: is it within it at all?
            reach_here, _ = max_range(
                vehicle, planet, launch, float(azimuths[k]), drag=drag, settings=settings
            )
            if ranges[k] > reach_here:
                solution = TargetingError(
                    f"the aim point is {ranges[k] / 1e3:,.0f} km away, beyond the missile's "
                    f"maximum range of {reach_here / 1e3:,.0f} km toward it",
                    max_range_m=reach_here,
                )
        if solution is None:
            try:
                solution = aim(
                    vehicle,
                    planet,
                    launch,
                    float(lat[k]),
                    float(lon[k]),
                    shape=shape,
                    drag=drag,
                    settings=settings,
                )
            except TargetingError as exc:
                solution = exc
        found.append(solution)
    return found


def _best_kicks(problem: _Problem, azimuths: np.ndarray, cutoffs: np.ndarray) -> np.ndarray:
    """The range-maximising kick at each (azimuth, cutoff): all rows of kicks in one batch."""
    n_k = KICK_GRID.size
    n = np.asarray(azimuths).size
    rows = _finite_ranges(
        problem.fly(np.repeat(azimuths, n_k), np.tile(KICK_GRID, n), np.repeat(cutoffs, n_k))[1]
    ).reshape(n, n_k)
    return np.array([_refine_peak(KICK_GRID, row, int(np.argmax(row))) for row in rows])


def _newton_many(
    residuals: Callable[[np.ndarray, np.ndarray], np.ndarray],
    x0: np.ndarray,
    steps: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    max_iterations: int = 25,
) -> tuple[np.ndarray, np.ndarray]:
    """`_newton` for many independent problems at once, every flight of an
    iteration in one batch. `residuals(x, owner)` maps parameter rows and the
    problem each belongs to onto (downrange, crossrange) misses (m).
    Returns the parameters and which problems converged (miss < MISS_GOAL_M).
    """
    x = x0.astype(np.float64).copy()
    m, n = x.shape
    r = residuals(x, np.arange(m))
    done = np.hypot(r[:, 0], r[:, 1]) < MISS_GOAL_M
    failed = np.zeros(m, dtype=bool)  # stalled: left to the caller's fallback
    for _ in range(max_iterations):
        act = np.nonzero(~done & ~failed)[0]
        if act.size == 0:
            break
        xa = x[act]
        signed = np.where(xa + steps > upper, -steps, steps)  # (a, n)
        probes = xa[:, None, :] + signed[:, :, None] * np.eye(n)[None]
        rp = residuals(probes.reshape(-1, n), np.repeat(act, n)).reshape(act.size, n, -1)
        jac = ((rp - r[act][:, None, :]) / signed[:, :, None]).transpose(0, 2, 1)  # (a, 2, n)
        ok = np.all(np.isfinite(jac), axis=(1, 2)) & np.all(np.isfinite(r[act]), axis=1)
        dx = np.zeros_like(xa)
        if ok.any():
            dx[ok] = -np.einsum("aij,aj->ai", np.linalg.pinv(jac[ok]), r[act][ok])
        scales = 0.5 ** np.arange(6)
        candidates = np.clip(xa[:, None, :] + scales[None, :, None] * dx[:, None, :], lower, upper)
        rc = residuals(candidates.reshape(-1, n), np.repeat(act, scales.size)).reshape(
            act.size, scales.size, -1
        )
        norms = np.hypot(rc[..., 0], rc[..., 1])
        norms[~np.isfinite(norms)] = np.inf
        j = norms.argmin(axis=1)
        best = norms[np.arange(act.size), j]
        before = np.hypot(r[act, 0], r[act, 1])
        # Newton converges fast from a good start: a problem whose miss does
        # not at least halve in an iteration has stalled.
        moved = np.isfinite(best) & ok & (best < 0.5 * before)
        rows = act[moved]
        x[rows] = candidates[moved, j[moved]]
        r[rows] = rc[moved, j[moved]]
        done[rows] = best[moved] < MISS_GOAL_M
        failed[act[~moved]] = True
    done &= np.hypot(r[:, 0], r[:, 1]) < MISS_GOAL_M
    return x, done


def _start(
    problem: _Problem,
    s_t: float,
    az_t: float,
    shape: str,
    branch: _Branch,
    *,
    refine_kick: bool = True,
) -> tuple[np.ndarray, float]:
    """Newton's start for a minimum-energy, lofted or depressed shot: the
    parameters (azimuth and cutoff for minimum energy, azimuth and kick
    otherwise) and the value held fixed (the kick, or an infinite cutoff).

    For minimum energy: the least cutoff whose best kick still reaches the
    aim point on the branch grid, and the kick that maximises range at that
    cutoff, flown on a row of kicks (`refine_kick`) or interpolated from the
    grid's best kick per cutoff (cheaper; the caller refines it). Lofted or
    depressed: all stages burnt, the kick on that side of the
    range-maximising one.
    """
    cutoffs, ranges = branch.cutoffs, branch.ranges
    if shape == "minimum-energy":
        best_per_cutoff = ranges.max(axis=1)
        i = int(np.argmax(best_per_cutoff >= s_t))
        if i == 0:
            cut, w = float(cutoffs[0]), 0.0
        else:
            r0, r1 = best_per_cutoff[i - 1], best_per_cutoff[i]
            w = (s_t - r0) / (r1 - r0)
            cut = float(cutoffs[i - 1] + w * (cutoffs[i] - cutoffs[i - 1]))
        if refine_kick:
            row = _finite_ranges(problem.fly(az_t, KICK_GRID, cut)[1])
            kick = _refine_peak(KICK_GRID, row, int(np.argmax(row)))
        else:
            best_kick = KICK_GRID[ranges.argmax(axis=1)]
            before = max(i - 1, 0)
            kick = float(best_kick[before] + w * (best_kick[i] - best_kick[before]))
        return np.array([az_t, cut]), float(kick)
    row = ranges[0]
    peak = int(np.argmax(row))
    side = np.arange(0, peak + 1) if shape == "lofted" else np.arange(peak, row.size)
    values = row[side]
    sign = 1.0 if shape == "lofted" else -1.0
    ordered = sign * (values - s_t)
    crossing = np.nonzero((ordered[:-1] < 0) & (ordered[1:] >= 0))[0]
    if crossing.size == 0:
        raise TargetingError(
            f"no {shape} trajectory with all stages burnt lands {s_t / 1e3:,.0f} km away: "
            f"that branch covers {values.min() / 1e3:,.0f} to {values.max() / 1e3:,.0f} km",
            max_range_m=float(row[peak]),
        )
    a = side[crossing[0]]
    kick0 = KICK_GRID[a] + (s_t - row[a]) / (row[a + 1] - row[a]) * (
        KICK_GRID[a + 1] - KICK_GRID[a]
    )
    return np.array([az_t, float(kick0)]), np.inf


def _solve(
    problem: _Problem,
    s_t: float,
    az_t: float,
    target_lat: float,
    target_lon: float,
    shape: str,
    condition: str | None,
    condition_value: float,
    branch: _Branch,
    *,
    refine_kick: bool = True,
) -> AimSolution:
    """Newton from the branch grid's start (`_start`) to the guidance that hits the aim point."""
    vehicle, planet = problem.vehicle, problem.planet
    full = vehicle.full_burn_s
    t_min = min(vehicle.vertical_rise_s + vehicle.pitch_over_s + 1.0, 0.5 * full)
    kk, cutoffs, ranges = branch.kicks, branch.cutoffs, branch.ranges

    def miss_ok(r: np.ndarray) -> bool:
        ok = bool(np.hypot(r[0], r[1]) < MISS_GOAL_M)
        if condition is not None:
            ok = ok and abs(r[2]) < SHAPE_TOLERANCE[condition]
        return ok

    if condition is not None:
        # Start from the grid point closest to both conditions.
        assert branch.shape_values is not None
        shape_grid = branch.shape_values
        spread = np.nanmax(shape_grid) - np.nanmin(shape_grid)
        score = np.abs(ranges - s_t) / s_t + np.abs(shape_grid - condition_value) / spread
        score[~np.isfinite(score)] = np.inf
        j = np.unravel_index(int(np.argmin(score)), score.shape)
        x0 = np.array([az_t, kk[j], cutoffs[j[0]]])

        def evaluate(rows: np.ndarray) -> np.ndarray:
            _, imp = problem.fly(rows[:, 0], rows[:, 1], rows[:, 2])
            return _residuals(imp, s_t, az_t, condition, condition_value)

        x, _, its = _newton(
            evaluate,
            x0,
            np.array([1e-7, 1e-6, 1e-3]),
            np.array([-np.inf, 0.0, t_min]),
            np.array([np.inf, 0.5 * np.pi, full]),
            miss_ok,
        )
        guidance = Guidance(float(x[0]), float(x[1]), float(x[2]))
    else:
        x0, fixed = _start(problem, s_t, az_t, shape, branch, refine_kick=refine_kick)
        if shape == "minimum-energy":

            def evaluate(rows: np.ndarray) -> np.ndarray:
                _, imp = problem.fly(rows[:, 0], fixed, rows[:, 1])
                return _residuals(imp, s_t, az_t, None, 0.0)

            bounds = (np.array([1e-7, 1e-3]), np.array([-np.inf, t_min]), np.array([np.inf, full]))
            x, _, its = _newton(evaluate, x0, *bounds, miss_ok)
            if refine_kick:
                # Once more with the kick that maximises range at the cutoff
                # found: the fixed point, whichever start it came from.
                fixed = float(_best_kicks(problem, np.array([x[0]]), np.array([x[1]]))[0])
                x, _, more = _newton(evaluate, x, *bounds, miss_ok)
                its += more
            guidance = Guidance(float(x[0]), fixed, float(x[1]))
        else:

            def evaluate(rows: np.ndarray) -> np.ndarray:
                _, imp = problem.fly(rows[:, 0], rows[:, 1], np.inf)
                return _residuals(imp, s_t, az_t, None, 0.0)

            x, _, its = _newton(
                evaluate,
                x0,
                np.array([1e-7, 1e-6]),
                np.array([-np.inf, 0.0]),
                np.array([np.inf, 0.5 * np.pi]),
                miss_ok,
            )
            guidance = Guidance(float(x[0]), float(x[1]), np.inf)

    flight, impacts = problem.fly(guidance.azimuth, guidance.kick, guidance.cutoff_s)
    miss, _, _ = geodesic_inverse_batch(
        impacts.lat,
        impacts.lon,
        np.array([target_lat]),
        np.array([target_lon]),
        planet.a_m,
        planet.f,
    )
    return AimSolution(
        guidance=guidance,
        flight=flight,
        impact_lat=float(impacts.lat[0]),
        impact_lon=float(impacts.lon[0]),
        miss_m=float(miss[0]) if flight.status[0] == STATUS_IMPACT else np.inf,
        iterations=its,
    )

"""Multi-sensor track fusion: a converted-measurement Kalman filter with gating and GNN.

References: Bar-Shalom, Li & Kirubarajan, "Estimation with Applications to
Tracking and Navigation", Wiley 2001 (BLK); Blackman & Popoli, "Design and
Analysis of Modern Tracking Systems", Artech House 1999 (B&P).

State
    ECEF position (m) and velocity relative to the rotating Earth (m/s), 6 x 6
    covariance ``P``.
Prediction
    Ballistic motion in the rotating frame, point-mass + J2 gravity of the
    `Planet` with Coriolis and centrifugal terms, ``a = g(r) - 2 w x v -
    w x (w x r)``, by RK4 in substeps of at most `MAX_SUBSTEP_S`. ``P`` goes
    through the transition matrix of that discrete flow, taken by central
    differences of the flow itself (the full linearisation, not ``I + A dt``),
    plus the continuous white-noise acceleration process noise of spectral
    density ``q`` per ECEF axis, ``Q = q [[dt³/3, dt²/2], [dt²/2, dt]] ⊗ I``
    (BLK Sec. 6.2.2; Sec. 6.3.2 is its piecewise-constant discrete twin). ``q``
    stands for what the model leaves out: drag (about 4 m/s² on a 5,000 kg/m²
    re-entry vehicle at 40 km and 3 km/s), residual thrust and small manoeuvres
    after burnout. The default 25 m²/s³ (5 m/s² over one second) covers these
    down to about 40 km; a body in vacuum needs none (see the tests), a
    re-entry vehicle in the dense air more.
Update
    Reports are converted measurements (`securityroof.core.measurement`): ECEF
    position ``z`` with covariance ``R``, so ``H = [I 0]``; the covariance takes
    the Joseph form ``(I - KH) P (I - KH)ᵀ + K R Kᵀ``, symmetric and positive
    under rounding (BLK Ch. 5).
Interacting multiple models (optional, ``mode_process_noise``)
    One filter per process-noise level (e.g. coasting and thrusting), mixed
    before each prediction by a Markov chain of mode switches and reweighed
    after each update by the report's likelihood under each mode (Blom &
    Bar-Shalom, IEEE Trans. Automat. Control 33(8), 1988; Bar-Shalom et al.
    2001, Sec. 11.6.6). Gating, association and the reported state use the
    mixture's mean and covariance.
Gating and association
    A report may update a track only inside the chi-square gate of 3 dof on
    ``d² = νᵀ S⁻¹ ν``, ``S = H P Hᵀ + R`` (16.27 at the default 99.9 %). A
    batch is taken one sensor at a time, in sorted order of sensor id, so each
    sensor updates a track at most once per scan and two sensors seeing one
    target update its track in turn. Each sensor's reports go to the tracks by
    global nearest neighbour (``scipy.optimize.linear_sum_assignment``; B&P):
    the most gated pairs, then the least total cost ``d² + ln|S|`` (B&P's
    generalised distance; the ``ln|S|`` term keeps a vague new track from
    taking a well-tracked target's report). Tracks that earlier sensors started
    in the same scan are offered only the reports no established track took.
Initiation and maintenance
    A report no track takes starts a tentative track at the reported position
    with the report's covariance and zero velocity with a standard deviation of
    ``initial_velocity_sigma_m_s`` per axis (single-point initiation; the large
    variance lets the next report gate). A scan is one call of `Tracker.step`;
    it hits a track when a report updates it. A tentative track is confirmed
    with ``confirm_hits`` hits within its first ``confirm_window`` scans and
    deleted if it cannot get them (M-of-N, B&P). A track whose whole state is
    compatible with another's (6-dof gate on the state difference) is a
    duplicate and deleted: the confirmed, else the older, track survives. A
    track not updated for more than ``drop_after_s`` is dropped.

The tracker holds no clock and no randomness: the same batches in the same order
give the same tracks and ids (counting up from 1 in order of initiation), so a
service can rebuild it by replaying stored reports.

`predict_impact` flies the 13 sigma points of the unscented transform (Julier &
Uhlmann, Proc. IEEE 92(3), 2004) to the ground with
`securityroof.core.flight.fly_free` and returns the 2-sigma impact ellipse.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linear_sum_assignment
from scipy.special import gammaincinv

from securityroof.core.earth import ecef_to_geodetic, ecef_to_geodetic_batch
from securityroof.core.flight import STATUS_IMPACT, fly_free
from securityroof.core.horizon import enu_basis
from securityroof.core.planet import GM, J2, J2_RADIUS_M, OMEGA, Planet, gravity_acceleration

__all__ = [
    "DEFAULT_DROP_AFTER_S",
    "DEFAULT_PROCESS_NOISE_M2_S3",
    "DEFAULT_VELOCITY_SIGMA_M_S",
    "ELLIPSE_PROBABILITY",
    "ELLIPSE_SIGMA",
    "MAX_SUBSTEP_S",
    "ImpactPrediction",
    "Report",
    "TrackState",
    "Tracker",
    "predict_impact",
    "predict_state",
    "process_noise",
]

FloatArray = NDArray[np.float64]
Status = Literal["tentative", "confirmed"]

MAX_SUBSTEP_S = 2.0  # RK4 substep bound, s: within 1 cm of fly_free over 200 s
DEFAULT_PROCESS_NOISE_M2_S3 = 25.0  # (5 m/s²)² per s: see the module notes
DEFAULT_VELOCITY_SIGMA_M_S = 3000.0  # initiation prior per axis, m/s: up to IRBM speeds
DEFAULT_DROP_AFTER_S = 60.0  # coast allowed without an update, s: a few radar revisits
DEFAULT_MODE_STAY = 0.9  # IMM: chance a track keeps its mode from one scan to the next
ELLIPSE_SIGMA = 2.0  # impact ellipse half-axes in standard deviations
ELLIPSE_PROBABILITY = 1.0 - math.exp(-0.5 * ELLIPSE_SIGMA**2)  # 2D Gaussian mass inside: 86.5 %
# Cost of a pair outside the gate: larger than any sum of gated costs, so the
# assignment first maximises the number of gated pairs.
_OUT_OF_GATE = 1e9
_LOG_2PI = math.log(2.0 * math.pi)


@numba.njit(cache=True)
def _derivative(s, planet):
    gx, gy, gz = gravity_acceleration(s[0], s[1], s[2], planet[GM], planet[J2], planet[J2_RADIUS_M])
    w = planet[OMEGA]
    out = np.empty(6)
    out[0], out[1], out[2] = s[3], s[4], s[5]
    # Rotating frame, w = (0, 0, w): -2 w x v - w x (w x r).
    out[3] = gx + 2.0 * w * s[4] + w * w * s[0]
    out[4] = gy - 2.0 * w * s[3] + w * w * s[1]
    out[5] = gz
    return out


@numba.njit(cache=True)
def _flow(state, dt, planet):
    n = max(1, math.ceil(abs(dt) / MAX_SUBSTEP_S))
    h = dt / n
    s = state.copy()
    for _ in range(n):
        k1 = _derivative(s, planet)
        k2 = _derivative(s + 0.5 * h * k1, planet)
        k3 = _derivative(s + 0.5 * h * k2, planet)
        k4 = _derivative(s + h * k3, planet)
        s = s + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return s


@numba.njit(cache=True)
def _predict_kernel(state, dt, planet):
    new = _flow(state, dt, planet)
    phi = np.empty((6, 6))
    for j in range(6):
        # 1 m and 1 cm/s: far below any track's uncertainty, far above the
        # rounding of 1e7 m coordinates.
        step = 1.0 if j < 3 else 0.01
        plus = state.copy()
        minus = state.copy()
        plus[j] += step
        minus[j] -= step
        phi[:, j] = (_flow(plus, dt, planet) - _flow(minus, dt, planet)) / (2.0 * step)
    return new, phi


def predict_state(planet: Planet, state: ArrayLike, dt_s: float) -> tuple[FloatArray, FloatArray]:
    """Propagate a state (ECEF m, Earth-relative m/s) by ``dt_s`` (s, may be negative).

    Returns the new state (6,) and the transition matrix (6, 6), the derivative
    of the new state with respect to the old one.
    """
    x = np.ascontiguousarray(np.asarray(state, dtype=np.float64).reshape(6))
    new, phi = _predict_kernel(x, float(dt_s), planet.packed())
    return np.asarray(new), np.asarray(phi)


def process_noise(dt_s: float, q_m2_s3: float) -> FloatArray:
    """Continuous white-noise acceleration covariance over ``dt_s`` (see module notes), 6 x 6."""
    dt = abs(dt_s)
    eye = np.eye(3)
    return q_m2_s3 * np.block(
        [[eye * dt**3 / 3.0, eye * dt**2 / 2.0], [eye * dt**2 / 2.0, eye * dt]]
    )


@dataclass(frozen=True, eq=False)
class Report:
    """One position report of one sensor (converted measurement, ECEF, SI units).

    ``truth_id`` names the true object in simulations; it is for scoring only
    and the tracker never reads it.
    """

    time_s: float
    sensor_id: str
    party: str
    position_ecef_m: FloatArray
    covariance_ecef_m2: FloatArray
    truth_id: str | None = None


@dataclass(frozen=True, eq=False)
class TrackState:
    """A snapshot of one track after a scan.

    ``state`` is ECEF position (m) and Earth-relative velocity (m/s) at
    ``time_s``; ``sensors`` and ``parties`` are those that ever updated it;
    ``hits`` counts the scans that updated it.
    """

    track_id: int
    status: Status
    time_s: float
    state: FloatArray
    covariance: FloatArray
    sensors: frozenset[str]
    parties: frozenset[str]
    hits: int


@dataclass
class _Track:
    track_id: int
    time_s: float
    x: FloatArray
    p: FloatArray
    last_update_s: float
    confirmed: bool = False
    scans: int = 0
    hits: int = 0
    hit: bool = False  # updated in the current scan
    newborn: bool = False  # started in the current scan
    sensors: frozenset[str] = frozenset()
    parties: frozenset[str] = frozenset()
    # Interacting multiple models: each mode's state, covariance and probability.
    mode_x: FloatArray | None = None  # (n_modes, 6)
    mode_p: FloatArray | None = None  # (n_modes, 6, 6)
    mode_mu: FloatArray | None = None  # (n_modes,)

    def snapshot(self) -> TrackState:
        return TrackState(
            track_id=self.track_id,
            status="confirmed" if self.confirmed else "tentative",
            time_s=self.time_s,
            state=self.x.copy(),
            covariance=self.p.copy(),
            sensors=self.sensors,
            parties=self.parties,
            hits=self.hits,
        )


def _kalman_update(
    x: FloatArray, p: FloatArray, z: FloatArray, r: FloatArray
) -> tuple[FloatArray, FloatArray, float]:
    """Position update with H = [I 0], Joseph form; also the report's log-likelihood."""
    s = p[:3, :3] + r
    nu = z - x[:3]
    gain = np.linalg.solve(s, p[:3, :]).T  # K = P Hᵀ S⁻¹, S symmetric
    x_new = x + gain @ nu
    ikh = np.eye(6)
    ikh[:, :3] -= gain
    p_new = ikh @ p @ ikh.T + gain @ r @ gain.T
    log_like = -0.5 * (nu @ np.linalg.solve(s, nu) + np.linalg.slogdet(s)[1] + 3 * _LOG_2PI)
    return x_new, 0.5 * (p_new + p_new.T), float(log_like)


def _mixture(xs: FloatArray, ps: FloatArray, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Mean and covariance of a Gaussian mixture (the spread of the means included)."""
    x = weights @ xs
    dx = xs - x
    p = np.einsum("k,kij->ij", weights, ps) + np.einsum("k,ki,kj->ij", weights, dx, dx)
    return x, 0.5 * (p + p.T)


def _chi2_quantile(probability: float, dof: int) -> float:
    """The chi-square quantile, 2 P^-1(k/2, p) (regularised lower incomplete gamma);
    scipy.special spares importing scipy.stats."""
    return float(2.0 * gammaincinv(dof / 2.0, probability))


class Tracker:
    """Fuses report batches into tracks; see the module notes for the method.

    ``gate_probability`` sets the 3-dof association gate (0.999: d² <= 16.27)
    and the 6-dof duplicate test; ``process_noise`` is ``q`` (m²/s³);
    ``confirm_hits`` of the first ``confirm_window`` scans confirm a track;
    ``drop_after_s`` (s) without an update drops it; a new track's velocity has
    ``initial_velocity_sigma_m_s`` (m/s) per axis.
    """

    def __init__(
        self,
        planet: Planet,
        *,
        gate_probability: float = 0.999,
        process_noise: float = DEFAULT_PROCESS_NOISE_M2_S3,
        confirm_hits: int = 2,
        confirm_window: int = 3,
        drop_after_s: float = DEFAULT_DROP_AFTER_S,
        initial_velocity_sigma_m_s: float = DEFAULT_VELOCITY_SIGMA_M_S,
        mode_process_noise: Sequence[float] | None = None,
        mode_stay_probability: float = DEFAULT_MODE_STAY,
    ) -> None:
        if not 0.0 < gate_probability < 1.0:
            raise ValueError("gate_probability must lie in (0, 1)")
        if not 1 <= confirm_hits <= confirm_window:
            raise ValueError("need 1 <= confirm_hits <= confirm_window")
        self.planet = planet
        self.gate = _chi2_quantile(gate_probability, 3)
        self.duplicate_gate = _chi2_quantile(gate_probability, 6)
        self.process_noise = float(process_noise)
        self.confirm_hits = int(confirm_hits)
        self.confirm_window = int(confirm_window)
        self.drop_after_s = float(drop_after_s)
        self.initial_velocity_var = float(initial_velocity_sigma_m_s) ** 2
        # IMM: one mode per process-noise level (replacing `process_noise`),
        # switching between scans with a Markov chain that stays with
        # `mode_stay_probability` (the rest spread evenly over the other modes).
        self.mode_q: FloatArray | None = None
        self.mode_switch: FloatArray | None = None
        if mode_process_noise is not None:
            levels = np.asarray(mode_process_noise, dtype=np.float64)
            if levels.ndim != 1 or levels.size < 2 or np.any(levels < 0):
                raise ValueError("mode_process_noise needs two or more levels >= 0, m²/s³")
            if not 0.0 < mode_stay_probability < 1.0:
                raise ValueError("mode_stay_probability must lie in (0, 1)")
            n = levels.size
            leave = (1.0 - mode_stay_probability) / (n - 1)
            self.mode_q = levels
            self.mode_switch = np.full((n, n), leave) + np.eye(n) * (mode_stay_probability - leave)
        self._packed = planet.packed()
        self._tracks: list[_Track] = []
        self._next_id = 1
        self._time_s: float | None = None

    @property
    def tracks(self) -> list[TrackState]:
        """Snapshots of the live tracks, by increasing id."""
        return [t.snapshot() for t in self._tracks]

    def step(self, time_s: float, reports: Sequence[Report]) -> list[TrackState]:
        """Process one scan: predict to ``time_s``, associate, update, initiate, drop.

        Every report must carry ``time_s`` (within 1 µs); scans must not go back
        in time. Returns the live tracks after the scan, by increasing id.
        """
        time_s = float(time_s)
        if self._time_s is not None and time_s < self._time_s:
            raise ValueError(f"scan at {time_s} s is before the last scan at {self._time_s} s")
        for r in reports:
            if abs(r.time_s - time_s) > 1e-6:
                raise ValueError(f"report of {r.sensor_id} at {r.time_s} s in scan {time_s} s")
        self._time_s = time_s
        for trk in self._tracks:
            self._predict(trk, time_s)
            trk.hit = False
            trk.scans += 1
        by_sensor: dict[str, list[Report]] = {}
        for r in reports:
            by_sensor.setdefault(r.sensor_id, []).append(r)
        for sensor_id in sorted(by_sensor):  # sorted: independent of arrival order
            self._scan_sensor(by_sensor[sensor_id], time_s)
        self._drop_duplicates()
        kept = []
        for trk in self._tracks:
            trk.newborn = False
            trk.hits += trk.hit
            if not trk.confirmed:
                if trk.hits >= self.confirm_hits:
                    trk.confirmed = True
                elif trk.scans >= self.confirm_window:
                    continue  # M-of-N failed
            if time_s - trk.last_update_s > self.drop_after_s:
                continue
            kept.append(trk)
        self._tracks = kept
        return self.tracks

    def _drop_duplicates(self) -> None:
        # d² = Δxᵀ (Pa + Pb)⁻¹ Δx; ignoring the cross-covariance of tracks fed by
        # the same reports makes the test lean towards merging.
        tracks = self._tracks
        dead = np.zeros(len(tracks), dtype=bool)
        for a in range(len(tracks) - 1):
            if dead[a]:
                continue
            ta = tracks[a]
            rest = [b for b in range(a + 1, len(tracks)) if not dead[b]]
            if not rest:
                break
            dx = np.array([tracks[b].x - ta.x for b in rest])
            s = np.array([tracks[b].p + ta.p for b in rest])
            d2 = np.einsum("ki,ki->k", dx, np.linalg.solve(s, dx[:, :, None])[:, :, 0])
            for b, d in zip(rest, d2, strict=True):
                if d <= self.duplicate_gate:
                    if tracks[b].confirmed and not ta.confirmed:
                        dead[a] = True
                        break
                    dead[b] = True
        self._tracks = [t for t, d in zip(tracks, dead, strict=True) if not d]

    def _predict(self, trk: _Track, time_s: float) -> None:
        dt = time_s - trk.time_s
        if dt == 0.0:
            return
        trk.time_s = time_s
        if trk.mode_x is None or trk.mode_p is None or trk.mode_mu is None:
            trk.x, trk.p = self._flow(trk.x, trk.p, dt, self.process_noise)
            return
        assert self.mode_q is not None and self.mode_switch is not None
        # IMM mixing (Bar-Shalom et al. 2001, Sec. 11.6.6): each mode starts from
        # the modes' states weighted by the chance of having come from them.
        switch = self.mode_switch
        predicted_mu = switch.T @ trk.mode_mu
        weights = switch * trk.mode_mu[:, None] / predicted_mu[None, :]  # [from, to]
        xs = np.empty_like(trk.mode_x)
        ps = np.empty_like(trk.mode_p)
        for j, q in enumerate(self.mode_q):
            x0, p0 = _mixture(trk.mode_x, trk.mode_p, weights[:, j])
            xs[j], ps[j] = self._flow(x0, p0, dt, float(q))
        trk.mode_x, trk.mode_p, trk.mode_mu = xs, ps, predicted_mu
        trk.x, trk.p = _mixture(xs, ps, predicted_mu)

    def _flow(
        self, x: FloatArray, p: FloatArray, dt: float, q: float
    ) -> tuple[FloatArray, FloatArray]:
        x_new, phi = _predict_kernel(x, dt, self._packed)
        p_new = phi @ p @ phi.T + process_noise(dt, q)
        return x_new, 0.5 * (p_new + p_new.T)

    def _scan_sensor(self, batch: list[Report], time_s: float) -> None:
        z = np.array([r.position_ecef_m for r in batch], dtype=np.float64).reshape(-1, 3)
        rr = np.array([r.covariance_ecef_m2 for r in batch], dtype=np.float64).reshape(-1, 3, 3)
        free = np.ones(len(batch), dtype=bool)
        # Established tracks first, then those other sensors started in this scan:
        # a stray report must not pull the next sensor's report off a good track.
        for newborn in (False, True):
            tracks = [t for t in self._tracks if t.newborn == newborn]
            cols = np.flatnonzero(free)
            if not tracks or cols.size == 0:
                continue
            cost = np.full((len(tracks), cols.size), _OUT_OF_GATE)
            for i, trk in enumerate(tracks):
                nu = z[cols] - trk.x[:3]
                s = trk.p[:3, :3] + rr[cols]
                d2 = np.einsum("ki,ki->k", nu, np.linalg.solve(s, nu[:, :, None])[:, :, 0])
                inside = d2 <= self.gate
                # ln|S| keeps a vague track from taking a well-tracked target's report.
                cost[i, inside] = d2[inside] + np.linalg.slogdet(s[inside])[1]
            for i, c in zip(*linear_sum_assignment(cost), strict=True):
                if cost[i, c] < _OUT_OF_GATE:
                    k = cols[c]
                    self._update(tracks[i], batch[k], z[k], rr[k])
                    free[k] = False
        for k in np.flatnonzero(free):
            self._initiate(batch[k], z[k], rr[k], time_s)

    def _update(self, trk: _Track, report: Report, z: FloatArray, r: FloatArray) -> None:
        if trk.mode_x is None or trk.mode_p is None or trk.mode_mu is None:
            trk.x, trk.p, _ = _kalman_update(trk.x, trk.p, z, r)
        else:
            # Each mode updates on its own; the report's likelihood under each
            # mode reweighs the modes (Bar-Shalom et al. 2001, Sec. 11.6.6).
            log_like = np.empty(trk.mode_mu.size)
            for j in range(trk.mode_mu.size):
                trk.mode_x[j], trk.mode_p[j], log_like[j] = _kalman_update(
                    trk.mode_x[j], trk.mode_p[j], z, r
                )
            mu = trk.mode_mu * np.exp(log_like - log_like.max())
            trk.mode_mu = np.maximum(mu / mu.sum(), 1e-12)  # no mode dies out for good
            trk.mode_mu /= trk.mode_mu.sum()
            trk.x, trk.p = _mixture(trk.mode_x, trk.mode_p, trk.mode_mu)
        trk.hit = True
        trk.last_update_s = trk.time_s
        trk.sensors = trk.sensors | {report.sensor_id}
        trk.parties = trk.parties | {report.party}

    def _initiate(self, report: Report, z: FloatArray, r: FloatArray, time_s: float) -> None:
        p = np.zeros((6, 6))
        p[:3, :3] = r
        p[3:, 3:] = np.eye(3) * self.initial_velocity_var
        trk = _Track(
            track_id=self._next_id,
            time_s=time_s,
            x=np.concatenate((z, np.zeros(3))),
            p=p,
            last_update_s=time_s,
            scans=1,
            hit=True,
            newborn=True,
            sensors=frozenset({report.sensor_id}),
            parties=frozenset({report.party}),
        )
        if self.mode_q is not None:
            n = self.mode_q.size
            trk.mode_x = np.repeat(trk.x[None, :], n, axis=0)
            trk.mode_p = np.repeat(p[None, :, :], n, axis=0)
            trk.mode_mu = np.full(n, 1.0 / n)  # no prior on boosting or coasting
        self._next_id += 1
        self._tracks.append(trk)


@dataclass(frozen=True, eq=False)
class ImpactPrediction:
    """Predicted impact point and its `ELLIPSE_SIGMA` (86.5 %) ellipse.

    Mean impact latitude and longitude (deg) and time from the state (s); the
    ellipse's half-axes on the local horizontal (m) and the direction of the
    major one, clockwise from north in [0, 180) deg; ``points`` (13, 2): the
    impact (lat, lon) of each sigma point in degrees, the centre first.
    """

    lat_deg: float
    lon_deg: float
    time_to_impact_s: float
    semi_major_m: float
    semi_minor_m: float
    orientation_deg: float
    points: FloatArray


def predict_impact(
    planet: Planet,
    state: ArrayLike,
    covariance: ArrayLike,
    *,
    ballistic_coefficient_kg_m2: float = np.inf,
) -> ImpactPrediction | None:
    """Impact point and 2-sigma ellipse of a state (ECEF m, m/s) and its covariance.

    Unscented transform with alpha = 1, beta = 2, kappa = 0: the 13 points ``x``
    and ``x ± columns of sqrt(6 P)`` (mean weights 0 and 1/12, covariance
    weights 2 and 1/12) fly to the ground in one `fly_free` batch, in vacuum
    unless ``ballistic_coefficient_kg_m2`` (kg/m²) is finite. Their east/north
    offsets from the mean impact give a 2 x 2 covariance whose eigenvalues
    ``lambda`` give the half-axes ``2 sqrt(lambda)``. None when a sigma point
    does not come down (no impact, or too uncertain to say where).
    """
    x = np.asarray(state, dtype=np.float64).reshape(6)
    p = np.asarray(covariance, dtype=np.float64).reshape(6, 6)
    n = 6
    # Symmetric square root by eigen-decomposition: it also takes singular P.
    w, v = np.linalg.eigh(0.5 * (p + p.T))
    root = v * np.sqrt(np.clip(w, 0.0, None) * n)
    sigma = np.vstack((x, x + root.T, x - root.T))
    wm = np.full(2 * n + 1, 1.0 / (2 * n))
    wm[0] = 0.0
    wc = wm.copy()
    wc[0] = 2.0  # beta = 2: the Gaussian prior's fourth moment
    flight = fly_free(
        planet,
        sigma[:, :3],
        sigma[:, 3:],
        ballistic_coefficient_kg_m2=ballistic_coefficient_kg_m2,
    )
    if not np.all(flight.status == STATUS_IMPACT):
        return None
    t_imp = flight.impact_time_s
    pos = flight.impact_position_ecef_m
    mean = wm @ pos
    lat0, lon0, _ = ecef_to_geodetic(mean[0], mean[1], mean[2], planet.a_m, planet.f)
    east, north, _ = enu_basis(lat0, lon0)
    offsets = (pos - mean) @ np.array([east, north]).T  # (13, 2): east, north, m
    cov = (offsets * wc[:, None]).T @ offsets
    lam, vec = np.linalg.eigh(cov)
    major = vec[:, 1]
    lat, lon, _ = ecef_to_geodetic_batch(pos[:, 0], pos[:, 1], pos[:, 2], planet.a_m, planet.f)
    return ImpactPrediction(
        lat_deg=math.degrees(lat0),
        lon_deg=math.degrees(lon0),
        time_to_impact_s=float(wm @ t_imp),
        semi_major_m=ELLIPSE_SIGMA * math.sqrt(max(lam[1], 0.0)),
        semi_minor_m=ELLIPSE_SIGMA * math.sqrt(max(lam[0], 0.0)),
        orientation_deg=math.degrees(math.atan2(major[0], major[1])) % 180.0,
        points=np.degrees(np.column_stack((lat, lon))),
    )

"""Benchmark of the transparency envelope: site maps and speed limits.

The joint NATO-Russia roof (tracks shared across parties) against the
default strategic set of Russia's forces (every ICBM field and SLBM patrol
area against 20 US cities, minimum-energy, lofted and depressed).

- **Site map, this project**: where an SM-3 Block IIA battery (with its own
  SPY-1) may stand, over 30 W-70 E, 25 N-75 N; the strategic trajectories
  and their detections computed once for every candidate place, each place
  costing only the scan of `securityroof.core.siting`.
- **Site map, the plain method**, measured on a few places: one full
  engagement run per candidate place (the place a site of the scenario with
  the battery and its radar; preparation, sightlines, detection, battery
  lines, engagement), as a script would do it; the flights are reused so
  only the per-place work is timed. Its time for the whole grid is the
  per-place time times the number of places. The places measured are
  compared with the map (same engaging or not, and same margin).
- **Speed limits**: bisection (this project) against the plain sweep of
  every burnout speed from 1 to 9 km/s in steps of the bisection's
  tolerance, one evaluation per step, with the same limits.
- **Scaling**: the map's cost against the number of places (2, 1 and 0.5
  degree grids) and against Monte Carlo draws (at 2 degrees).

Prints the timings, the ratios and one JSON line. `--quick` uses a small set
and coarse grids (the test suite's smoke test).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from securityroof.analysis.engagement import evaluate
from securityroof.analysis.envelope import (
    SPEED_TOLERANCE_M_S,
    _judge,
    _none_engaged,
    _regional,
    protected_parties,
    speed_limits,
)
from securityroof.analysis.site_map import candidate, site_map
from securityroof.analysis.stability import SPEED_SWEEP_M_S, strategic_geometry
from securityroof.core.siting import sample_groups
from securityroof.model.scenario import load_scenario

ROOF = """
[scenario]
name = "benchmark: the joint NATO-Russia roof"
architecture = "joint-nato-russia"

[assumptions]
cueing = "across-parties"

[[threats]]
missile = "sejjil-2"
from = "tabriz"
to = ["bucharest", "athens", "rostov-on-don", "volgograd", "moscow"]

[strategic]
parties = ["russia"]
"""
QUICK = """launch_areas = ["kozelsk", "barents-sea"]
targets = ["washington", "new-york", "chicago"]
"""
PROBE = """
[[sites]]
id = "probe"
name = "probe"
party = "usa"
kind = "ship-station"
lat_deg = {lat}
lon_deg = {lon}
sensors = [{{ type = "spy-1", boresight_deg = 0.0 }}]
interceptors = [{{ type = "sm-3-block-iia", count = 8 }}]
"""
REGION = (25.0, 75.0, -30.0, 70.0)


def plain_place(folder: Path, text: str, lat: float, lon: float) -> tuple[float, float]:
    """One full engagement run with a battery at (lat, lon): (seconds, best margin)."""
    path = folder / "probe.toml"
    path.write_text(text + PROBE.format(lat=lat, lon=lon))
    start = time.perf_counter()
    geometry = strategic_geometry(load_scenario(path))
    result = evaluate(geometry.observation, geometry.case_draw, detected=geometry.detected)
    b = next(i for i, x in enumerate(geometry.prepared.batteries) if x.site == "probe")
    margin = np.where(geometry.judged[:, b], result.windows.launch_margin_s[0, :, b], -np.inf)
    return time.perf_counter() - start, float(margin.max())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--plain", type=int, default=4, help="places run the plain way")
    args = parser.parse_args()
    resolutions = (4.0, 2.0) if args.quick else (2.0, 1.0, 0.5)
    draw_counts = (0, 4) if args.quick else (0, 10, 20)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        text = ROOF + (QUICK if args.quick else "")
        path = folder / "roof.toml"
        path.write_text(text)
        scenario = load_scenario(path)
        # Compile the kernels and fly the set outside the timings.
        geometry = strategic_geometry(scenario)
        protected = protected_parties(scenario, None)
        site_map(geometry, "sm-3-block-iia", protected, 0.95, resolution_deg=10.0)
        start = time.perf_counter()
        geometry = strategic_geometry(scenario)
        geometry_s = time.perf_counter() - start
        groups = sample_groups(geometry.observation.flights.samples)
        by_resolution = {}
        maps = {}
        for resolution in resolutions:
            start = time.perf_counter()
            maps[resolution] = site_map(
                geometry,
                "sm-3-block-iia",
                protected,
                0.95,
                region=REGION,
                resolution_deg=resolution,
                groups=groups,
            )
            by_resolution[resolution] = time.perf_counter() - start
        finest = resolutions[-1]
        found = maps[finest]
        cells = int(found.keep_out.size)
        # The plain method on a few places: half kept out, half allowed.
        kept, allowed = np.argwhere(found.keep_out), np.argwhere(~found.keep_out)
        rng = np.random.default_rng(3)
        picks = [
            *kept[rng.choice(len(kept), min(len(kept), args.plain // 2), replace=False)],
            *allowed[rng.choice(len(allowed), args.plain - args.plain // 2, replace=False)],
        ]
        plain_place(folder, text, 60.0, 0.0)  # compile and fly outside the timing
        plain_s, agree = 0.0, 0
        for i, j in picks:
            seconds, margin = plain_place(
                folder, text, float(found.lat_deg[i]), float(found.lon_deg[j])
            )
            plain_s += seconds
            agree += int((margin >= 0.0) == bool(found.keep_out[i, j]))
        per_place_plain = plain_s / len(picks)
        map_s = by_resolution[finest]
        # Draws (at the coarsest grid but one).
        coarse = resolutions[min(1, len(resolutions) - 1)]
        by_draws = {}
        for n in draw_counts:
            sample = geometry.prepared.space.sample(n, 5) if n else None
            start = time.perf_counter()
            site_map(
                geometry,
                "sm-3-block-iia",
                protected,
                0.95,
                region=REGION,
                resolution_deg=coarse,
                draws=sample,
                groups=groups,
            )
            by_draws[n] = time.perf_counter() - start
        # Speed limits: bisection against the plain sweep.
        judge = _judge(geometry, protected, None)
        regional = _regional(scenario, len(geometry.prepared.batteries))
        start = time.perf_counter()
        limits, _ = speed_limits(judge, regional, 0.95)
        bisection_s = time.perf_counter() - start
        n_b = len(geometry.prepared.batteries)
        sweep = np.arange(SPEED_SWEEP_M_S[0], SPEED_SWEEP_M_S[1] + 1.0, SPEED_TOLERANCE_M_S)
        steps = sweep if not args.quick else sweep[:: max(1, len(sweep) // 40)]
        start = time.perf_counter()
        safe_until = np.full(n_b, np.nan)
        for speed in steps:
            none, _ = _none_engaged(judge, np.full(n_b, speed))
            newly = np.isnan(safe_until) & (none < 1)
            safe_until[newly] = speed - SPEED_TOLERANCE_M_S
        sweep_s = (time.perf_counter() - start) * len(sweep) / len(steps)
    template = candidate(geometry.prepared, "sm-3-block-iia", protected)
    print(
        f"strategic set: {len(geometry.prepared.threats)} trajectories, "
        f"{template.rows.size} judged for a US battery; {len(geometry.prepared.sensors)} sensors"
    )
    print(f"geometry (flights cached, sightlines, detection): {geometry_s:.1f} s")
    for resolution, seconds in by_resolution.items():
        n = maps[resolution].keep_out.size
        print(f"site map at {resolution:g} deg: {n:,} places in {seconds:.2f} s")
    print(
        f"plain method: {per_place_plain:.2f} s a place ({len(picks)} measured, {agree} of them "
        f"agree with the map); {cells:,} places would take {per_place_plain * cells:,.0f} s"
    )
    ratio = per_place_plain * cells / map_s
    print(f"ratio (plain / this project, {finest:g} deg map): {ratio:,.0f}")
    for n, seconds in by_draws.items():
        print(f"site map at {coarse:g} deg with {n} draws: {seconds:.2f} s")
    print(
        f"speed limits: bisection {bisection_s:.1f} s, plain sweep of {len(sweep)} speeds "
        f"{sweep_s:.1f} s: ratio {sweep_s / bisection_s:,.0f}"
    )
    binding = [b for b, lim in enumerate(limits) if lim.bound == "limit"]
    gaps = [
        abs(float(limits[b].limit_m_s or 0.0) - float(safe_until[b]))
        for b in binding
        if not args.quick and np.isfinite(safe_until[b])
    ]
    print(
        f"batteries with a binding speed limit: {len(binding)} of {len(limits)}"
        + (f"; bisection and sweep differ by at most {max(gaps):.0f} m/s" if gaps else "")
    )
    print(
        json.dumps(
            {
                "benchmark": "envelope",
                "trajectories": len(geometry.prepared.threats),
                "seconds_geometry": geometry_s,
                "seconds_map": {str(k): v for k, v in by_resolution.items()},
                "places": {str(k): int(m.keep_out.size) for k, m in maps.items()},
                "seconds_map_draws": {str(k): v for k, v in by_draws.items()},
                "plain_seconds_per_place": per_place_plain,
                "plain_agreement": agree / len(picks),
                "ratio_map_vs_plain": ratio,
                "seconds_speed_bisection": bisection_s,
                "seconds_speed_sweep": sweep_s,
                "ratio_speed_vs_sweep": sweep_s / bisection_s,
                "speed_limit_gap_m_s": max(gaps) if gaps else None,
            }
        )
    )


if __name__ == "__main__":
    main()

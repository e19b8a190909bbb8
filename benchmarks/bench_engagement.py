"""Engagement benchmark: many threat trajectories against 10 interceptor sites and 5 sensors.

Threats are Sejjil-2 class missiles launched from around Tabriz with random
azimuths toward Europe and random pitch-over kicks, flown with dense samples
every 2 s (full model: boost, drag, rotating WGS 84 with J2). The work is
fused by chunks of threats: fly a chunk, detect it with the sensors, compute
fire-control times, find every site's window, keep only the per-pair
summary, drop the samples. Each size runs in a fresh process so that its
peak memory is its own.

Prints a table, then as the last line one JSON object with, per size,
`pairs_per_s` (threat-site pairs through the whole chain per second),
`engage_pairs_per_s` (the window kernel alone), `peak_memory_mb`, and the
scaling ratios between sizes (linear cost means a throughput ratio near 1).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import subprocess
import sys
import time

import numba
import numpy as np

from bench_full_model import PeakMemory
from securityroof.core.detection import detect
from securityroof.core.earth import geodetic_to_ecef_batch
from securityroof.core.engagement import SiteArrays, engage
from securityroof.core.flight import fly_boosted
from securityroof.core.planet import Planet
from securityroof.core.reach import build_reach_table
from securityroof.core.sensors import SensorArrays
from securityroof.core.signatures import BANDS
from securityroof.model.catalog import load_catalog

SITES = [  # (catalog site, interceptor) -- ten batteries in and around Europe
    ("deveselu", "sm-3-block-ib"),
    ("redzikowo", "sm-3-block-iia"),
    ("eastern-mediterranean", "sm-3-block-iia"),
    ("black-sea", "sm-3-block-ia"),
    ("north-sea", "sm-3-block-iia"),
    ("rota", "sm-3-block-ib"),
    ("thaad-israel", "thaad"),
    ("moscow-a135", "a-135-53t6"),
    ("s-400-moscow-notional", "s-400-48n6"),
    ("kurecik", "sm-3-block-iia"),
]
SENSORS = [  # (catalog site, sensor type, boresight deg)
    ("kurecik", "an-tpy-2-fbm", 100.0),
    ("deveselu", "spy-1", 120.0),
    ("armavir", "voronezh-dm", 170.0),
    ("gabala", "daryal", 160.0),
    ("sbirs-geo-europe", "sbirs-geo", 0.0),
]
DT_S = 2.0
CHUNK = 2_000


def _position(catalog, site_id, planet):
    site = catalog.sites[site_id]
    altitude = site.altitude_m.nominal if site.altitude_m else 0.0
    xyz = geodetic_to_ecef_batch(
        math.radians(site.lat_deg.nominal),
        math.radians(site.lon_deg.nominal),
        altitude,
        planet.a_m,
        planet.f,
    )
    return np.array([float(v) for v in xyz])


def build_inputs(planet):
    catalog = load_catalog()
    parts = []
    for site_id, type_id, boresight in SENSORS:
        kind = catalog.sensor_types[type_id]
        position = _position(catalog, site_id, planet)[None, :]
        if kind.kind == "radar":
            parts.append(
                SensorArrays.radars(
                    position,
                    reference_range_m=kind.detection_range_km.nominal * 1e3,
                    reference_rcs_m2=1.0,  # the catalog's ranges are against 1 m^2
                    boresight=math.radians(boresight),
                    half_width=math.radians(kind.azimuth_half_width_deg.nominal),
                    min_elevation=math.radians(kind.min_elevation_deg.nominal),
                    max_elevation=math.radians(kind.max_elevation_deg.nominal),
                    track_delay_s=kind.track_delay_s.nominal,
                    band=BANDS.index(kind.band),
                )
            )
        else:
            parts.append(
                SensorArrays.infrared_satellites(
                    position,
                    min_plume_altitude_m=kind.min_plume_altitude_km.nominal * 1e3,
                    detection_delay_s=kind.detection_delay_s.nominal,
                    track_delay_s=kind.track_delay_s.nominal,
                )
            )
    sensors = SensorArrays.concat(*parts)
    types = sorted({i for _, i in SITES})
    tables = []
    for type_id in types:
        i = catalog.interceptors[type_id]
        tables.append(
            build_reach_table(
                i.burnout_speed_m_s.nominal,
                i.burn_time_s.nominal,
                i.max_flight_time_s.nominal,
                i.max_ground_range_km.nominal * 1e3,
                i.max_intercept_altitude_km.nominal * 1e3,
                i.min_intercept_altitude_km.nominal * 1e3,
                n_range=160,
                n_altitude=120,
            )
        )
    interceptors = [catalog.interceptors[i] for _, i in SITES]
    sites = SiteArrays(
        position_ecef_m=np.array([_position(catalog, s, planet) for s, _ in SITES]),
        delay_s=np.array([i.launch_delay_s.nominal for i in interceptors]),
        kill_assessment_s=np.array([i.kill_assessment_s.nominal for i in interceptors]),
        table=np.array([types.index(i) for _, i in SITES]),
    )
    missiles = catalog.missiles
    missile = missiles.missile("sejjil-2")
    vehicle = missile.vehicle(missiles.drag_tables)
    # The RV's X-band cross section (the fire-control radars here are X and S band).
    rcs = catalog.signature_classes[catalog.signatures["sejjil-2"].rv].x.nominal
    return catalog, sensors, sites, tables, vehicle, rcs


def chain(n, seed, planet, sensors, sites, tables, vehicle, rcs):
    """Fly, detect and engage n threats by chunks; return timings and summaries."""
    rng = np.random.default_rng(seed)
    catalog = load_catalog()
    fire_control_sensor = np.array(
        [catalog.sensor_types[type_id].role == "fire-control" for _, type_id, _ in SENSORS]
    )
    timings = {"fly": 0.0, "detect": 0.0, "engage": 0.0}
    engaged = 0
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        t0 = time.perf_counter()
        flight = fly_boosted(
            vehicle,
            planet,
            np.radians(38.08 + rng.uniform(-1.0, 1.0, m)),
            np.radians(46.29 + rng.uniform(-1.0, 1.0, m)),
            0.0,
            np.radians(rng.uniform(270.0, 330.0, m)),
            np.radians(rng.uniform(5.0, 40.0, m)),
            sample_dt_s=DT_S,
            sample_until_s=1_400.0,
        )
        t1 = time.perf_counter()
        times = np.arange(flight.samples.shape[1]) * DT_S
        seen = detect(
            flight.samples,
            times,
            rcs,
            sensors,
            planet.a_m,
            planet.f,
            burnout_s=flight.burnout_time_s,
        )
        # Every sensor cues; fire-control radars track as soon as they see a cued threat.
        track = np.where(np.isnan(seen.track_s), np.inf, seen.track_s)
        cue = track.min(axis=1, keepdims=True)
        cued = np.maximum(seen.first_detection_s, cue)
        own = np.fmin(seen.track_s, np.where(np.isfinite(cued), cued, np.nan))
        own = np.where(fire_control_sensor[None, :], own, np.nan)
        fire_control = np.nanmin(np.where(np.isnan(own), np.inf, own), axis=1)
        fire_control = np.where(np.isfinite(fire_control), fire_control, np.nan)
        fc = np.repeat(fire_control[:, None], len(sites.delay_s), axis=1)
        t2 = time.perf_counter()
        windows = engage(flight.samples, times, fc, sites, tables, planet.a_m, planet.f)
        t3 = time.perf_counter()
        engaged += int(windows.engageable.sum())
        timings["fly"] += t1 - t0
        timings["detect"] += t2 - t1
        timings["engage"] += t3 - t2
        del flight, seen, windows
    return timings, engaged


def child(n: int, seed: int) -> dict:
    planet = Planet.build("wgs84")
    _, sensors, sites, tables, vehicle, rcs = build_inputs(planet)
    chain(50, seed + 1, planet, sensors, sites, tables, vehicle, rcs)  # compile outside timing
    memory = PeakMemory()
    memory.start()
    start = time.perf_counter()
    timings, engaged = chain(n, seed, planet, sensors, sites, tables, vehicle, rcs)
    seconds = time.perf_counter() - start
    pairs = n * len(sites.delay_s)
    return {
        "size": n,
        "seconds": seconds,
        "pairs": pairs,
        "pairs_per_s": pairs / seconds,
        "engage_pairs_per_s": pairs / timings["engage"],
        "sensor_pairs_per_s": n * sensors.n_sensors / timings["detect"],
        "timings_s": timings,
        "peak_memory_mb": memory.peak_mb(),
        "memory_method": memory.method,
        "engaged_fraction": engaged / pairs,
        "threads": numba.get_num_threads(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--seed", type=int, default=20100326)
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke test")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(args.child, args.seed)))
        return
    sizes = [100, 1_000] if args.quick else args.sizes
    runs = []
    for size in sizes:
        command = [sys.executable, os.path.abspath(__file__), "--child", str(size)]
        command += ["--seed", str(args.seed)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"size {size} failed:\n{done.stderr[-3000:]}")
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(
        f"Engagement chain: {len(SITES)} interceptor sites x {len(SENSORS)} sensors; "
        f"samples every {DT_S:g} s; chunks of {CHUNK}; {runs[0]['threads']} threads"
    )
    header = (
        f"{'threats':>8} {'pairs':>9} {'total s':>8} {'pairs/s':>9} {'engage pairs/s':>15}"
        f" {'fly s':>7} {'detect s':>9} {'engage s':>9} {'peak MB':>8} {'engaged':>8}"
    )
    print(header)
    print("-" * len(header))
    for run in runs:
        t = run["timings_s"]
        print(
            f"{run['size']:>8} {run['pairs']:>9} {run['seconds']:>8.2f} {run['pairs_per_s']:>9.0f}"
            f" {run['engage_pairs_per_s']:>15.0f} {t['fly']:>7.2f} {t['detect']:>9.2f}"
            f" {t['engage']:>9.2f} {run['peak_memory_mb']:>8.1f} {run['engaged_fraction']:>8.1%}"
        )
    scaling = [
        {
            "from": a["size"],
            "to": b["size"],
            "size_ratio": b["size"] / a["size"],
            "throughput_ratio": b["pairs_per_s"] / a["pairs_per_s"],
            "time_ratio": b["seconds"] / a["seconds"],
        }
        for a, b in itertools.pairwise(runs)
    ]
    for step in scaling:
        print(
            f"{step['from']} -> {step['to']}: size x{step['size_ratio']:.0f}, "
            f"time x{step['time_ratio']:.1f}, throughput x{step['throughput_ratio']:.2f}"
        )
    print(
        json.dumps(
            {
                "benchmark": "engagement",
                "sites": len(SITES),
                "sensors": len(SENSORS),
                "pairs_per_s": {str(r["size"]): r["pairs_per_s"] for r in runs},
                "engage_pairs_per_s": {str(r["size"]): r["engage_pairs_per_s"] for r in runs},
                "peak_memory_mb": {str(r["size"]): r["peak_memory_mb"] for r in runs},
                "scaling": scaling,
                "runs": runs,
            }
        )
    )


if __name__ == "__main__":
    main()

"""The report's figures: engagement timelines, the verdict's sensitivity,
Shapley values and cost shares, the raid's leakers, and the threat map."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from securityroof.analysis.assess import Assessment
from securityroof.analysis.engagement import EngagementResult
from securityroof.analysis.footprint import DEFAULT_REGION
from securityroof.analysis.stability import judged_pairs
from securityroof.core.earth import ecef_to_geodetic_batch
from securityroof.core.planet import Planet
from securityroof.report.maps import base_axes, draw_sites, plt, polar_axes, polar_xy, save_png


def engagement_timeline(assessment: Assessment, path: Path) -> None:
    """Per regional threat: each battery's intercept window (s after launch)."""
    result = assessment.engagements
    threats = result.threats
    batteries = result.batteries
    windows = result.windows
    figure, axes = plt.subplots(figsize=(10, 0.45 * len(threats) * max(1, len(batteries)) / 3 + 2))
    colours = plt.get_cmap("tab10")
    labels = []
    for t, threat in enumerate(threats):
        row = t
        impact = result.flights.impact_time_s[t]
        axes.plot([0, impact], [row, row], color="#cccccc", linewidth=1)
        for b, battery in enumerate(batteries):
            if windows.engageable[t, b]:
                first, last = windows.first_intercept_s[t, b], windows.last_intercept_s[t, b]
                axes.plot(
                    [first, last],
                    [row + 0.1 * (b - len(batteries) / 2)] * 2,
                    linewidth=4,
                    color=colours(b % 10),
                    label=f"{battery.site} ({battery.interceptor})" if t == 0 else None,
                )
        labels.append(threat.name)
    axes.set_yticks(range(len(labels)), labels, fontsize=7)
    axes.set_xlabel("time after the threat's launch (s); grey: flight to impact")
    axes.set_title("Engagement windows of each battery against each regional threat", fontsize=10)
    handles = [
        plt.Line2D([0], [0], color=colours(b % 10), linewidth=4) for b in range(len(batteries))
    ]
    axes.legend(
        handles,
        [f"{b.site} ({b.interceptor})" for b in batteries],
        fontsize=6,
        loc="lower right",
    )
    save_png(figure, path)


def sensitivity_chart(assessment: Assessment, path: Path) -> None:
    """Least interceptor burnout speed that would engage each launch area's trajectories."""
    stability = assessment.stability
    assert stability is not None
    areas = sorted(stability.min_burnout_speed_m_s)
    figure, axes = plt.subplots(figsize=(10, 0.45 * len(areas) + 2))
    top = 9_000.0
    for k, area in enumerate(areas):
        for offset, value, colour, label in (
            (-0.15, stability.min_burnout_speed_m_s[area], "#2b8cbe", "catalogued sensors"),
            (
                0.15,
                stability.min_burnout_speed_earliest_track_m_s[area],
                "#f03b20",
                "fire-control track as early as the first sensor tracks",
            ),
        ):
            shown = top if value is None else value
            axes.barh(
                k + offset,
                shown / 1e3,
                height=0.28,
                color=colour,
                hatch="//" if value is None else None,
                label=label if k == 0 else None,
            )
    speeds = {
        name: assessment.scenario.interceptors[name].burnout_speed_m_s.nominal
        for name in stability.verdict_by_interceptor
    }
    for name, speed in speeds.items():
        axes.axvline(speed / 1e3, color="#555555", linestyle=":", linewidth=1)
        axes.text(speed / 1e3, len(areas) - 0.4, name, rotation=90, fontsize=6, va="top")
    axes.set_yticks(range(len(areas)), areas, fontsize=7)
    axes.set_xlabel("interceptor burnout speed needed (km/s); hatched: none up to 9 km/s")
    axes.set_title(f"What you would need to believe: verdict {stability.verdict}", fontsize=10)
    axes.legend(fontsize=7, loc="lower right")
    save_png(figure, path)


def shapley_chart(assessment: Assessment, path: Path) -> None:
    """Each party's Shapley value and its cost shares by two keys."""
    sharing = assessment.sharing
    cooperation = sharing.cooperation
    shares = cooperation.cost_shares
    assert shares is not None
    parties = sharing.parties
    x = np.arange(len(parties))
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    unit = "million people" if sharing.value_basis == "population" else "targets"
    scale = 1e6 if sharing.value_basis == "population" else 1.0
    left.bar(x, cooperation.shapley / scale, color="#3182bd")
    left.set_xticks(x, parties, rotation=45, fontsize=7)
    left.set_ylabel(f"Shapley value ({unit})")
    left.set_title("Who contributes what", fontsize=10)
    right.bar(x - 0.2, 100 * shares.by_shapley, width=0.4, label="by Shapley value")
    right.bar(x + 0.2, 100 * shares.by_benefit, width=0.4, label="by benefit received")
    right.set_xticks(x, parties, rotation=45, fontsize=7)
    right.set_ylabel("share of the cost (%)")
    right.set_title("Fair shares", fontsize=10)
    right.legend(fontsize=7)
    save_png(figure, path)


def raid_histogram(assessment: Assessment, path: Path) -> None:
    """Distribution of leakers over the reference raid's trials."""
    raid = assessment.raid
    assert raid is not None
    leakers = raid.result.leakers
    figure, axes = plt.subplots(figsize=(7, 3.5))
    bins = (np.arange(leakers.max() + 2) - 0.5).tolist()
    axes.hist(leakers, bins=bins, color="#de2d26", rwidth=0.85)
    axes.set_xlabel("leakers")
    axes.set_ylabel("trials")
    axes.set_title(
        f"Reference raid of {raid.size}: {raid.result.trials:,} trials, seed {raid.result.seed}",
        fontsize=10,
    )
    save_png(figure, path)


def _tracks(axes, result: EngagementResult, planet: Planet) -> None:
    """Ground tracks: green if some battery can engage the threat, red if none."""
    samples = result.flights.samples
    for t in range(samples.shape[0]):
        xyz = samples[t, :, :3]
        ok = np.isfinite(xyz[:, 0])
        lat, lon, _ = ecef_to_geodetic_batch(
            xyz[ok, 0], xyz[ok, 1], xyz[ok, 2], planet.a_m, planet.f
        )
        axes.plot(
            np.degrees(lon),
            np.degrees(lat),
            color="#1a9850" if result.windows.engageable[t].any() else "#d7301f",
            linewidth=1.2,
        )


def _sites(axes, assessment: Assessment) -> None:
    draw_sites(axes, assessment.scenario.sites)


def _planet(assessment: Assessment) -> Planet:
    a = assessment.scenario.assumptions
    return Planet.build(a.earth, rotating=a.rotating)


def threat_map(assessment: Assessment, path: Path) -> None:
    """Ground tracks of the regional threats, with sites and their radars."""
    figure, axes = base_axes(DEFAULT_REGION)
    _tracks(axes, assessment.engagements, _planet(assessment))
    _sites(axes, assessment)
    axes.set_title(
        "Regional threat trajectories (green: some battery can engage; red: none); "
        "triangles: interceptors, squares: sensors",
        fontsize=9,
    )
    save_png(figure, path)


STRATEGIC_REGION = (20.0, 85.0, -130.0, 120.0)


def strategic_map(assessment: Assessment, path: Path) -> None:
    """Strategic trajectories over the pole, and which some battery can engage."""
    assert assessment.strategic is not None and assessment.stability is not None
    result = assessment.strategic
    planet = _planet(assessment)
    judged = judged_pairs(result.prepared)
    hit = (result.windows.engageable & judged).any(axis=1)
    figure, axes = polar_axes()
    samples = result.flights.samples
    # Every engageable trajectory, and the minimum-energy ones of the rest (the
    # lofted and depressed ones follow the same ground tracks).
    order = sorted(range(samples.shape[0]), key=lambda t: hit[t])
    for t in order:
        if not hit[t] and result.threats[t].shape != "minimum-energy":
            continue
        xyz = samples[t, :, :3]
        ok = np.isfinite(xyz[:, 0])
        if not ok.any():
            continue
        lat, lon, _ = ecef_to_geodetic_batch(
            xyz[ok, 0], xyz[ok, 1], xyz[ok, 2], planet.a_m, planet.f
        )
        x, y = polar_xy(np.degrees(lat), np.degrees(lon))
        if hit[t]:
            axes.plot(x, y, color="#1a9850", linewidth=1.0, zorder=3)
        else:
            axes.plot(x, y, color="#d7301f", linewidth=0.4, alpha=0.35, zorder=2)
    for site in assessment.scenario.sites.values():
        x, y = polar_xy(np.array([site.lat_deg.nominal]), np.array([site.lon_deg.nominal]))
        axes.plot(x, y, "k^" if site.interceptors else "bs", markersize=4, zorder=4)
    axes.plot([], [], color="#1a9850", label="engageable by another party's battery")
    axes.plot([], [], color="#d7301f", alpha=0.6, label="not engageable (minimum energy shown)")
    axes.plot([], [], "k^", label="interceptor site")
    axes.plot([], [], "bs", label="sensor site")
    axes.legend(fontsize=7, loc="lower left")
    axes.set_title(
        f"Strategic trajectories over the pole (azimuthal equidistant): {int(hit.sum())} of "
        f"{int(np.isfinite(samples[:, 0, 0]).sum())} engageable",
        fontsize=9,
    )
    save_png(figure, path)


def coverage_map(assessment: Assessment, path: Path) -> None:
    """Each radar's field of regard out to its range against a 0.1 m^2 target."""
    figure, axes = base_axes(DEFAULT_REGION)
    colours = plt.get_cmap("tab10")
    for k, site in enumerate(assessment.scenario.sites.values()):
        for mount in site.sensors:
            kind = assessment.scenario.sensor_types[mount.type]
            if kind.kind != "radar" or kind.detection_range_km is None:
                continue
            assert kind.azimuth_half_width_deg is not None
            # Catalog ranges are against 1 m^2 in the radar's band.
            reach_km = kind.detection_range_km.nominal * COVERAGE_RCS_M2**0.25
            half = kind.azimuth_half_width_deg.nominal
            azimuths = np.radians(
                np.linspace(mount.boresight_deg - half, mount.boresight_deg + half, 90)
            )
            lat0, lon0 = np.radians(site.lat_deg.nominal), np.radians(site.lon_deg.nominal)
            angle = reach_km / 6371.0
            lat = np.arcsin(
                np.sin(lat0) * np.cos(angle) + np.cos(lat0) * np.sin(angle) * np.cos(azimuths)
            )
            lon = lon0 + np.arctan2(
                np.sin(azimuths) * np.sin(angle) * np.cos(lat0),
                np.cos(angle) - np.sin(lat0) * np.sin(lat),
            )
            if half < 180.0:
                lat = np.concatenate(([lat0], lat, [lat0]))
                lon = np.concatenate(([lon0], lon, [lon0]))
            axes.fill(np.degrees(lon), np.degrees(lat), color=colours(k % 10), alpha=0.15)
            axes.plot(np.degrees(lon), np.degrees(lat), color=colours(k % 10), linewidth=0.8)
    _sites(axes, assessment)
    axes.set_title(
        f"Radar fields of regard out to the range against a {COVERAGE_RCS_M2:g} m^2 target "
        "(ground range, no Earth masking)",
        fontsize=9,
    )
    save_png(figure, path)


COVERAGE_RCS_M2 = 0.1


def tradeoff_chart(assessment: Assessment, path: Path) -> None:
    """Regional population defended against a common burnout-speed limit, per architecture."""
    envelope = assessment.envelope
    assert envelope is not None
    figure, axes = plt.subplots(figsize=(8, 4.5))
    colours = plt.get_cmap("tab10")
    styles = ("-", "--", "-.", ":")
    n = len(envelope.tradeoffs)
    for k, curve in enumerate(envelope.tradeoffs):
        caps = np.array([p.cap_m_s for p in curve.points]) / 1e3
        people = np.array([p.population for p in curve.points]) / 1e6
        strategic = np.array([p.strategic_engaged > 0 for p in curve.points])
        colour = colours(k % 10)
        # Architectures often share stretches of curve: the earlier ones are
        # drawn wider underneath, so that none hides another.
        axes.step(
            caps,
            people,
            where="post",
            color=colour,
            linestyle=styles[k % len(styles)],
            linewidth=1.2 + 1.3 * (n - 1 - k),
            alpha=0.85,
            label=curve.architecture,
            zorder=2 + k,
        )
        axes.plot(caps[strategic], people[strategic], "x", color=colour, markersize=7, zorder=9)
        if curve.strongest_cap_m_s is not None:
            axes.plot(
                curve.strongest_cap_m_s / 1e3,
                curve.population_at_strongest / 1e6,
                "o",
                color=colour,
                markersize=8,
                markeredgecolor="black",
                zorder=10,
            )
    axes.plot(
        [], [], "o", color="grey", markeredgecolor="black", label="strongest limit, non-strategic"
    )
    axes.plot([], [], "x", color="grey", label="limit at which it engages strategic forces")
    axes.set_xlabel("common burnout-speed limit on every interceptor (km/s)")
    axes.set_ylabel("regional population defended (million)")
    axes.set_title("What a common speed limit costs the regional defence", fontsize=10)
    axes.legend(fontsize=7, loc="lower right")
    save_png(figure, path)

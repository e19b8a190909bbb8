"""The report's figures: engagement timelines, the verdict's sensitivity,
Shapley values and cost shares, the raid's leakers, and the threat map."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from securityroof.analysis.assess import Assessment
from securityroof.analysis.coverage import COVERAGE_RCS_M2, radar_coverage
from securityroof.analysis.engagement import EngagementResult
from securityroof.analysis.footprint import DEFAULT_REGION
from securityroof.analysis.stability import SPEED_SWEEP_M_S, judged_pairs
from securityroof.core.earth import ecef_to_geodetic_batch
from securityroof.core.planet import Planet
from securityroof.model.scenario import Threat
from securityroof.report.labels import Label, place_labels
from securityroof.report.maps import (
    DEFENDED_GREEN,
    SITE_STYLES,
    UNDEFENDED_RED,
    RegionMap,
    covering,
    plt,
    polar_axes,
    polar_xy,
    region_map,
    save_png,
    site_handles,
    site_style,
)


def engagement_timeline(assessment: Assessment, path: Path) -> None:
    """Per regional threat: each battery's intercept window (s after launch)."""
    result = assessment.engagements
    assert result is not None  # drawn only when the engagements were run
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
    """Least interceptor burnout speed that would engage each launch area's trajectories.

    The interceptors' own speeds are named on a scale above the bars; speeds
    too close to name apart share one name. The key is below the chart.
    """
    stability = assessment.stability
    assert stability is not None
    areas = sorted(stability.min_burnout_speed_m_s)
    figure, axes = plt.subplots(figsize=(10, 0.45 * len(areas) + 2.8), layout="constrained")
    top_km_s = SPEED_SWEEP_M_S[1] / 1e3
    bars = (
        (-0.17, stability.min_burnout_speed_m_s, "#2b8cbe", "with the catalogued sensors"),
        (
            0.17,
            stability.min_burnout_speed_earliest_track_m_s,
            "#f03b20",
            "with a fire-control track as early as the first sensor tracks",
        ),
    )
    for offset, speeds, colour, label in bars:
        for k, area in enumerate(areas):
            value = speeds[area]
            axes.barh(
                k + offset,
                top_km_s if value is None else value / 1e3,
                height=0.3,
                color="white" if value is None else colour,
                edgecolor=colour,
                hatch="//" if value is None else None,
                label=label if k == 0 else None,
            )
    speeds_km_s = {
        name: assessment.scenario.interceptors[name].burnout_speed_m_s.nominal / 1e3
        for name in stability.verdict_by_interceptor
    }
    for speed in speeds_km_s.values():
        axes.axvline(speed, color="#555555", linestyle=":", linewidth=1)
    axes.set_xlim(0, top_km_s)
    axes.set_ylim(-0.6, len(areas) - 0.4)
    axes.set_yticks(range(len(areas)), areas, fontsize=8)
    axes.set_xlabel("interceptor burnout speed needed to engage (km/s)")
    names = axes.secondary_xaxis("top")
    ticks = _merged_ticks(speeds_km_s, min_gap=0.012 * top_km_s * 10 / figure.get_figwidth())
    names.set_xticks(list(ticks), list(ticks.values()), rotation=90, fontsize=7)
    names.set_xlabel("catalogued burnout speeds (dotted lines)", fontsize=8)
    axes.set_title(
        f"What you would need to believe: verdict {stability.verdict}", fontsize=10, pad=8
    )
    handles, _ = axes.get_legend_handles_labels()
    handles.append(
        Patch(facecolor="white", edgecolor="#555555", hatch="//", label="none up to 9 km/s")
    )
    figure.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=7.5, frameon=False)
    save_png(figure, path)


def _merged_ticks(speeds_km_s: dict[str, float], min_gap: float) -> dict[float, str]:
    """Tick positions and names: interceptors closer than `min_gap` share one tick."""
    ticks: dict[float, list[str]] = {}
    last: float | None = None
    for name, speed in sorted(speeds_km_s.items(), key=lambda kv: kv[1]):
        if last is not None and speed - last < min_gap:
            ticks[last].append(name)
        else:
            ticks[speed] = [name]
            last = speed
    return {speed: ", ".join(names) for speed, names in ticks.items()}


def shapley_chart(assessment: Assessment, path: Path) -> None:
    """Each party's Shapley value and its cost shares by two keys."""
    sharing = assessment.sharing
    assert sharing is not None  # drawn only when the sharing was run
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


def ground_track(result: EngagementResult, planet: Planet, t: int) -> tuple[np.ndarray, np.ndarray]:
    """The ground track of trajectory `t` (latitude, longitude; degrees)."""
    xyz = result.flights.samples[t, :, :3]
    ok = np.isfinite(xyz[:, 0])
    lat, lon, _ = ecef_to_geodetic_batch(xyz[ok, 0], xyz[ok, 1], xyz[ok, 2], planet.a_m, planet.f)
    return np.degrees(lat), np.degrees(lon)


def _places(assessment: Assessment, threats) -> list[tuple[float, float]]:
    """(lat, lon) of the sites on Earth and of the threats' launch and aim points."""
    found = [
        (s.lat_deg.nominal, s.lon_deg.nominal)
        for s in assessment.scenario.sites.values()
        if s.kind != "satellite"
    ]
    for t in threats:
        found += [(t.launch_lat_deg, t.launch_lon_deg), (t.target_lat_deg, t.target_lon_deg)]
    return found


def planet_of(assessment: Assessment) -> Planet:
    a = assessment.scenario.assumptions
    return Planet.build(a.earth, rotating=a.rotating)


ENGAGED = Line2D([], [], color=DEFENDED_GREEN, label="threat some battery can engage")
NOT_ENGAGED = Line2D([], [], color=UNDEFENDED_RED, label="threat no battery can engage")
LAUNCH: dict[str, Any] = {"marker": "*", "color": "#b35806", "markersize": 8}
TARGET: dict[str, Any] = {"marker": "o", "color": "#444444", "markersize": 3.5, "fillstyle": "none"}


def _ends_and_labels(panel: RegionMap, threats: list[Threat]) -> list[Label]:
    """Launch areas (stars) and aim points (rings), each labelled once."""
    labels: dict[str, Label] = {}
    for threat in threats:
        panel.points(threat.launch_lat_deg, threat.launch_lon_deg, zorder=6, **LAUNCH)
        panel.points(threat.target_lat_deg, threat.target_lon_deg, zorder=6, **TARGET)
        launch = threat.launch_area or f"{threat.launch_lat_deg:.1f}, {threat.launch_lon_deg:.1f}"
        labels.setdefault(
            launch,
            panel.label(threat.launch_lat_deg, threat.launch_lon_deg, launch, colour="#b35806"),
        )
        labels.setdefault(
            threat.target_name,
            panel.label(threat.target_lat_deg, threat.target_lon_deg, threat.target_name),
        )
    return list(labels.values())


END_KEY = [
    Line2D([], [], linestyle="none", label="launch area", **LAUNCH),
    Line2D([], [], linestyle="none", label="aim point", **TARGET),
]


def threat_map(assessment: Assessment, path: Path) -> None:
    """Ground tracks of the regional threats, with sites, launch areas and aim points."""
    result = assessment.engagements
    assert result is not None  # drawn only when the engagements were run
    figure, panel = region_map(covering(DEFAULT_REGION, _places(assessment, result.threats)))
    planet = planet_of(assessment)
    for t in range(len(result.threats)):
        lat, lon = ground_track(result, planet, t)
        engaged = bool(result.windows.engageable[t].any())
        panel.line(
            lat, lon, color=DEFENDED_GREEN if engaged else UNDEFENDED_RED, linewidth=1.2, zorder=3
        )
    sites = assessment.scenario.sites
    panel.place([*panel.sites(sites), *_ends_and_labels(panel, list(result.threats))])
    panel.legend([ENGAGED, NOT_ENGAGED, *END_KEY, *site_handles(sites.values())])
    panel.axes.set_title(
        "Regional threat trajectories, sites, launch areas and aim points", fontsize=10
    )
    save_png(figure, path)


STRATEGIC_REGION = (20.0, 85.0, -130.0, 120.0)


def strategic_map(assessment: Assessment, path: Path) -> None:
    """Strategic trajectories over the pole, and which some battery can engage."""
    assert assessment.strategic is not None and assessment.stability is not None
    result = assessment.strategic
    planet = planet_of(assessment)
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
        if not np.isfinite(samples[t, :, 0]).any():
            continue
        x, y = polar_xy(*ground_track(result, planet, t))
        if hit[t]:
            axes.plot(x, y, color=DEFENDED_GREEN, linewidth=1.0, zorder=3)
        else:
            axes.plot(x, y, color=UNDEFENDED_RED, linewidth=0.6, alpha=0.5, zorder=2)
    labels = []
    for site_id, site in assessment.scenario.sites.items():
        style = SITE_STYLES[site_style(site)]
        x, y = polar_xy(site.lat_deg.nominal, site.lon_deg.nominal)
        axes.plot(
            x,
            y,
            linestyle="none",
            marker=style["marker"],
            color=style["color"],
            markersize=4,
            zorder=4,
        )
        labels.append(Label(float(x), float(y), site_id, fontsize=5.5))
    ends: dict[str, Label] = {}
    for threat in result.threats:
        for lat, lon, name, end_style in (
            (threat.launch_lat_deg, threat.launch_lon_deg, threat.launch_area or "launch", LAUNCH),
            (threat.target_lat_deg, threat.target_lon_deg, threat.target_name, TARGET),
        ):
            x, y = polar_xy(lat, lon)
            axes.plot(x, y, linestyle="none", zorder=5, **end_style)
            ends.setdefault(name, Label(float(x), float(y), name, fontsize=6))
    place_labels(axes, [*ends.values(), *labels])
    axes.legend(
        handles=[
            Line2D([], [], color=DEFENDED_GREEN, label="engageable by another party's battery"),
            Line2D(
                [],
                [],
                color=UNDEFENDED_RED,
                alpha=0.6,
                label="not engageable (minimum energy shown)",
            ),
            *END_KEY,
            *site_handles(assessment.scenario.sites.values()),
        ],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.01),
        ncol=3,
        fontsize=7,
        frameon=False,
    )
    axes.set_title(
        f"Strategic trajectories over the pole (azimuthal equidistant): {int(hit.sum())} of "
        f"{int(np.isfinite(samples[:, 0, 0]).sum())} engageable",
        fontsize=10,
    )
    save_png(figure, path)


def coverage_map(assessment: Assessment, path: Path) -> None:
    """Each radar's field of regard out to its range against a 0.1 m^2 target."""
    figure, panel = region_map(covering(DEFAULT_REGION, _places(assessment, [])))
    colours = plt.get_cmap("tab10")
    key = []
    for k, found in enumerate(radar_coverage(assessment.scenario)):
        colour = colours(k % 10)
        radar = assessment.scenario.sensor_types[found.sensor].name
        panel.fill(found.lat_deg, found.lon_deg, color=colour, alpha=0.12, zorder=2)
        panel.line(found.lat_deg, found.lon_deg, color=colour, linewidth=0.9, zorder=3)
        key.append(
            Patch(facecolor=(*colour[:3], 0.25), edgecolor=colour, label=f"{found.site}: {radar}")
        )
    sites = assessment.scenario.sites
    panel.place(panel.sites(sites))
    panel.legend([*key, *site_handles(sites.values())], columns=2)
    panel.axes.set_title(
        f"Radar fields of regard out to the range against a {COVERAGE_RCS_M2:g} m² target "
        "(ground range, no Earth masking)",
        fontsize=10,
    )
    save_png(figure, path)


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

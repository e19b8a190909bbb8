"""`roof stability`, `roof share`, `roof raid` and `roof footprint`: the analyses."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from securityroof.cli._app import AsJson, Cluster, app, stdout, titled_table, user_errors
from securityroof.errors import RoofError
from securityroof.model.scenario import Scenario, load_scenario, with_architecture
from securityroof.report.records import interval_record

# Each command imports its analysis (numba kernels, matplotlib, Dask) itself:
# `roof` then starts without loading what the command at hand does not need.
if TYPE_CHECKING:
    from securityroof.analysis.stability import StabilityResult


def stability_record(result: StabilityResult) -> dict[str, Any]:
    """The JSON form of the stability analysis (m/s, seconds)."""
    from securityroof.analysis.stability import NEW_START_DEPLOYED_WARHEADS

    mc = result.uncertainty
    return {
        "scenario": result.scenario.name,
        "sha256": result.scenario.digest,
        "verdict": result.verdict,
        "sentence": result.sentence,
        "verdict_by_party": result.verdict_by_party,
        "verdict_by_interceptor": result.verdict_by_interceptor,
        "cases": {"threats": result.scenario.threat_case, "defence": result.scenario.defence_case},
        "cueing": result.scenario.cueing,
        "strategic_threats": result.strategic_threats,
        "unreachable_at_case": result.unreachable,
        "probability_strategic": interval_record(result.probability_strategic),
        "monte_carlo": None
        if mc is None
        else {
            "draws": mc.n_draws,
            "seed": mc.seed,
            "sample": "Latin hypercube, triangular marginals on (low, nominal, high)",
            "sensitivity": [
                {
                    "value": s.key,
                    "label": s.label,
                    "delta": s.delta,
                    "delta_ci95": s.delta_conf,
                    "s1": s.s1,
                    "s1_ci95": s.s1_conf,
                }
                for s in mc.sensitivity
            ],
        },
        "by_case": [
            {
                "label": c.label,
                "threat_case": c.threat_case,
                "defence_case": c.defence_case,
                "verdict": c.verdict,
                "engageable": c.engageable,
                "flown": c.flown,
            }
            for c in result.cases
        ],
        "track_assumptions": [
            {
                "source": a.source,
                "median_track_s": a.median_track_s,
                "engageable": a.engageable,
                "flown": a.flown,
                "by_battery": a.by_battery,
            }
            for a in result.track_assumptions
        ],
        "engageable_with_tracks_shared": result.engageable_with_tracks_shared,
        "by_launch_area_and_battery": [
            {
                "launch_area": r.launch_area,
                "party": r.party,
                "site": r.site,
                "interceptor": r.interceptor,
                "engageable": r.engageable,
                "flown": r.flown,
            }
            for r in result.table
        ],
        "engageable_strategic": [
            {
                "launch_area": e.launch_area,
                "target": e.target,
                "threat": e.threat,
                "site": e.site,
                "interceptor": e.interceptor,
                "window_s": list(e.window_s),
                "shots": e.shots,
            }
            for e in result.engageable
        ],
        "min_burnout_speed_m_s": result.min_burnout_speed_m_s,
        "min_burnout_speed_earliest_track_m_s": result.min_burnout_speed_earliest_track_m_s,
        "trajectories": [
            {
                "threat": s.threat,
                "launch_area": s.launch_area,
                "party": s.party,
                "flown": s.flown,
                "engageable_by_case": s.engageable_by_case,
                "engageable_with_tracks_shared": s.engageable_with_tracks_shared,
                "earliest_track_s": s.earliest_track_s,
                "engageable_with_earliest_track": s.engageable_with_earliest_track,
                "engageable_with_track_at_launch_bound": s.engageable_with_tracks_at_launch,
                "min_burnout_speed_m_s": s.min_burnout_speed_m_s,
                "min_burnout_speed_earliest_track_m_s": s.min_burnout_speed_earliest_track_m_s,
                "max_extra_launch_delay_s": s.max_extra_delay_s,
                "probability_engageable": interval_record(s.probability),
            }
            for s in result.sensitivity
        ],
        "demarcation": {
            d.interceptor: {
                "speed_m_s": d.speed_m_s,
                "speed_is_demonstrated": d.speed_is_demonstrated,
                "agreed_statement": d.agreed_statement,
                "test_targets": d.test_targets,
                "must_declare_plans": d.must_declare_plans,
                "note": d.note,
            }
            for d in result.demarcation
        },
        "new_start": {
            "deployed_warhead_limit": NEW_START_DEPLOYED_WARHEADS,
            "interceptors_able_to_engage": result.interceptors_able,
            "warheads_engageable_upper_bound": result.warheads_engageable_upper_bound,
            "share_of_limit": result.warheads_engageable_upper_bound / NEW_START_DEPLOYED_WARHEADS,
        },
    }


Draws = Annotated[
    int,
    typer.Option("--draws", help="Monte Carlo draws over the uncertain catalog values (0: none)."),
]
# Upper bounds of the raid's sizes: far beyond any published raid or study,
# and well before the trial arrays would fill a machine's memory.
MAX_RAID_SIZE = 10_000
MAX_TRIALS = 10_000_000
Seed = Annotated[int | None, typer.Option(help="Seed of the Monte Carlo sample (recorded).")]


@app.command()
def stability(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML).")],
    draws: Draws = 300,
    seed: Seed = None,
    cluster: Cluster = None,
    as_json: AsJson = False,
) -> None:
    """Can the roof engage another party's strategic forces? Verdict, probability, evidence."""
    from securityroof.analysis.stability import DEFAULT_SEED, SPEED_SWEEP_M_S, analyse_stability

    with user_errors():
        if draws < 1:
            raise RoofError(
                f"the Monte Carlo size must be at least 1, got {draws}.",
                where="--draws",
                fix="Give --draws 100 or more for a probability worth reading.",
            )
        result = analyse_stability(
            load_scenario(scenario),
            cluster=cluster,
            draws=draws,
            seed=DEFAULT_SEED if seed is None else seed,
        )
        record = stability_record(result)
        if as_json:
            sys.stdout.write(json.dumps(record) + "\n")
            return
        print_stability(record, SPEED_SWEEP_M_S[1])


def print_stability(record: dict[str, Any], top_speed_m_s: float) -> None:
    """The stability analysis as tables (every abbreviation spelled out)."""
    stdout.print(f"[bold]{record['scenario']}[/]")
    stdout.print(record["sentence"])
    by_party = ", ".join(f"{p}: {v}" for p, v in record["verdict_by_party"].items())
    stdout.print(f"Verdict by deterrent party judged: {by_party}.")
    cases = titled_table(
        "verdict by capability case (offence and defence)",
        ("case", "threats", "defence", "verdict", "engageable / flown"),
    )
    for c in record["by_case"]:
        cases.add_row(
            c["label"],
            c["threat_case"],
            c["defence_case"],
            c["verdict"],
            f"{c['engageable']} / {c['flown']}",
        )
    stdout.print(cases)
    believe = titled_table(
        "what you would need to believe: a fire-control track for every battery as early "
        "as this sensor tracks",
        ("track as early as", "median time (s)", "engageable / flown", "by"),
    )
    for a in record["track_assumptions"]:
        by = ", ".join(
            f"{k} {v}" for k, v in sorted(a["by_battery"].items(), key=lambda kv: -kv[1])
        )
        median = "" if a["median_track_s"] is None else f"{a['median_track_s']:,.0f}"
        believe.add_row(a["source"], median, f"{a['engageable']} / {a['flown']}", by)
    stdout.print(believe)
    stdout.print(
        f"With tracks shared across every party: {record['engageable_with_tracks_shared']} "
        f"of {record['strategic_threats']} engageable."
    )
    areas = titled_table(
        "engageable trajectories by launch area and battery",
        (
            "launch area",
            "party",
            "battery",
            "engageable / flown",
            "least burnout speed (m/s)",
        ),
    )
    speeds = record["min_burnout_speed_m_s"]
    for r in record["by_launch_area_and_battery"]:
        speed = speeds.get(r["launch_area"])
        areas.add_row(
            r["launch_area"],
            r["party"],
            f"{r['interceptor']} at {r['site']}",
            f"{r['engageable']} / {r['flown']}",
            f"none up to {top_speed_m_s / 1e3:g} km/s" if speed is None else f"{speed:,.0f}",
        )
    stdout.print(areas)
    mc = record["monte_carlo"]
    if mc is not None and mc["sensitivity"]:
        indices = titled_table(
            f"what the verdict hangs on: sensitivity over {mc['draws']} draws "
            f"(seed {mc['seed']}); delta = Borgonovo's moment-independent index, "
            "S1 = first-order Sobol index, of the best launch margin",
            ("uncertain value", "delta", "S1"),
        )
        for s in mc["sensitivity"][:10]:
            indices.add_row(
                s["label"],
                f"{s['delta']:.3f} ± {s['delta_ci95']:.3f}",
                f"{s['s1']:.3f} ± {s['s1_ci95']:.3f}",
            )
        stdout.print(indices)
    demarcation = titled_table(
        "1997 demarcation agreements",
        ("interceptor", "speed (m/s)", "statement", "test targets", "note"),
    )
    for name, d in record["demarcation"].items():
        demarcation.add_row(
            name, f"{d['speed_m_s']:,.0f}", d["agreed_statement"], d["test_targets"], d["note"]
        )
    stdout.print(demarcation)
    ns = record["new_start"]
    stdout.print(
        f"New START: at most {ns['warheads_engageable_upper_bound']:,.0f} of "
        f"{ns['deployed_warhead_limit']:,} deployed warheads engageable "
        f"({ns['interceptors_able_to_engage']} interceptors able)."
    )


@app.command()
def raid(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML).")],
    size: Annotated[int, typer.Option("--size", max=MAX_RAID_SIZE, help="Missiles in the raid.")],
    trials: Annotated[int, typer.Option(max=MAX_TRIALS, help="Monte Carlo trials.")] = 10_000,
    seed: Annotated[int | None, typer.Option(help="Seed (recorded in the output).")] = None,
    doctrine: Annotated[str, typer.Option(help="shoot-look-shoot or shoot-shoot.")] = (
        "shoot-look-shoot"
    ),
    saturate: Annotated[
        bool, typer.Option("--saturate", help="Allow a raid bigger than the inventory.")
    ] = False,
    cluster: Cluster = None,
    as_json: AsJson = False,
) -> None:
    """Monte Carlo raid: expected leakers, chance of no leaker, interceptors used."""
    from securityroof.analysis.engagement import run_engagements
    from securityroof.analysis.raid import check_raid_options, run_raid

    with user_errors():
        check_raid_options(size, trials, doctrine)
        analysis = run_raid(
            run_engagements(load_scenario(scenario)),
            size,
            trials=trials,
            seed=seed,
            doctrine=doctrine,
            saturate=saturate,
            cluster=cluster,
        )
        r = analysis.result
        record: dict[str, Any] = {
            "scenario": analysis.scenario.name,
            "sha256": analysis.scenario.digest,
            "size": analysis.size,
            "trials": r.trials,
            "seed": r.seed,
            "doctrine": r.doctrine,
            "salvo_size": r.salvo_size,
            "site_order": r.site_order,
            "expected_leakers": r.expected_leakers,
            "expected_leakers_ci95": [float(v) for v in r.expected_leakers_ci],
            "p_no_leaker": r.p_no_leaker,
            "p_no_leaker_ci95": [float(v) for v in r.p_no_leaker_ci],
            "interceptors_used": [
                {
                    "site": b.site,
                    "interceptor": b.interceptor,
                    "inventory": b.count,
                    "mean": float(r.interceptors_used_mean[i]),
                    "ci95": [float(v) for v in r.interceptors_used_ci[i]],
                    "pk_range": [float(r.pk_low[i]), float(r.pk_high[i])],
                }
                for i, b in enumerate(analysis.batteries)
            ],
        }
        if as_json:
            sys.stdout.write(json.dumps(record) + "\n")
            return
        low, high = r.expected_leakers_ci
        p_low, p_high = r.p_no_leaker_ci
        stdout.print(
            f"[bold]{record['scenario']}[/]: raid of {size}, {r.trials:,} trials, seed {r.seed}, "
            f"{r.doctrine}"
        )
        stdout.print(
            f"expected leakers {r.expected_leakers:.2f} (95% {low:.2f}-{high:.2f}); "
            f"no leaker {r.p_no_leaker:.1%} (95% {p_low:.1%}-{p_high:.1%})"
        )
        table = titled_table(
            "interceptors used", ("site", "interceptor", "inventory", "mean used", "95% interval")
        )
        for i, battery in enumerate(analysis.batteries):
            ci_low, ci_high = r.interceptors_used_ci[i]
            table.add_row(
                battery.site,
                battery.interceptor,
                str(battery.count),
                f"{r.interceptors_used_mean[i]:.2f}",
                f"{ci_low:.2f}-{ci_high:.2f}",
            )
        stdout.print(table)


@app.command()
def share(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML).")],
    seed: Annotated[
        int, typer.Option(help="Seed for sampled Shapley values (over 20 parties).")
    ] = 0,
    as_json: AsJson = False,
) -> None:
    """Who contributes what: Shapley values, benefits and cost shares of the parties."""
    from securityroof.analysis.engagement import run_engagements
    from securityroof.analysis.sharing import analyse_sharing

    with user_errors():
        result = analyse_sharing(run_engagements(load_scenario(scenario)), seed=seed)
        c = result.cooperation
        shares = c.cost_shares
        assert shares is not None
        rows = [
            {
                "party": party,
                "shapley": float(c.shapley[i]),
                "standard_error": float(c.standard_error[i]),
                "benefit_alone": float(c.benefit_alone[i]),
                "benefit_joint": float(c.benefit_grand[i]),
                "gain_from_joint_roof": float(c.benefit_gain[i]),
                "cost_share_by_shapley": float(shares.by_shapley[i]),
                "cost_share_by_benefit": float(shares.by_benefit[i]),
            }
            for i, party in enumerate(result.parties)
        ]
        record = {
            "scenario": result.scenario.name,
            "sha256": result.scenario.digest,
            "value_basis": result.value_basis,
            "method": c.method,
            "seed": c.seed,
            "grand_value": c.grand_value,
            "target_values": result.target_values,
            "parties": rows,
        }
        if as_json:
            sys.stdout.write(json.dumps(record) + "\n")
            return
        unit = "people" if result.value_basis == "population" else "targets"
        stdout.print(
            f"[bold]{result.scenario.name}[/]: joint roof defends {c.grand_value:,.0f} {unit} "
            f"({c.method} Shapley values)"
        )
        table = titled_table(
            "contributions and fair shares",
            (
                "party",
                f"Shapley ({unit})",
                f"alone ({unit})",
                f"joint ({unit})",
                "share by Shapley",
                "share by benefit",
            ),
        )
        for i, party in enumerate(result.parties):
            table.add_row(
                party,
                f"{c.shapley[i]:,.0f}",
                f"{c.benefit_alone[i]:,.0f}",
                f"{c.benefit_grand[i]:,.0f}",
                f"{shares.by_shapley[i]:.1%}",
                f"{shares.by_benefit[i]:.1%}",
            )
        stdout.print(table)


@app.command()
def footprint(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML).")],
    resolution_deg: Annotated[float, typer.Option(help="Grid resolution (degrees).")] = 1.0,
    region: Annotated[
        str | None,
        typer.Option(
            help="LAT_MIN,LAT_MAX,LON_MIN,LON_MAX in degrees (default: Europe and European Russia)."
        ),
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option(help="Comma-separated catalog architectures to compare on the same threats."),
    ] = None,
    geojson: Annotated[
        Path | None, typer.Option(help="Write the threatened cells and cities as GeoJSON.")
    ] = None,
    map_png: Annotated[
        Path | None,
        typer.Option("--map", help="Draw the footprint on the offline base map (PNG)."),
    ] = None,
    cueing_study: Annotated[
        bool,
        typer.Option(
            "--cueing-study",
            help="Compare cueing across the NATO/Russia line (what each side's sensors add).",
        ),
    ] = False,
    cluster: Cluster = None,
    as_json: AsJson = False,
) -> None:
    """Defended footprint: which aim points the architecture defends, against what."""
    from securityroof.analysis.footprint import DEFAULT_REGION, analyse_footprint, cueing_variants
    from securityroof.report.footprint_export import (
        footprint_cells,
        footprint_summary,
        write_geojson,
    )
    from securityroof.report.maps import footprint_map

    with user_errors():
        box: tuple[float, ...] = DEFAULT_REGION
        if region is not None:
            try:
                values = tuple(float(v) for v in region.split(","))
            except ValueError:
                values = ()
            if len(values) != 4:
                raise RoofError(
                    f"{region!r} is not LAT_MIN,LAT_MAX,LON_MIN,LON_MAX.", where="--region"
                )
            box = values
        base = load_scenario(scenario)
        variants = [base]
        labels = [_architecture_of(base)]
        if compare:
            for architecture in compare.split(","):
                variant = with_architecture(base, architecture.strip())
                variants.append(variant)
                labels.append(_architecture_of(variant))
        if cueing_study:
            for label, variant in cueing_variants(base):
                variants.append(variant)
                labels.append(f"{_architecture_of(base)}: {label}")
        results = [
            analyse_footprint(
                v,
                resolution_deg=resolution_deg,
                region=box,  # type: ignore[arg-type]
                cluster=cluster,
            )
            for v in variants
        ]
        if geojson is not None:
            write_geojson(results[0], geojson)
        if map_png is not None:
            footprint_map(results[0], map_png)
        summaries = []
        for label, result in zip(labels, results, strict=True):
            summary = footprint_summary(result)
            summary["architecture"] = label
            summaries.append(summary)
        record = {**summaries[0], "cells_detail": footprint_cells(results[0])}
        if compare or cueing_study:
            record["comparison"] = summaries
        if as_json:
            sys.stdout.write(json.dumps(record) + "\n")
            return
        table = titled_table(
            f"defended footprint: {base.name}",
            (
                "architecture",
                "cells threatened",
                "cells defended",
                "population threatened",
                "population defended",
            ),
        )
        for summary in summaries:
            table.add_row(
                str(summary["architecture"]),
                f"{summary['cells_threatened']:,}",
                f"{summary['cells_defended']:,}",
                f"{summary['population_threatened']:,.0f}",
                f"{summary['population_defended']:,.0f}",
            )
        stdout.print(table)
        if geojson is not None:
            stdout.print(f"GeoJSON written to {geojson}")
        if map_png is not None:
            stdout.print(f"map written to {map_png}")


def _architecture_of(scenario: Scenario) -> str:
    return scenario.architecture or "(scenario sites)"


@app.command()
def validate(
    finding: Annotated[
        list[str] | None,
        typer.Option("--finding", help="Only this finding (repeatable); default all."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Published findings the project reproduces: finding, source, result, agrees.

    Exits 0 when every finding is reproduced, 1 when one is not.
    """
    from securityroof.analysis.validation import FINDINGS, validate

    with user_errors():
        known = [f.key for f in FINDINGS]
        for key in finding or []:
            if key not in known:
                raise RoofError(
                    f"unknown finding {key!r}.",
                    where="--finding",
                    fix=f"Use one of: {', '.join(known)}.",
                )
        results = validate(finding or None)
        records = [
            {
                "finding": r.key,
                "claim": r.finding,
                "source": r.source,
                "test": r.test,
                "result": r.result,
                "agrees": r.agrees,
            }
            for r in results
        ]
        if as_json:
            sys.stdout.write(json.dumps(records) + "\n")
        else:
            table = titled_table(
                "published findings, reproduced",
                ("finding", "source", "what the project computes", "agrees"),
            )
            for r in results:
                table.add_row(r.finding, r.source, r.result, "yes" if r.agrees else "NO")
            stdout.print(table)
    if not all(r.agrees for r in results):
        raise typer.Exit(1)

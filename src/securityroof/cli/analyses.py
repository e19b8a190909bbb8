"""`roof stability`, `roof share`, `roof raid` and `roof footprint`: the analyses."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from securityroof.cli._app import AsJson, Cluster, app, stdout, titled_table, user_errors
from securityroof.errors import RoofError
from securityroof.records.raid import raid_record
from securityroof.records.shares import shares_record
from securityroof.records.stability import stability_record
from securityroof.report.believe import believe_table

if TYPE_CHECKING:
    from securityroof.model.scenario import Scenario

# Each command imports its analysis (numba kernels, matplotlib, Dask) and the
# scenario models itself:
# `roof` then starts without loading what the command at hand does not need
# (the record modules load no analysis).

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
    from securityroof.model.scenario import load_scenario

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
    found = believe_table(
        record["track_assumptions"],
        record["engageable_with_tracks_shared"],
        record["strategic_threats"],
    )
    believe = titled_table(found.title, found.columns)
    for row in found.rows:
        believe.add_row(*row)
    stdout.print(believe)
    stdout.print(found.footnote)
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
    from securityroof.model.scenario import load_scenario

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
        record = raid_record(analysis)
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
    from securityroof.model.scenario import load_scenario

    with user_errors():
        result = analyse_sharing(run_engagements(load_scenario(scenario)), seed=seed)
        c = result.cooperation
        shares = c.cost_shares
        assert shares is not None
        record = shares_record(result)
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
                f"Shapley value ({unit})",
                f"own {unit} defended by own assets ({unit})",
                f"own {unit} defended by the joint roof ({unit})",
                "cost share by Shapley value",
                "cost share by benefit",
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
        stdout.print(
            f"Shapley value: what the party's sites add to the {unit} defended by the whole "
            f"roof (every party's {unit}), averaged over the orders in which the parties "
            f"could join; the values add up to the {c.grand_value:,.0f} defended. The two "
            f"'own {unit}' columns count only the party's own {unit}: defended with its own "
            "sites alone, and by the joint roof. Cost share by benefit: in proportion to "
            f"the party's own {unit} defended by the joint roof.",
            soft_wrap=False,
        )


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
    from securityroof.model.scenario import load_scenario
    from securityroof.records.footprint import footprint_cells, footprint_summary
    from securityroof.report.footprint_export import write_geojson
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
            from securityroof.analysis.assess import label_of

            for architecture in compare.split(","):
                variant = base.with_architecture(architecture.strip())
                variants.append(variant)
                # The scenario's own sites come along, and the label says so.
                labels.append(label_of(variant, architecture.strip()))
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

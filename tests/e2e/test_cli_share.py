"""`roof share` as a user runs it, on the joint NATO-Russia roof."""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_cli_fly import ROOT, roof


def test_share_of_the_joint_roof():
    result = roof("share", str(ROOT / "examples/joint-nato-russia.toml"), "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["value_basis"] == "population"  # every aim point matched a GeoNames city
    assert record["method"] == "exact"
    parties = {row["party"]: row for row in record["parties"]}
    assert {"usa", "russia"} <= set(parties)
    # Efficiency: Shapley values add up to what the whole roof defends.
    total = sum(row["shapley"] for row in parties.values())
    assert total == pytest.approx(record["grand_value"], rel=1e-9)
    for key in ("cost_share_by_shapley", "cost_share_by_benefit"):
        assert sum(row[key] for row in parties.values()) == pytest.approx(1.0, abs=1e-12)
    for row in parties.values():
        assert row["benefit_alone"] <= row["benefit_joint"] + 1e-6
        assert row["gain_from_joint_roof"] == pytest.approx(
            row["benefit_joint"] - row["benefit_alone"]
        )
    # Russian cities are defended only through the joint roof in this scenario.
    assert parties["russia"]["gain_from_joint_roof"] > 0


def test_share_table_names_what_each_column_counts_at_80_columns(tmp_path):
    from tests.e2e.test_cli_fly import roof_in_process

    one_threat = tmp_path / "one-threat.toml"  # one trajectory: the table is the point
    one_threat.write_text(
        '[scenario]\nname = "one threat"\narchitecture = "epaa-phase-1"\n\n'
        '[[threats]]\nmissile = "shahab-3"\nfrom = "tabriz"\nto = ["ankara"]\n'
    )
    result = roof_in_process("share", str(one_threat))
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout  # wrapped, not cut short
    assert max(len(line) for line in result.stdout.splitlines() if "│" in line) <= 80
    words = " ".join(result.stdout.split())
    assert "alone (people)" not in words and "joint (people)" not in words
    assert "Shapley value: what the party's sites add" in words
    assert "Cost share by benefit: in proportion to the party's own people" in words

"""The 1997 demarcation agreements applied to interceptor declarations.

Source: the First and Second Agreed Statements of 26 September 1997 (ABM
Treaty demarcation, as summarised in the catalog's `demarcation1997`
source): 3.0 km/s interceptor speed; test targets at most 5.0 km/s and
3,500 km range; declarations for plans above 5.5 km/s (land, air) or
4.5 km/s (sea).
"""

from __future__ import annotations

import pytest

from securityroof.analysis.stability import demarcation
from securityroof.model.catalog import load_catalog

BASE = load_catalog().interceptors["sm-3-block-ia"]


def _variant(**values):
    data = BASE.model_dump()
    for key, value in values.items():
        data[key] = None if value is None else {"nominal": value, "source": "test"}
    return type(BASE).model_validate(data)


@pytest.mark.parametrize(
    ("speed", "statement"), [(2_900.0, "first"), (3_000.0, "first"), (3_001.0, "second")]
)
def test_the_3_km_s_line_separates_the_statements(speed, statement):
    result = demarcation("x", _variant(demonstrated_speed_m_s=speed))
    assert result.agreed_statement == statement
    assert result.speed_is_demonstrated


@pytest.mark.parametrize(
    ("target_speed", "target_range", "verdict"),
    [
        (4_999.0, 3_400.0, "within limits"),
        (5_001.0, 3_400.0, "exceeds limits"),
        (4_000.0, 3_600.0, "exceeds limits"),
        (None, None, "not known"),
    ],
)
def test_test_targets_against_5_km_s_and_3500_km(target_speed, target_range, verdict):
    result = demarcation(
        "x", _variant(test_target_max_speed_m_s=target_speed, test_target_max_range_km=target_range)
    )
    assert result.test_targets == verdict


def test_sea_based_plans_above_4_5_km_s_must_be_declared():
    sea = demarcation("x", _variant(demonstrated_speed_m_s=4_600.0))
    assert BASE.basing == "sea" and sea.must_declare_plans
    slow = demarcation("x", _variant(demonstrated_speed_m_s=4_400.0))
    assert not slow.must_declare_plans

"""One record per result: the nested record --json prints and the flat row the
tables hold come from the same place, by one flatten rule."""

from __future__ import annotations

import pytest

from securityroof.analysis.engagement import EngagementRecord
from securityroof.records.engagement import ENGAGEMENT_COLUMNS, engagement_record
from securityroof.records.fields import flatten

KM = 1e3


def _record(**changes):
    fields = {
        "threat": "t",
        "site": "s",
        "interceptor": "i",
        "engageable": True,
        "first_intercept_s": 400.0,
        "last_intercept_s": 550.0,
        "intercept_altitude_m": (73_000.0, 242_000.0),
        "intercept_ground_range_m": 891_000.0,
        "closing_speed_m_s": 5600.0,
        "engagement_angle_deg": 51.0,
        "shots": 1,
        "reason": "",
        "launch_track_s": 110.0,
        "track_source": "kurecik",
        "guidance_track_s": 110.0,
        "guidance_source": "kurecik",
        "launch_margin_s": 171.0,
    }
    return EngagementRecord(**(fields | changes))


def test_flatten_joins_nested_keys_and_keeps_lists():
    nested = {"a_km": 1.0, "burnout": {"speed_m_s": 2.0, "at": {"time_s": 3.0}}, "sites": ["x"]}
    assert flatten(nested) == {
        "a_km": 1.0,
        "burnout_speed_m_s": 2.0,
        "burnout_at_time_s": 3.0,
        "sites": ["x"],
    }


@pytest.mark.parametrize(
    "record",
    [
        _record(),
        _record(
            engageable=False,
            first_intercept_s=None,
            last_intercept_s=None,
            intercept_altitude_m=None,
            intercept_ground_range_m=None,
            shots=0,
            reason="out of range",
        ),
    ],
    ids=["engageable", "not-engageable"],
)
def test_the_engagement_row_is_the_flattened_record(record):
    nested = engagement_record(record)
    row = flatten(nested)
    # Every record has every column, in the table's order, whatever its values.
    assert tuple(row) == ENGAGEMENT_COLUMNS
    low, high = record.intercept_altitude_m or (None, None)
    assert nested["intercept_altitude"] == {
        "min_km": None if low is None else low / KM,
        "max_km": None if high is None else high / KM,
    }
    assert row["intercept_altitude_min_km"] == nested["intercept_altitude"]["min_km"]
    assert row["intercept_ground_range_km"] == (
        None if record.intercept_ground_range_m is None else record.intercept_ground_range_m / KM
    )

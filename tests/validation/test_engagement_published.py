"""Published qualitative results on the EPAA and Russian ICBMs, reproduced.

- Sankaran, "The United States' European Phased Adaptive Approach Missile
  Defense System", Arms Control Today (2013), and the 2012 NRC study: the
  SM-3 Block IA/IB of EPAA phases 1-2 are too slow to engage Russian ICBMs
  flying to the United States; Block IIA from Poland is the case the later
  debate was about (Lewis, 2016). See references/defence_catalog.md.

We check it kinematically, granting every site a fire-control track at the
threat's launch (the most generous sensor assumption), and with the sensor
model as catalogued.
"""

from __future__ import annotations

import numpy as np

from securityroof.analysis.engagement import run_engagements
from securityroof.model.scenario import load_scenario

THREATS = """
[[threats]]
missile = "topol-m"
from = "kozelsk"
to = ["washington", "new-york"]

[[threats]]
missile = "generic-icbm"
from = "teykovo"
to = ["chicago", "washington"]

[[threats]]
missile = "generic-icbm"
from = "vypolzovo"
to = ["washington"]
"""


def _run(tmp_path, architecture, assumptions=""):
    scenario = tmp_path / f"{architecture}.toml"
    scenario.write_text(
        f'[scenario]\nname = "{architecture} vs ICBMs"\narchitecture = "{architecture}"\n'
        f"[assumptions]\n{assumptions}\n{THREATS}"
    )
    return run_engagements(load_scenario(scenario))


def test_sm3_block_i_cannot_engage_russian_icbms_even_with_perfect_tracks(tmp_path):
    for architecture in ("epaa-phase-1", "epaa-phase-2", "epaa-phase-3"):
        result = _run(tmp_path, architecture, "fire_control_at_s = 0.0")
        for record in result.records:
            if record.interceptor in ("sm-3-block-ia", "sm-3-block-ib"):
                assert not record.engageable, record
                assert record.reason in ("out of range", "cannot catch", "too late")


def test_with_catalogued_sensors_no_epaa_site_engages_them(tmp_path):
    result = _run(tmp_path, "epaa-phase-3")
    assert not np.any(result.windows.engageable)

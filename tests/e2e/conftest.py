"""Shared end-to-end fixtures."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def small_report(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """One `roof assess` of the small scenario, shared by the tests that only
    read its report (an assessment takes half a minute)."""
    from tests.e2e.test_cli_assess import _assess

    result, out = _assess(tmp_path_factory.mktemp("small-report"))
    assert result.returncode == 0, result.stderr
    return result, out

"""Write the scenario file's JSON Schema for editors: ``docs/scenario.schema.json``.

The schema is built from the models that validate a scenario
(`securityroof.model.scenario_schema`); run this after changing them. The
test ``tests/docs/test_scenario_schema.py`` fails while the file is stale.

Usage::

    python tools/scenario_schema.py           # write docs/scenario.schema.json
    python tools/scenario_schema.py --check   # exit 1 if it is out of date

Editors that read JSON Schema for TOML (e.g. Taplo, "Even Better TOML") use
it with ``#:schema ./docs/scenario.schema.json`` as a scenario's first line,
or an association of ``*.toml`` files in the editor's settings.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from securityroof.model.scenario_schema import scenario_json_schema

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "docs" / "scenario.schema.json"


def schema_text() -> str:
    """The schema file's text: indented, keys in the models' order, one final newline."""
    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    text = schema_text()
    if "--check" in argv:
        current = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
        if current != text:
            print(f"{SCHEMA_PATH} is out of date: run python tools/scenario_schema.py")
            return 1
        return 0
    SCHEMA_PATH.parent.mkdir(exist_ok=True)
    SCHEMA_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

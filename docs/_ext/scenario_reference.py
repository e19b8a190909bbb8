"""Sphinx extension: the scenario reference, generated from the scenario's JSON Schema.

At every build (``builder-inited``) it renders `scenario_json_schema()` (the
schema the models that validate a scenario give, also written to
``docs/scenario.schema.json`` for editors) as one MyST page section per TOML
table, each key with its type, bounds, default and description, into
``docs/_generated/scenario-keys.md``, which ``scenario-reference.md``
includes. Nothing in it is written by hand: a key added to the models appears
here at the next build.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from securityroof.model.scenario_schema import scenario_json_schema

GENERATED = Path("_generated") / "scenario-keys.md"


@dataclass
class Table:
    """One TOML table of a scenario: its header, what it is, and its keys."""

    header: str
    description: str
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)


class _Walker:
    def __init__(self, schema: dict[str, Any]) -> None:
        self.defs: dict[str, Any] = schema["$defs"]
        self.tables: list[Table] = []

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        """A schema with its `$ref` followed; the referring node's own keys win."""
        if "$ref" not in node:
            return node
        target = self.resolve(self.defs[node["$ref"].rsplit("/", 1)[-1]])
        return {**target, **{k: v for k, v in node.items() if k != "$ref"}}

    def table(self, header: str, node: dict[str, Any]) -> None:
        node = self.resolve(node)
        table = Table(header, _text(node.get("description", "")))
        self.tables.append(table)
        required = set(node.get("required", []))
        children: list[tuple[str, dict[str, Any]]] = []
        for key, prop in node.get("properties", {}).items():
            prop_resolved = self.resolve(prop)
            kind, child = self.describe(prop_resolved)
            default = _default(prop_resolved, key in required)
            table.rows.append((f"`{key}`", kind, default, _text(prop.get("description", ""))))
            if child is not None:
                children.append((self.child_header(header, key, prop_resolved), child))
        for child_header, child in children:
            self.table(child_header, child)

    def child_header(self, header: str, key: str, prop: dict[str, Any]) -> str:
        path = header.strip("[]")
        name = f"{path}.{key}" if path else key
        if prop.get("type") == "array":
            return f"[[{name}]]"
        if isinstance(prop.get("additionalProperties"), dict):
            return f"[{name}.ID]"
        return f"[{name}]"

    def describe(self, prop: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
        """The key's type in words, and the schema of a sub-table it opens, if any."""
        if "anyOf" in prop:
            words, child = [], None
            for branch in prop["anyOf"]:
                if branch.get("$ref") == "#/$defs/Quantity":
                    words.append("a quantity table (below)")
                    continue
                resolved = self.resolve(branch)
                kind, branch_child = self.describe(resolved)
                words.append(kind)
                child = child or branch_child
            return " or ".join(words), child
        kind = prop.get("type")
        if "enum" in prop:
            return "one of " + ", ".join(f"`{json.dumps(v)}`" for v in prop["enum"]), None
        if kind == "object" and isinstance(prop.get("additionalProperties"), dict):
            return "tables by id (below)", self.resolve(prop["additionalProperties"])
        if kind == "object":
            return "table (below)", prop
        if kind == "array":
            items = prop.get("items", {})
            count = _count(prop, "entries")
            if "prefixItems" in prop:
                return _pair(prop), None
            resolved_items = self.resolve(items)
            if resolved_items.get("type") == "object":
                return f"array of tables (below){count}", resolved_items
            item_kind, _ = self.describe(resolved_items)
            return f"array of {item_kind}{count}", None
        return _bounded(str(kind), prop), None


def _pair(prop: dict[str, Any]) -> str:
    return "[lat, lon] in degrees" if len(prop["prefixItems"]) == 2 else "array"


def _count(prop: dict[str, Any], what: str) -> str:
    least, most = prop.get("minItems"), prop.get("maxItems")
    if least is not None and most is not None:
        return f", {least} to {most:,} {what}"
    if least is not None:
        return f", at least {least}"
    return ""


def _bounded(kind: str, prop: dict[str, Any]) -> str:
    low = prop.get("minimum", prop.get("exclusiveMinimum"))
    high = prop.get("maximum", prop.get("exclusiveMaximum"))
    if low is None and high is None:
        return kind
    low_word = ("above " if "exclusiveMinimum" in prop else "") + (
        _number(low) if low is not None else "any"
    )
    high_word = _number(high) if high is not None else "any"
    return f"{kind}, {low_word} to {high_word}"


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


def _default(prop: dict[str, Any], required: bool) -> str:
    if required:
        return "required"
    if "default" not in prop or prop["default"] in ([], ""):
        return ""
    return f"`{json.dumps(prop['default'])}`"


def _text(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render(schema: dict[str, Any]) -> str:
    """The reference as MyST Markdown: one section per TOML table."""
    walker = _Walker(schema)
    walker.table("", schema)
    _root, *tables = walker.tables
    quantity = _Walker(schema)
    quantity.table("quantity table", schema["$defs"]["Quantity"])
    lines = [
        "<!-- Generated by docs/_ext/scenario_reference.py from the scenario models; "
        "do not edit. -->",
        "",
    ]
    for table in [*tables, *quantity.tables]:
        title = table.header if table.header.startswith("[") else table.header.capitalize()
        lines += [f"### `{title}`" if title.startswith("[") else f"### {title}", ""]
        if table.description:
            lines += [table.description, ""]
        lines += ["| Key | Type | Default | Description |", "| --- | --- | --- | --- |"]
        lines += [f"| {' | '.join(row)} |" for row in table.rows]
        lines.append("")
    return "\n".join(lines)


def _generate(app: Sphinx) -> None:
    target = Path(app.srcdir) / GENERATED
    text = render(scenario_json_schema())
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.parent.mkdir(exist_ok=True)
        target.write_text(text, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the generation step with Sphinx."""
    app.connect("builder-inited", _generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

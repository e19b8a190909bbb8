"""Loading the open catalog: TOML files whose every number names its source.

The built-in catalog lives in `securityroof/catalog`; the environment variable
SECURITYROOF_CATALOG may name another directory holding files of the same
names (to try changed values without editing the installed package).
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from securityroof.errors import RoofError
from securityroof.model.missile import DragTable, Missile
from securityroof.model.quantity import Quantity

CATALOG_ENV = "SECURITYROOF_CATALOG"


class MissileCatalogFile(BaseModel):
    """Schema of missiles.toml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: dict[str, str]
    drag_tables: dict[str, DragTable]
    missiles: dict[str, Missile]

    @model_validator(mode="after")
    def _references_resolve(self) -> MissileCatalogFile:
        for table_id, table in self.drag_tables.items():
            _check_source(self.sources, table.source, f"drag_tables.{table_id}.source")
        for missile_id, missile in self.missiles.items():
            for path, quantity in missile.quantities().items():
                _check_source(self.sources, quantity.source, f"missiles.{missile_id}.{path}.source")
            for i, stage in enumerate(missile.stages):
                if stage.drag_table not in self.drag_tables:
                    raise ValueError(
                        f"missiles.{missile_id}.stages[{i}].drag_table: unknown drag table "
                        f"{stage.drag_table!r}{_suggest(stage.drag_table, self.drag_tables)}"
                    )
        return self


def _check_source(sources: dict[str, str], key: str, where: str) -> None:
    if key not in sources:
        raise ValueError(f"{where}: source {key!r} is not in [sources]{_suggest(key, sources)}")


def _suggest(name: str, known: Any) -> str:
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
    return f"; did you mean {', '.join(close)}?" if close else ""


def unknown_name_error(kind: str, name: str, known: Any, where: str | None = None) -> RoofError:
    """The error for a name that is not in the catalog, with the nearest names."""
    names = sorted(known)
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.4)
    hint = f"Did you mean {', '.join(close)}?" if close else f"Known: {', '.join(names)}."
    return RoofError(f"unknown {kind} {name!r}.", where=where, fix=hint)


def catalog_path(filename: str) -> Path:
    """Where a catalog file is read from (the override directory, or the package)."""
    override = os.environ.get(CATALOG_ENV)
    if override:
        return Path(override) / filename
    return Path(str(resources.files("securityroof.catalog").joinpath(filename)))


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; a syntax error names the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RoofError(
            "file not found.", where=str(path), fix="Check the path (and SECURITYROOF_CATALOG)."
        ) from None
    except OSError as exc:
        raise RoofError(f"cannot read the file ({exc.strerror}).", where=str(path)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RoofError(f"malformed TOML: {exc}.", where=str(path), fix="Fix the syntax.") from None


def validation_error(path: Path, exc: ValidationError) -> RoofError:
    """One readable message for a schema violation: file, key path, problem."""
    problems = []
    for error in exc.errors()[:3]:
        keys = ".".join(
            f"[{part}]" if isinstance(part, int) else str(part) for part in error["loc"]
        ).replace(".[", "[")
        message = error["msg"].removeprefix("Value error, ")
        problems.append(f"{keys}: {message}" if keys else message)
    more = len(exc.errors()) - len(problems)
    if more > 0:
        problems.append(f"and {more} more")
    return RoofError("; ".join(problems) + ".", where=str(path))


@dataclass(frozen=True)
class MissileCatalog:
    """The missiles of the catalog with their sources and drag tables."""

    path: Path
    sources: dict[str, str]
    drag_tables: dict[str, DragTable]
    missiles: dict[str, Missile]

    def missile(self, missile_id: str, where: str | None = None) -> Missile:
        """The entry with this id, or an error naming the nearest ids."""
        try:
            return self.missiles[missile_id]
        except KeyError:
            raise unknown_name_error("missile", missile_id, self.missiles, where) from None

    def citation(self, quantity: Quantity) -> str:
        return self.sources[quantity.source]


@cache
def _load_missiles(path: Path) -> MissileCatalog:
    raw = read_toml(path)
    try:
        parsed = MissileCatalogFile.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(path, exc) from None
    return MissileCatalog(path, parsed.sources, parsed.drag_tables, parsed.missiles)


def load_missiles() -> MissileCatalog:
    """The missile catalog (read once per process and path)."""
    return _load_missiles(catalog_path("missiles.toml"))

"""Loading the open catalog: TOML files whose every number names its source.

The built-in catalog lives in `securityroof/catalog`; the environment variable
SECURITYROOF_CATALOG may name another directory holding files of the same
names (to try changed values without editing the installed package).
"""

from __future__ import annotations

import difflib
import os
import stat
import tomllib
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from securityroof.core.signatures import OBJECTS
from securityroof.errors import RoofError
from securityroof.model.defence import (
    Architecture,
    Interceptor,
    LaunchArea,
    Party,
    SensorType,
    Site,
    TargetArea,
)
from securityroof.model.missile import DragTable, Missile
from securityroof.model.quantity import Quantity
from securityroof.model.signature import MissileSignature, SignatureClass

CATALOG_ENV = "SECURITYROOF_CATALOG"
_T = TypeVar("_T", bound=BaseModel)


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


def unknown_name_error(
    kind: str, name: str, known: Any, where: str | None = None, *, parameter: str | None = None
) -> RoofError:
    """The error for a name that is not in the catalog, with the nearest names."""
    names = sorted(known)
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.4)
    hint = f"Did you mean {', '.join(close)}?" if close else f"Known: {', '.join(names)}."
    return RoofError(f"unknown {kind} {name!r}.", where=where, fix=hint, parameter=parameter)


def catalog_path(filename: str) -> Path:
    """Where a catalog file is read from (the override directory, or the package)."""
    override = os.environ.get(CATALOG_ENV)
    if override:
        return Path(override) / filename
    return Path(str(resources.files("securityroof.catalog").joinpath(filename)))


# The largest TOML file read (catalog or scenario): far above any real one
# (the biggest catalog file is about 60 kB), small enough to read at once.
MAX_TOML_BYTES = 1_000_000
# The deepest nesting of tables and arrays accepted (a scenario needs about 6).
MAX_TOML_DEPTH = 32


def read_file_bytes(path: Path, max_bytes: int = MAX_TOML_BYTES) -> bytes:
    """The bytes of a regular file of at most `max_bytes`.

    A FIFO, device, socket or directory is refused from its metadata alone,
    before it is opened, and the size is checked before reading, so neither
    `/dev/zero` nor a pipe with no writer can hang or fill the memory.
    """
    where = str(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise RoofError(
            "file not found.", where=where, fix="Check the path (and SECURITYROOF_CATALOG)."
        ) from None
    except OSError as exc:
        raise RoofError(f"cannot read the file ({exc.strerror}).", where=where) from None
    _check_regular(info, path, max_bytes)
    try:
        # Non-blocking: should a pipe replace the file after the check, the
        # open still returns at once and the second check refuses it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise RoofError(f"cannot read the file ({exc.strerror}).", where=where) from None
    with os.fdopen(fd, "rb") as stream:
        try:
            _check_regular(os.fstat(stream.fileno()), path, max_bytes)
            data = stream.read(max_bytes + 1)
        except OSError as exc:
            raise RoofError(f"cannot read the file ({exc.strerror}).", where=where) from None
    if len(data) > max_bytes:
        raise _too_big(path, len(data), max_bytes)
    return data


def _check_regular(info: os.stat_result, path: Path, max_bytes: int) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise RoofError("is a folder, not a file.", where=str(path), fix="Name a TOML file.")
    if not stat.S_ISREG(info.st_mode):
        raise RoofError(
            "is not a regular file (a pipe, device or socket); it was not read.",
            where=str(path),
            fix="Name a TOML file on disk.",
        )
    if info.st_size > max_bytes:
        raise _too_big(path, info.st_size, max_bytes)


def _too_big(path: Path, size: int, max_bytes: int) -> RoofError:
    return RoofError(
        f"the file is too large to be a scenario or catalog file ({size:,} bytes or more; "
        f"the limit is {max_bytes:,}).",
        where=str(path),
        fix="Check that this is the right file.",
    )


def decode_utf8(data: bytes, where: str) -> str:
    """UTF-8 text, or an error naming the first bad byte (UTF-16 is named as such)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise RoofError(
            "the file is UTF-16 text, or holds NUL bytes; TOML files must be UTF-8.",
            where=where,
            fix="Save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8).",
        )
    try:
        return data.decode("utf-8").removeprefix("\ufeff")  # a UTF-8 byte-order mark is harmless
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RoofError(
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}).",
            where=where,
            fix="Save it as UTF-8.",
        ) from None


def parse_toml(text: str, where: str) -> dict[str, Any]:
    """Parse TOML text; a syntax error, an over-long number or too deep nesting
    names the file (and the line, where the parser gives one)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RoofError(f"malformed TOML: {exc}.", where=where, fix="Fix the syntax.") from None
    except RecursionError:
        raise _too_deep(where) from None
    except ValueError as exc:
        # An integer of thousands of digits (Python's conversion limit).
        raise RoofError(
            f"malformed TOML: a number is far too long ({str(exc).split(':')[0]}).",
            where=where,
            fix="Write numbers with at most a few dozen digits.",
        ) from None
    if _depth(data) > MAX_TOML_DEPTH:
        raise _too_deep(where)
    return data


def _too_deep(where: str) -> RoofError:
    return RoofError(
        f"tables or arrays are nested too deeply (the limit is {MAX_TOML_DEPTH} levels).",
        where=where,
        fix="Check the brackets.",
    )


def _depth(value: Any) -> int:
    """How deeply tables and arrays nest (without recursion)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_TOML_DEPTH:
            break
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def read_toml(path: Path) -> dict[str, Any]:
    """Read and parse a TOML file (a regular, UTF-8 file of at most
    `MAX_TOML_BYTES`); every problem is a RoofError naming the file."""
    return parse_toml(decode_utf8(read_file_bytes(path), str(path)), str(path))


def _unwrap(annotation: Any) -> Any:
    # X | None -> X
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) not in (list, tuple, dict) and len(args) == 1:
        return args[0]
    return annotation


def _annotation_at(schema: type[BaseModel], loc: tuple[Any, ...]) -> Any:
    """The type that the value at `loc` inside `schema` has (None if unknown)."""
    current: Any = schema
    for part in loc:
        current = _unwrap(current)
        origin, args = typing.get_origin(current), typing.get_args(current)
        if origin in (list, tuple) and args:
            current = args[0]
        elif origin is dict and args:
            current = args[-1]
        elif isinstance(current, type) and issubclass(current, BaseModel):
            fields = current.model_fields
            name = next((n for n, f in fields.items() if part in (n, f.alias)), None)
            if name is None:
                return None
            current = fields[name].annotation
        else:
            return None
    return _unwrap(current)


def _field_names_at(schema: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys that the table at `loc` inside `schema` accepts (for suggestions)."""
    current = _annotation_at(schema, loc)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return []


def _range_of(schema: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
    """'the range is 0.1 to 30' for a number field with both bounds (None otherwise)."""
    model = _annotation_at(schema, loc[:-1])
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    field = next((f for n, f in model.model_fields.items() if loc[-1] in (n, f.alias)), None)
    if field is None:
        return None
    low = high = None
    for item in field.metadata:
        low = getattr(item, "ge", getattr(item, "gt", low))
        high = getattr(item, "le", getattr(item, "lt", high))
    if low is not None and high is not None:
        return f"the range is {low:g} to {high:g}"
    return None


_BOUND_ERRORS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})


def validation_error(
    path: Path, exc: ValidationError, schema: type[BaseModel] | None = None
) -> RoofError:
    """One readable message for a schema violation: file, key path, problem.

    With the schema, a misspelt key is answered with the nearest valid keys.
    """
    problems = []
    for error in exc.errors()[:3]:
        keys = ".".join(
            f"[{part}]" if isinstance(part, int) else str(part) for part in error["loc"]
        ).replace(".[", "[")
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden" and schema is not None:
            known = _field_names_at(schema, tuple(error["loc"][:-1]))
            message = f"unknown key{_suggest(str(error['loc'][-1]), known)}"
        elif error["type"] in _BOUND_ERRORS and schema is not None and error["loc"]:
            bounds = _range_of(schema, tuple(error["loc"]))
            if bounds is not None:
                message = f"{message.rstrip('.')} ({bounds})"
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

    def missile(
        self, missile_id: str, where: str | None = None, *, parameter: str | None = None
    ) -> Missile:
        """The entry with this id, or an error naming the nearest ids."""
        try:
            return self.missiles[missile_id]
        except KeyError:
            raise unknown_name_error(
                "missile", missile_id, self.missiles, where, parameter=parameter
            ) from None

    def citation(self, quantity: Quantity) -> str:
        return self.sources[quantity.source]


@cache
def _load_missiles(path: Path) -> MissileCatalog:
    raw = read_toml(path)
    try:
        parsed = MissileCatalogFile.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(path, exc, MissileCatalogFile) from None
    return MissileCatalog(path, parsed.sources, parsed.drag_tables, parsed.missiles)


def load_missiles() -> MissileCatalog:
    """The missile catalog (read once per process and path)."""
    return _load_missiles(catalog_path("missiles.toml"))


def quantities_in(value: object, path: str = "") -> Iterator[tuple[str, Quantity]]:
    """Every Quantity inside a parsed model, with its dotted key path."""
    if isinstance(value, Quantity):
        yield path, value
    elif isinstance(value, BaseModel):
        for name, field in value:
            yield from quantities_in(field, f"{path}.{name}" if path else name)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from quantities_in(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from quantities_in(item, f"{path}[{i}]")


class _SourcedFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: dict[str, str]

    @model_validator(mode="after")
    def _sources_resolve(self) -> _SourcedFile:
        for name, value in self:
            if name == "sources":
                continue
            for path, quantity in quantities_in(value, name):
                _check_source(self.sources, quantity.source, f"{path}.source")
            if name == "architectures":
                for arch_id, arch in value.items():
                    _check_source(self.sources, arch.source, f"architectures.{arch_id}.source")
            if name == "sensor_types":
                for type_id, kind in value.items():
                    where = f"sensor_types.{type_id}.role_source"
                    _check_source(self.sources, kind.role_source, where)
            if name == "interceptors":
                for type_id, kind in value.items():
                    where = f"interceptors.{type_id}.track_rules_source"
                    _check_source(self.sources, kind.track_rules_source, where)
        return self


class InterceptorFile(_SourcedFile):
    interceptors: dict[str, Interceptor]


class SensorFile(_SourcedFile):
    sensor_types: dict[str, SensorType]


class SiteFile(_SourcedFile):
    parties: dict[str, Party]
    sites: dict[str, Site]


class ArchitectureFile(_SourcedFile):
    architectures: dict[str, Architecture]


class ThreatFile(_SourcedFile):
    launch_areas: dict[str, LaunchArea]
    target_areas: dict[str, TargetArea]


class SignatureFile(_SourcedFile):
    classes: dict[str, SignatureClass]
    missiles: dict[str, MissileSignature]


def _parse(filename: str, schema: type[_T]) -> tuple[Path, _T]:
    path = catalog_path(filename)
    try:
        return path, schema.model_validate(read_toml(path))
    except ValidationError as exc:
        raise validation_error(path, exc, schema) from None


@dataclass(frozen=True)
class Catalog:
    """The whole open catalog, cross-checked."""

    missiles: MissileCatalog
    interceptors: dict[str, Interceptor]
    sensor_types: dict[str, SensorType]
    parties: dict[str, Party]
    sites: dict[str, Site]
    architectures: dict[str, Architecture]
    launch_areas: dict[str, LaunchArea]
    target_areas: dict[str, TargetArea]
    signature_classes: dict[str, SignatureClass]
    signatures: dict[str, MissileSignature]  # missile id -> its objects' classes
    sources: dict[str, dict[str, str]]  # file name -> key -> citation
    paths: dict[str, Path]

    def architecture_sites(self, architecture_id: str, where: str | None = None) -> list[str]:
        """Site ids of an architecture, following `extends`."""
        seen: list[str] = []
        current: str | None = architecture_id
        sites: list[str] = []
        while current is not None:
            if current in seen:
                raise RoofError(f"architecture {architecture_id!r} extends itself.", where=where)
            seen.append(current)
            try:
                arch = self.architectures[current]
            except KeyError:
                raise unknown_name_error(
                    "architecture", current, self.architectures, where
                ) from None
            sites = [s for s in arch.sites if s not in sites] + sites
            current = arch.extends
        return sites

    def interceptor_overrides(self, architecture_id: str) -> dict[str, str]:
        """Site -> interceptor type replacements of an architecture and its parents."""
        chain = []
        current: str | None = architecture_id
        while current is not None and current not in chain:
            chain.append(current)
            current = self.architectures[current].extends
        merged: dict[str, str] = {}
        for arch_id in reversed(chain):
            merged.update(self.architectures[arch_id].interceptor_overrides)
        return merged


def _cross_check(catalog: Catalog) -> None:
    """Every name one catalog file uses for another file's entry exists."""

    def need(name: str, known: Mapping[str, object], kind: str, file: str, key: str) -> None:
        if name not in known:
            raise unknown_name_error(kind, name, known, f"{catalog.paths[file]}: {key}")

    for site_id, site in catalog.sites.items():
        key = f"sites.{site_id}"
        need(site.party, catalog.parties, "party", "sites", f"{key}.party")
        if site.host is not None:
            need(site.host, catalog.parties, "party", "sites", f"{key}.host")
        for i, mount in enumerate(site.sensors):
            need(mount.type, catalog.sensor_types, "sensor type", "sites", f"{key}.sensors[{i}]")
        for i, battery in enumerate(site.interceptors):
            need(
                battery.type,
                catalog.interceptors,
                "interceptor",
                "sites",
                f"{key}.interceptors[{i}]",
            )
    for arch_id, arch in catalog.architectures.items():
        key = f"architectures.{arch_id}"
        for site_id in arch.sites:
            need(site_id, catalog.sites, "site", "architectures", f"{key}.sites")
        if arch.extends is not None:
            need(
                arch.extends,
                catalog.architectures,
                "architecture",
                "architectures",
                f"{key}.extends",
            )
        for site_id, interceptor in arch.interceptor_overrides.items():
            where = f"{key}.interceptor_overrides.{site_id}"
            need(site_id, catalog.sites, "site", "architectures", where)
            need(interceptor, catalog.interceptors, "interceptor", "architectures", where)
        catalog.architecture_sites(arch_id, where=str(catalog.paths["architectures"]))
    for party_id, party in catalog.parties.items():
        for i, other in enumerate(party.strategic_adversaries):
            where = f"parties.{party_id}.strategic_adversaries[{i}]"
            need(other, catalog.parties, "party", "sites", where)
    for area_id, area in catalog.launch_areas.items():
        need(area.party, catalog.parties, "party", "threats", f"launch_areas.{area_id}.party")
        for missile_id in area.missiles:
            where = f"launch_areas.{area_id}.missiles"
            need(missile_id, catalog.missiles.missiles, "missile", "threats", where)
    for missile_id in catalog.missiles.missiles:
        need(missile_id, catalog.signatures, "missile signature", "signatures", "missiles")
    for missile_id, signature in catalog.signatures.items():
        key = f"missiles.{missile_id}"
        need(missile_id, catalog.missiles.missiles, "missile", "signatures", key)
        for name, class_id in zip(OBJECTS, signature.classes(), strict=True):
            if class_id is not None:
                where = f"{key}.{name}"
                need(class_id, catalog.signature_classes, "signature class", "signatures", where)


@cache
def _load_catalog(override: str | None) -> Catalog:
    missiles = load_missiles()
    paths: dict[str, Path] = {}
    sources: dict[str, dict[str, str]] = {"missiles": missiles.sources}
    paths["missiles"] = missiles.path
    paths["interceptors"], interceptors = _parse("interceptors.toml", InterceptorFile)
    paths["sensors"], sensors = _parse("sensors.toml", SensorFile)
    paths["sites"], sites = _parse("sites.toml", SiteFile)
    paths["architectures"], architectures = _parse("architectures.toml", ArchitectureFile)
    paths["threats"], threats = _parse("threats.toml", ThreatFile)
    paths["signatures"], signatures = _parse("signatures.toml", SignatureFile)
    for name, parsed in (
        ("interceptors", interceptors),
        ("sensors", sensors),
        ("sites", sites),
        ("architectures", architectures),
        ("threats", threats),
        ("signatures", signatures),
    ):
        sources[name] = parsed.sources
    catalog = Catalog(
        missiles=missiles,
        interceptors=interceptors.interceptors,
        sensor_types=sensors.sensor_types,
        parties=sites.parties,
        sites=sites.sites,
        architectures=architectures.architectures,
        launch_areas=threats.launch_areas,
        target_areas=threats.target_areas,
        signature_classes=signatures.classes,
        signatures=signatures.missiles,
        sources=sources,
        paths=paths,
    )
    _cross_check(catalog)
    return catalog


def load_catalog() -> Catalog:
    """The whole catalog (read once per process and catalog directory)."""
    return _load_catalog(os.environ.get(CATALOG_ENV))

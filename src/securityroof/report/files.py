"""Writing report files and report folders atomically: whole or not at all."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from securityroof.errors import RoofError
from securityroof.records.assessment import REPORT_FORMAT

_UMASK = os.umask(0)
os.umask(_UMASK)


def missing_package(package: str, purpose: str, fix: str | None = None) -> RoofError:
    """The error for a writer whose optional package is not installed."""
    return RoofError(
        f"writing {purpose} needs the Python package {package!r}, which is not installed.",
        fix=fix or f"Install it: pip install {package}",
    )


def existing_folder(folder: Path) -> Path:
    """The folder, or an error if it does not exist."""
    folder = Path(folder)
    if not folder.is_dir():
        raise RoofError("the folder does not exist.", where=str(folder), fix="Create it first.")
    return folder


def _parent(path: Path) -> Path:
    path = Path(path)
    return existing_folder(path.parent if str(path.parent) else Path("."))


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call `write` on a temporary path beside `path`, then move it into place."""
    path = Path(path)
    directory = _parent(path)
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".part")
        os.close(handle)
        write(Path(temporary))
        os.chmod(temporary, 0o666 & ~_UMASK)  # mkstemp makes it private
        os.replace(temporary, path)
        temporary = None
    except OSError as exc:
        raise RoofError(
            f"cannot write the file ({exc.strerror or exc}).", where=str(path)
        ) from None
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def write_text_atomically(path: Path, text: str) -> None:
    """Write UTF-8 text to `path` atomically."""

    def write(temporary: Path) -> None:
        temporary.write_text(text, encoding="utf-8")

    write_atomically(path, write)


# ---------------------------------------------------------------------------
# Report folders: what --out may replace, and how it is replaced.
#
# A report is built in a hidden staging folder beside its target,
# `.NAME.staging-PID-TOKEN`, which holds a marker file from the moment it is
# made. It is swapped in atomically where the system can exchange two names
# (Linux renameat2); elsewhere the old report is first renamed aside to
# `.NAME.old-PID-TOKEN`, the new one renamed in, and the old one put back if
# that fails. Either way the old report is deleted only once the new one is
# in place. A run killed half way leaves such folders behind; the next run to
# the same target removes them (and puts back a report that was set aside
# but never replaced), touching only folders with these names, made by a
# process that is no longer running, that hold a report manifest or the
# staging marker, or are empty.

MANIFEST = "manifest.json"
_STAGING_MARK = ".securityroof-staging"
_MANIFEST_LIMIT = 16 * 1024 * 1024


def is_report_manifest(record: object) -> bool:
    """Whether a parsed manifest.json is that of a report from `roof assess`.

    Manifests written before the `format` field was added are recognised by
    their tool name and their rerun command.
    """
    if not isinstance(record, dict):
        return False
    if "format" in record:
        return record["format"] == REPORT_FORMAT
    return record.get("tool") == "securityroof" and str(record.get("rerun", "")).startswith(
        "roof assess "
    )


def is_report_folder(folder: Path) -> bool:
    """Whether `folder` is a real folder (not a link) holding a report manifest."""
    folder = Path(folder)
    if folder.is_symlink() or not folder.is_dir():
        return False
    manifest = folder / MANIFEST
    try:
        if manifest.is_symlink() or not manifest.is_file():
            return False
        if manifest.stat().st_size > _MANIFEST_LIMIT:
            return False
        record = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return is_report_manifest(record)


def _absolute(path: Path) -> Path:
    """The absolute path with every link resolved (the path need not exist)."""
    return Path(os.path.realpath(path))


def _holders(file: Path) -> set[Path]:
    """The folders that hold a file, where it is and, for a link, where it points."""
    folder = _absolute(file.absolute().parent)
    return {folder, *folder.parents, *_absolute(file).parents}


def check_report_target(out: Path, *, force: bool, scenario: Path | None = None) -> Path:
    """Refuse an --out that must not be written or replaced; the real path to write.

    Refused: a symbolic link; `/`, the home folder, the current folder or one
    above either, a folder holding the scenario file (at any depth, where
    the file is and, for a link, where it points); a file; an
    existing folder without `force`; with `force`, a folder that holds no
    report; a place whose parent folder is missing or not writable. Nothing
    is changed on disk.
    """
    out = Path(out)
    where = str(out)
    if out.is_symlink():
        raise RoofError(
            "the output is a symbolic link; a link is never replaced.",
            where=where,
            fix="Give the folder itself, or another --out.",
        )
    target = _absolute(out)
    if target == target.parent:
        raise RoofError(
            "the output is the root folder.", where=where, fix="Choose a new folder for --out."
        )
    home = _absolute(Path.home())
    if target == home or target in home.parents:
        raise RoofError(
            "the output is your home folder or a folder above it.",
            where=where,
            fix="Choose a new folder for --out.",
        )
    cwd = _absolute(Path.cwd())
    if target == cwd or target in cwd.parents:
        raise RoofError(
            "the output is the current folder or a folder above it.",
            where=where,
            fix="Choose a new folder for --out, e.g. --out report.",
        )
    if scenario is not None and target in _holders(Path(scenario)):
        raise RoofError(
            f"the output folder holds the scenario file {scenario}.",
            where=where,
            fix="Choose a folder for --out that does not hold the scenario.",
        )
    if target.exists():
        if not target.is_dir():
            raise RoofError(
                "the output exists and is not a folder; only a report folder is replaced.",
                where=where,
                fix="Choose another --out.",
            )
        report = is_report_folder(target)
        if not force:
            raise RoofError(
                "the output folder exists.",
                where=where,
                fix="Pass --force to replace it."
                if report
                else "It holds no Security Roof report, so --force will not replace it either; "
                "choose another --out.",
            )
        if not report:
            raise RoofError(
                f"the output folder exists and holds no Security Roof report ({MANIFEST} of "
                "`roof assess`); --force replaces only a report.",
                where=where,
                fix="Choose another --out.",
            )
    parent = target.parent
    if not parent.is_dir():
        raise RoofError("its parent folder does not exist.", where=where, fix="Create it first.")
    try:
        with tempfile.NamedTemporaryFile(dir=parent, prefix=f".{target.name}.probe-"):
            pass
    except OSError as exc:
        raise RoofError(
            f"cannot write there ({exc.strerror or exc}).",
            where=str(parent),
            fix="Choose another --out.",
        ) from None
    return target


def _leftover_pattern(target: Path) -> re.Pattern[str]:
    return re.compile(rf"\.{re.escape(target.name)}\.(staging|old)-(\d+)-[0-9a-f]{{8}}")


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    except (OSError, OverflowError):
        return False
    return True


def _ours(folder: Path) -> bool:
    """A folder this module made: a report, a marked staging folder, or empty."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    mark = folder / _STAGING_MARK
    if mark.is_file() and not mark.is_symlink():
        return True
    if is_report_folder(folder):
        return True
    try:
        return not any(folder.iterdir())
    except OSError:
        return False


def _remove(folder: Path) -> None:
    """Delete a folder of ours, its manifest and marker last, so that a run killed
    while deleting still leaves a folder the next run recognises."""
    last = (MANIFEST, _STAGING_MARK)
    for entry in folder.iterdir():
        if entry.name in last:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for name in last:
        (folder / name).unlink(missing_ok=True)
    folder.rmdir()


def clean_leftovers(target: Path) -> list[Path]:
    """Remove the staging and set-aside folders that killed runs left beside `target`.

    If `target` is missing and a report was set aside for it, the newest such
    report is put back first. Returns the folders removed.
    """
    target = Path(target)
    pattern = _leftover_pattern(target)
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return []
    found: list[tuple[str, Path]] = []
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match and not _running(int(match.group(2))) and _ours(entry):
            found.append((match.group(1), entry))
    if not os.path.lexists(target):
        aside = [e for kind, e in found if kind == "old" and is_report_folder(e)]
        if aside:
            newest = max(aside, key=lambda e: e.stat().st_mtime)
            try:
                os.rename(newest, target)
                found = [(k, e) for k, e in found if e != newest]
            except OSError:
                return []  # leave everything as it is rather than lose that report
    removed = []
    for _, entry in found:
        try:
            _remove(entry)
            removed.append(entry)
        except OSError:
            pass  # tried again next time
    return removed


def prepare_report_target(out: Path, *, force: bool, scenario: Path | None = None) -> Path:
    """Before any work: check --out (see `check_report_target`), clean up
    after runs to it that were killed, and check again; the real path to write."""
    target = check_report_target(out, force=force, scenario=scenario)
    clean_leftovers(target)  # may put back a report set aside, so check again
    return check_report_target(out, force=force, scenario=scenario)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange):
        code = ctypes.get_errno()
        if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
            return False
        raise OSError(code, os.strerror(code), str(first))
    return True


def _swap_in(staging: Path, target: Path) -> None:
    """Put `staging` at `target`; an old report there is deleted only afterwards."""
    if not os.path.lexists(target):
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        old = staging  # the old report now has the staging name
    else:
        old = staging.with_name(staging.name.replace(".staging-", ".old-", 1))
        os.rename(target, old)
        try:
            os.rename(staging, target)
        except BaseException:
            os.rename(old, target)
            raise
    with contextlib.suppress(OSError):  # if not, the next run to this target removes it
        _remove(old)


def replace_report(
    out: Path,
    fill: Callable[[Path], None],
    *,
    force: bool = False,
    scenario: Path | None = None,
) -> Path:
    """Write a report folder at `out` whole, or leave what was there untouched.

    `fill` writes the report into the (empty) folder it is given, including a
    report `manifest.json`. `out` is checked before `fill` runs and again
    just before the swap. Returns the real path written.
    """
    target = prepare_report_target(out, force=force, scenario=scenario)
    staging = target.with_name(f".{target.name}.staging-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        staging.mkdir()
        (staging / _STAGING_MARK).write_text(f"{target}\n", encoding="utf-8")
    except OSError as exc:
        raise RoofError(
            f"cannot write there ({exc.strerror or exc}).",
            where=str(target.parent),
            fix="Choose another --out.",
        ) from None
    try:
        fill(staging)
        if not is_report_folder(staging):
            raise RuntimeError(f"the report written in {staging} has no report {MANIFEST}")
        target = check_report_target(out, force=force, scenario=scenario)
        (staging / _STAGING_MARK).unlink()
        try:
            _swap_in(staging, target)
        except OSError as exc:
            kept = (
                "what was there is unchanged"
                if os.path.lexists(target)
                else "the old report is kept beside it and put back by the next run"
            )
            raise RoofError(
                f"cannot put the report in place ({exc.strerror or exc}); {kept}.",
                where=str(out),
            ) from None
    except BaseException:
        if staging.exists():
            with contextlib.suppress(OSError):
                _remove(staging)
        raise
    return target

"""Writing report files atomically: whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from securityroof.errors import RoofError

_UMASK = os.umask(0)
os.umask(_UMASK)


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

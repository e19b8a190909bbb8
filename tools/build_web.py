"""Build the operations page's vendored browser files (stdlib only).

The live operations page (``src/securityroof/ops/static``) must work offline,
so Leaflet is not loaded from a CDN: it is pinned in ``web/package.json`` /
``web/package-lock.json`` and this script copies its distribution files into
``src/securityroof/ops/static/vendor/leaflet/`` (a git-ignored, built folder).

Steps:

1. ``npm ci --no-audit --no-fund`` in ``web/``, only when the installed Leaflet
   is missing or is not the version the lock file pins;
2. copy ``leaflet.js``, ``leaflet.css`` and ``images/`` from
   ``web/node_modules/leaflet/dist/`` into the vendor folder, skipping files
   whose content is already there (so a second run is fast and touches nothing).

Exit status: 0 on success, 2 with a one-line message on stderr when npm is
missing or fails or the Leaflet files cannot be found.

Usage::

    python tools/build_web.py
"""

from __future__ import annotations

import filecmp
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
DIST = WEB / "node_modules" / "leaflet" / "dist"
VENDOR = ROOT / "src" / "securityroof" / "ops" / "static" / "vendor" / "leaflet"
FILES = ("leaflet.js", "leaflet.css")
IMAGES = "images"
# npm error lines that say nothing about the cause.
_NPM_NOISE = ("syscall ", "errno ", "A complete log", "{", "}")


class BuildError(Exception):
    """A failure reported to the user as one line, exit status 2."""


def _locked_version() -> str | None:
    """The Leaflet version pinned by the lock file (None if unreadable)."""
    try:
        lock = json.loads((WEB / "package-lock.json").read_text(encoding="utf-8"))
        return str(lock["packages"]["node_modules/leaflet"]["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _installed_version() -> str | None:
    """The Leaflet version in web/node_modules (None if not installed)."""
    try:
        pkg = json.loads((DIST.parent / "package.json").read_text(encoding="utf-8"))
        return str(pkg["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _needs_install() -> bool:
    if not (DIST / "leaflet.js").is_file():
        return True
    locked = _locked_version()
    # A stale node_modules (lock file bumped since the last install) is reinstalled.
    return locked is not None and locked != _installed_version()


def _npm_ci() -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError(
            "npm was not found on PATH: install Node.js 20+ (with npm), then run make again"
        )
    cmd = [npm, "ci", "--no-audit", "--no-fund"]
    try:
        proc = subprocess.run(cmd, cwd=WEB, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BuildError(f"could not run npm ({exc}): check the Node.js installation") from exc
    if proc.returncode != 0:
        raise BuildError(
            f"'npm ci' failed in web/ (exit {proc.returncode}: "
            f"{_npm_summary(proc.stderr + proc.stdout)}): check network access to the npm "
            "registry, or run 'cd web && npm ci' to see the full error"
        )


def _npm_summary(output: str) -> str:
    """The most telling line of npm's error output (its code and first message)."""
    code = ""
    for line in output.splitlines():
        if not line.startswith("npm error "):
            continue
        text = line[len("npm error ") :]
        if text.startswith("code "):
            code = text[len("code ") :].strip()
        elif text.strip() and not text[0].isspace() and not text.startswith(_NPM_NOISE):
            return f"{code}: {text.strip()}" if code else text.strip()
    return code or "no error message"


def _copy_if_changed(src: Path, dst: Path) -> bool:
    """Copy src to dst unless dst already has the same bytes; True if copied."""
    if dst.is_file() and filecmp.cmp(src, dst, shallow=False):
        return False
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return True


def build() -> int:
    """Install (if needed) and copy; return the number of files copied."""
    if _needs_install():
        _npm_ci()
    if not (DIST / "leaflet.js").is_file():
        raise BuildError(
            f"{DIST / 'leaflet.js'} is missing after npm ci: delete web/node_modules and rerun"
        )
    copied = 0
    for name in FILES:
        copied += _copy_if_changed(DIST / name, VENDOR / name)
    for image in sorted((DIST / IMAGES).glob("*")):
        if image.is_file():
            copied += _copy_if_changed(image, VENDOR / IMAGES / image.name)
    return copied


def main() -> int:
    try:
        copied = build()
    except BuildError as exc:
        print(f"build_web: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"build_web: could not copy the Leaflet files ({exc})", file=sys.stderr)
        return 2
    rel = VENDOR.relative_to(ROOT)
    print(f"build_web: {rel} up to date ({copied} file(s) copied)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

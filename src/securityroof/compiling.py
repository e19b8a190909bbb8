"""One line on stderr while the compiled kernels are built on first use.

The numerical kernels are compiled by numba the first time they run and kept
in its on-disk cache; the first analysis on a machine therefore waits a
minute or so in silence. Numba broadcasts an event when it really compiles
(not when it loads a kernel from the cache), so listening to it says exactly
when to speak: once per process, never when every kernel is cached.
"""

from __future__ import annotations

import sys
from typing import Any

NOTICE = (
    "compiling the numerical kernels on first use: this takes a minute or so, once; "
    "later runs load them from the cache."
)
_state = {"installed": False, "announced": False}


def _announce(event: Any) -> None:
    """Print the notice for the first compilation of one of this package's kernels."""
    if _state["announced"]:
        return
    dispatcher = event.data.get("dispatcher") if isinstance(event.data, dict) else None
    module = getattr(getattr(dispatcher, "py_func", None), "__module__", "") or ""
    if not module.startswith("securityroof."):
        return
    _state["announced"] = True
    try:
        sys.stderr.write(NOTICE + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # no usable stderr (closed, detached): stay silent
        pass


def announce_compilation() -> None:
    """Listen for numba compiling one of Security Roof's kernels (idempotent)."""
    if _state["installed"]:
        return
    from numba.core import event

    class _Listener(event.Listener):
        def on_start(self, event: Any) -> None:
            _announce(event)

        def on_end(self, event: Any) -> None:
            pass

    event.register("numba:compile", _Listener())
    _state["installed"] = True

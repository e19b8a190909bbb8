"""Two JSON records compared value by value: one line per difference, saying
where it is and what it is in each (numbers beyond a relative tolerance).
Used to verify a rerun (`roof envelope --verify`) and to compare two
reports (`roof diff`)."""

from __future__ import annotations

from typing import Any

RELATIVE_TOLERANCE = 1e-6  # numbers closer than this (relative) are the same


def differences(
    then: Any,
    now: Any,
    path: str,
    out: list[str],
    names: tuple[str, str] = ("the manifest", "the rerun"),
) -> None:
    """Append to `out` one line per value that differs between two JSON
    documents (numbers beyond RELATIVE_TOLERANCE), each saying where it is in which."""
    first, second = names
    if isinstance(then, dict) and isinstance(now, dict):
        for key in sorted(set(then) | set(now)):
            where = f"{path}.{key}" if path else key
            if key not in now:
                out.append(f"{where}: in {first}, not in {second}")
            elif key not in then:
                out.append(f"{where}: in {second}, not in {first}")
            else:
                differences(then[key], now[key], where, out, names)
    elif isinstance(then, list) and isinstance(now, list):
        if len(then) != len(now):
            out.append(f"{path}: {len(then)} entries in {first}, {len(now)} in {second}")
        for i, (a, b) in enumerate(zip(then, now, strict=False)):
            differences(a, b, f"{path}[{i}]", out, names)
    elif (
        isinstance(then, int | float)
        and isinstance(now, int | float)
        and not isinstance(then, bool)
        and not isinstance(now, bool)
    ):
        if abs(then - now) > RELATIVE_TOLERANCE * max(1.0, abs(then), abs(now)):
            out.append(f"{path}: {then!r} in {first}, {now!r} in {second}")
    elif then != now:
        out.append(f"{path}: {then!r} in {first}, {now!r} in {second}")

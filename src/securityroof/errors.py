"""The one error type a user can cause, and how it is worded."""

from __future__ import annotations


class RoofError(Exception):
    """A problem the user can fix: bad input, an impossible request, a bad file.

    Parameters
    ----------
    what
        What was wrong, in one sentence.
    where
        Where it was: a file and key path, a command-line option, a catalog entry.
    fix
        How to fix it.
    """

    def __init__(self, what: str, *, where: str | None = None, fix: str | None = None) -> None:
        self.what = what
        self.where = where
        self.fix = fix
        super().__init__(self.message())

    def message(self) -> str:
        text = self.what
        if self.where:
            text = f"{self.where}: {text}"
        if self.fix:
            text = f"{text} {self.fix}"
        return text

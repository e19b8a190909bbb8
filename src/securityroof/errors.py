"""The one error type a user can cause, and how it is worded."""

from __future__ import annotations

from collections.abc import Callable


class RoofError(Exception):
    """A problem the user can fix: bad input, an impossible request, a bad file.

    Parameters
    ----------
    what
        What was wrong, in one sentence.
    where
        Where it was: a file and key path, a catalog entry.
    fix
        How to fix it.
    parameter
        The Python parameter that held the bad value (``resolution_deg``);
        the command line names its own option instead (``--resolution-deg``).
    fix_parameters
        Parameters that `fix` names as ``{name}`` fields, filled in the same way.
    """

    def __init__(
        self,
        what: str,
        *,
        where: str | None = None,
        fix: str | None = None,
        parameter: str | None = None,
        fix_parameters: tuple[str, ...] = (),
    ) -> None:
        self.what = what
        self.where = where
        self.fix = fix
        self.parameter = parameter
        self.fix_parameters = fix_parameters
        super().__init__(self.message())

    def message(self, name_parameter: Callable[[str], str] | None = None) -> str:
        """The one-line message; `name_parameter` says how to call the parameter
        (the command line gives its option's name)."""

        def name(parameter: str) -> str:
            return name_parameter(parameter) if name_parameter else parameter

        text = self.what
        where = self.where
        if self.parameter is not None:
            where = f"{where} ({name(self.parameter)})" if where else name(self.parameter)
        if where:
            text = f"{where}: {text}"
        fix = self.fix
        if fix and self.fix_parameters:
            fix = fix.format(**{p: name(p) for p in self.fix_parameters})
        if fix:
            text = f"{text} {fix}"
        return text

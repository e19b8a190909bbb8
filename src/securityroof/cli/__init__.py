"""The `roof` command: parses, converts units at the edge, calls the analyses, prints.

Commands live in one module per group; importing them registers them on the app.
"""

# Order of import is the order of the commands in `roof --help`.
from securityroof.cli import report, diff, fly, scenarios, analyses, envelope, ops  # isort: skip
from securityroof.cli._app import app, main

__all__ = ["analyses", "app", "diff", "envelope", "fly", "main", "ops", "report", "scenarios"]

"""Sphinx configuration of the Security Roof documentation.

Build: ``make docs`` (``sphinx-build -W --keep-going -b html docs docs/_build/html``);
warnings are errors. The notebooks in ``tutorials/`` are stored without
outputs and shown as they are (the tests execute them); the scenario
reference is generated from the scenario models at every build
(``_ext/scenario_reference.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(DOCS.parent / "src"))

project = "Security Roof"
author = "The Security Roof authors"
copyright = "The Security Roof authors, Apache License 2.0"
release = "0.1.0"

extensions = [
    "myst_nb",  # Markdown pages (MyST) and the tutorial notebooks
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",  # numpy-style docstrings
    "sphinx.ext.mathjax",
    "scenario_reference",
]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "_generated", "**.ipynb_checkpoints"]
myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 4

# The tests run the notebooks (tests/docs/test_notebooks.py); the build shows them.
nb_execution_mode = "off"

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": False}
napoleon_google_docstring = False
napoleon_numpy_docstring = True

html_theme = "alabaster"
html_title = "Security Roof"
html_theme_options = {"description": "Open missile-defence analysis for arms-control transparency"}
# Editors fetch the scenario schema from the site's root as well.
html_extra_path = ["scenario.schema.json"]

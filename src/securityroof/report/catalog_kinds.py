"""What `roof catalog` lists: the kinds `catalog_records` in
`securityroof.report.listing` knows.

Kept apart from the listing, which loads the catalog's models, so that
the command line can name the kinds in its help without loading them.
"""

from __future__ import annotations

KINDS = (
    "missiles",
    "interceptors",
    "sensors",
    "sites",
    "architectures",
    "threats",
    "signatures",
)

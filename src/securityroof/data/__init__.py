"""Data the project reads from installed packages, offline: the GSHHS outlines
(coastlines, borders, land) of the base map and the GeoNames cities."""

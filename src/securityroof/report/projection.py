"""Map projections for the report's printed maps, on the sphere, in numpy.

Regional maps use the Lambert azimuthal equal-area projection centred on the
region: every cell's printed area is proportional to its area on the ground,
so a defended footprint looks as large as it is (a plate carree map of Europe
makes Scandinavia twice too wide). Polar maps use the azimuthal equidistant
projection centred on the pole, where great circles through the pole (the
routes of intercontinental missiles) are straight lines.

Formulas: J. P. Snyder, Map Projections: A Working Manual, USGS Professional
Paper 1395 (1987), eqs. 24-2 to 24-4 (Lambert azimuthal equal-area, sphere)
and 25-2, 21-2, 21-3 (azimuthal equidistant, polar aspect).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from securityroof.core.constants import SPHERE_RADIUS_M

# The mean sphere: printed maps need no ellipsoid.
EARTH_RADIUS_KM = SPHERE_RADIUS_M / 1e3


@dataclass(frozen=True)
class EqualArea:
    """Lambert azimuthal equal-area projection centred on (lat0, lon0); km on the map."""

    lat0_deg: float
    lon0_deg: float

    @classmethod
    def for_region(cls, region: tuple[float, float, float, float]) -> EqualArea:
        """Centred on a lat/lon box (lat_min, lat_max, lon_min, lon_max)."""
        lat_min, lat_max, lon_min, lon_max = region
        return cls(0.5 * (lat_min + lat_max), 0.5 * (lon_min + lon_max))

    def __call__(self, lat_deg, lon_deg) -> tuple[np.ndarray, np.ndarray]:
        lat = np.radians(np.asarray(lat_deg, dtype=float))
        dlon = np.radians(np.asarray(lon_deg, dtype=float) - self.lon0_deg)
        lat0 = np.radians(self.lat0_deg)
        cos_c = np.sin(lat0) * np.sin(lat) + np.cos(lat0) * np.cos(lat) * np.cos(dlon)
        # The antipode alone has no image; points near it go far off the map.
        k = np.sqrt(2.0 / np.maximum(1.0 + cos_c, 1e-12))
        x = EARTH_RADIUS_KM * k * np.cos(lat) * np.sin(dlon)
        y = (
            EARTH_RADIUS_KM
            * k
            * (np.cos(lat0) * np.sin(lat) - np.sin(lat0) * np.cos(lat) * np.cos(dlon))
        )
        return x, y

    def extent(
        self, region: tuple[float, float, float, float]
    ) -> tuple[float, float, float, float]:
        """The map box (x_min, x_max, y_min, y_max, km) holding the whole lat/lon box."""
        lat_min, lat_max, lon_min, lon_max = region
        edge = np.linspace(0.0, 1.0, 90)
        lats = np.concatenate(
            [
                np.full(edge.size, lat_min),
                np.full(edge.size, lat_max),
                lat_min + edge * (lat_max - lat_min),
                lat_min + edge * (lat_max - lat_min),
            ]
        )
        lons = np.concatenate(
            [
                lon_min + edge * (lon_max - lon_min),
                lon_min + edge * (lon_max - lon_min),
                np.full(edge.size, lon_min),
                np.full(edge.size, lon_max),
            ]
        )
        x, y = self(lats, lons)
        return float(x.min()), float(x.max()), float(y.min()), float(y.max())


@dataclass(frozen=True)
class PolarEquidistant:
    """North-polar azimuthal equidistant projection; km from the pole."""

    def __call__(self, lat_deg, lon_deg) -> tuple[np.ndarray, np.ndarray]:
        rho = EARTH_RADIUS_KM * np.radians(90.0 - np.asarray(lat_deg, dtype=float))
        lon = np.radians(np.asarray(lon_deg, dtype=float))
        return rho * np.sin(lon), -rho * np.cos(lon)

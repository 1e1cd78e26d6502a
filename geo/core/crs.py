"""Projected areas and distances for Chongqing data stored in WGS84.

Areas and distances are computed in the CGCS2000 3-degree Gauss–Krüger zone that contains each
feature — its *own zone* (EPSG:4544 for CM 105°E west of 106.5°E, EPSG:4545 for CM 108°E east of
it), so a Yuzhong parcel is not measured in a zone that inflates it. :func:`own_zone` (one
geometry) and :func:`own_zones` (an array) are the one rule for choosing it. 1 亩 = 10000/15 m²
exactly (:data:`geo.config.M2_PER_MU`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry.base import BaseGeometry

from geo.config import M2_PER_MU, WGS84

_GEOD = Geod(ellps="GRS80")


def mu_to_m2(mu: float) -> float:
    """亩 to square metres.

    Parameters
    ----------
    mu : float

    Returns
    -------
    float
    """
    return float(mu) * M2_PER_MU


def m2_to_mu(m2: float) -> float:
    """Square metres to 亩.

    Parameters
    ----------
    m2 : float

    Returns
    -------
    float
    """
    return float(m2) / M2_PER_MU


def gk_epsg_for_lon(lon: float) -> int:
    """EPSG code of the CGCS2000 3° GK zone (CM family, false easting 500 km) for a longitude.

    Parameters
    ----------
    lon : float
        Longitude in degrees east.

    Returns
    -------
    int
        4534 (CM 75°E) … 4554 (CM 135°E).

    Raises
    ------
    ValueError
        Outside China's 3-degree zones.
    """
    cm = 3 * int(np.floor((lon + 1.5) / 3.0))
    if not 75 <= cm <= 135:
        raise ValueError(f"longitude {lon} is outside China's 3-degree GK zones (CM 75–135°E)")
    return 4534 + (cm - 75) // 3


def own_zone(geom: BaseGeometry) -> str:
    """The GK zone CRS a WGS84 geometry belongs to, by its representative point.

    Parameters
    ----------
    geom : shapely geometry
        WGS84 (x = longitude).

    Returns
    -------
    str
        ``"EPSG:4544"``, ``"EPSG:4545"``, …

    Raises
    ------
    ValueError
        For an empty geometry, or one outside China.
    """
    if geom is None or geom.is_empty:
        raise ValueError("empty geometry has no zone")
    return f"EPSG:{gk_epsg_for_lon(geom.representative_point().x)}"


def own_zones(geoms: Sequence[BaseGeometry] | np.ndarray) -> np.ndarray:
    """:func:`own_zone` for many geometries at once ("" for a missing or empty one).

    Parameters
    ----------
    geoms : sequence or array of shapely geometries
        WGS84.

    Returns
    -------
    numpy.ndarray of str
    """
    geoms = np.asarray(geoms, dtype=object)
    if not len(geoms):
        return np.array([], dtype=object)
    xs = np.full(len(geoms), np.nan)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    xs[ok] = shapely.get_x(shapely.point_on_surface(geoms[ok]))
    codes = {x: f"EPSG:{gk_epsg_for_lon(x)}" for x in np.unique(xs[np.isfinite(xs)])}
    return np.array([codes.get(x, "") for x in xs], dtype=object)


@lru_cache(maxsize=32)
def transformer(src: str, dst: str) -> Transformer:
    """A cached pyproj transformer, x = longitude/easting (the first lookup in proj.db costs ~0.1 s).

    Parameters
    ----------
    src, dst : str
        Anything pyproj accepts (``"EPSG:4326"``, a PROJ string).

    Returns
    -------
    pyproj.Transformer
    """
    return Transformer.from_crs(CRS.from_user_input(src), CRS.from_user_input(dst), always_xy=True)


def project(geom: BaseGeometry | np.ndarray, dst: str, src: str = WGS84) -> BaseGeometry | np.ndarray:
    """Reproject a shapely geometry or array of them (x = lon, y = lat for geographic CRSs).

    Parameters
    ----------
    geom : shapely geometry or array of them
    dst : str
        Target CRS.
    src : str, default WGS84
        Source CRS.

    Returns
    -------
    shapely geometry or array of them
    """
    t = transformer(src, dst)
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def area_m2(geom: BaseGeometry, crs: str | None = None) -> float:
    """Planar area in m² in the given projected CRS, or in the feature's own GK zone.

    Parameters
    ----------
    geom : shapely geometry
        WGS84.
    crs : str, optional
        Projected CRS to measure in (default: :func:`own_zone`).

    Returns
    -------
    float
        0 for a missing or empty geometry.
    """
    if geom is None or geom.is_empty:
        return 0.0
    return float(project(geom, crs or own_zone(geom)).area)


def area_mu(geom: BaseGeometry, crs: str | None = None) -> float:
    """Planar area in 亩 (see :func:`area_m2`).

    Parameters
    ----------
    geom : shapely geometry
        WGS84.
    crs : str, optional
        Projected CRS to measure in (default: the own zone).

    Returns
    -------
    float
    """
    return m2_to_mu(area_m2(geom, crs))


def geodesic_area_m2(geom: BaseGeometry) -> float:
    """Ellipsoidal area on GRS80 (an independent check of the planar figure).

    Parameters
    ----------
    geom : shapely geometry
        WGS84.

    Returns
    -------
    float
    """
    area, _ = _GEOD.geometry_area_perimeter(geom)
    return abs(float(area))


def distance_m(a: BaseGeometry, b: BaseGeometry, crs: str | None = None) -> float:
    """Shortest distance in metres between two WGS84 geometries, in a projected CRS.

    Parameters
    ----------
    a, b : shapely geometry
        WGS84.
    crs : str, optional
        Projected CRS (default: the own zone of ``a``).

    Returns
    -------
    float
    """
    crs = crs or own_zone(a)
    return float(project(a, crs).distance(project(b, crs)))


def geodesic_distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Ellipsoidal (GRS80) distance in metres between two points.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : float
        Degrees.

    Returns
    -------
    float
    """
    _, _, d = _GEOD.inv(lon1, lat1, lon2, lat2)
    return float(d)


def areas_mu(geoms: Sequence[BaseGeometry] | np.ndarray, crs: str | None = None) -> np.ndarray:
    """Vectorised 亩 for WGS84 polygons, each in its own zone unless ``crs`` is given.

    Parameters
    ----------
    geoms : sequence or array of shapely geometries
        WGS84.
    crs : str, optional
        One projected CRS for all of them.

    Returns
    -------
    numpy.ndarray of float
        0 for missing or empty geometries.
    """
    geoms = np.asarray(geoms, dtype=object)
    out = np.zeros(len(geoms))
    if len(geoms) == 0:
        return out
    zones = np.array([crs] * len(geoms), dtype=object) if crs is not None else own_zones(geoms)
    for z in set(zones) - {""}:
        idx = np.where(zones == z)[0]
        out[idx] = shapely.area(project(geoms[idx], z)) / M2_PER_MU
    return out

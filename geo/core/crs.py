"""Projected areas and distances for Chongqing data stored in WGS84.

Areas are computed in the CGCS2000 3-degree Gauss–Krüger zone that contains each
feature (EPSG:4544 for CM 105°E west of 106.5°E, EPSG:4545 for CM 108°E east of it),
so a Yuzhong parcel is not measured in a zone that inflates it. 1 亩 = 10000/15 m² exactly.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry.base import BaseGeometry

WGS84 = "EPSG:4326"
CGCS2000 = "EPSG:4490"
GK_CM105 = "EPSG:4544"  # default projected CRS of the Science City
GK_CM108 = "EPSG:4545"

M2_PER_MU = 10000.0 / 15.0  # 666.666… m², exact by definition
_GEOD = Geod(ellps="GRS80")


def mu_to_m2(mu: float) -> float:
    return float(mu) * M2_PER_MU


def m2_to_mu(m2: float) -> float:
    return float(m2) / M2_PER_MU


def gk_epsg_for_lon(lon: float) -> int:
    """EPSG code of the CGCS2000 3° GK zone (CM family, false easting 500 km) for a longitude."""
    cm = 3 * int(np.floor((lon + 1.5) / 3.0))
    if not 75 <= cm <= 135:
        raise ValueError(f"longitude {lon} is outside China's 3-degree GK zones (CM 75–135°E)")
    return 4534 + (cm - 75) // 3


@lru_cache(maxsize=32)
def transformer(src: str, dst: str) -> Transformer:
    """Cached pyproj transformer (the first lookup in proj.db costs ~0.1 s)."""
    return Transformer.from_crs(CRS.from_user_input(src), CRS.from_user_input(dst), always_xy=True)


def project(geom: BaseGeometry, dst: str, src: str = WGS84) -> BaseGeometry:
    """Reproject a shapely geometry (x=lon, y=lat for geographic CRSs)."""
    t = transformer(src, dst)
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def own_zone(geom: BaseGeometry) -> str:
    """The GK zone CRS a WGS84 geometry belongs to, by its representative point."""
    p = geom.representative_point() if not geom.is_empty else None
    if p is None:
        raise ValueError("empty geometry has no zone")
    return f"EPSG:{gk_epsg_for_lon(p.x)}"


def area_m2(geom: BaseGeometry, crs: str | None = None) -> float:
    """Planar area in m² in the given projected CRS, or in the feature's own GK zone."""
    if geom is None or geom.is_empty:
        return 0.0
    return float(project(geom, crs or own_zone(geom)).area)


def area_mu(geom: BaseGeometry, crs: str | None = None) -> float:
    return m2_to_mu(area_m2(geom, crs))


def geodesic_area_m2(geom: BaseGeometry) -> float:
    """Ellipsoidal area on GRS80 (independent check of the planar figure)."""
    area, _ = _GEOD.geometry_area_perimeter(geom)
    return abs(float(area))


def distance_m(a: BaseGeometry, b: BaseGeometry, crs: str | None = None) -> float:
    """Shortest distance in metres between two WGS84 geometries, in a projected CRS."""
    crs = crs or own_zone(a)
    return float(project(a, crs).distance(project(b, crs)))


def geodesic_distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    _, _, d = _GEOD.inv(lon1, lat1, lon2, lat2)
    return float(d)


def areas_mu(geoms, crs: str | None = None) -> np.ndarray:
    """Vectorised 亩 for a GeoSeries/array of WGS84 polygons, each in its own zone unless crs given."""
    geoms = np.asarray(geoms, dtype=object)
    out = np.zeros(len(geoms))
    if len(geoms) == 0:
        return out
    if crs is not None:
        zones = np.array([crs] * len(geoms), dtype=object)
    else:
        reps = shapely.point_on_surface(geoms)
        xs = shapely.get_x(reps)
        zones = np.array([f"EPSG:{gk_epsg_for_lon(x)}" if np.isfinite(x) else "" for x in xs], dtype=object)
    for z in set(zones) - {""}:
        idx = np.where(zones == z)[0]
        t = transformer(WGS84, z)
        proj = shapely.transform(
            geoms[idx], lambda xy, t=t: np.column_stack(t.transform(xy[:, 0], xy[:, 1]))
        )
        out[idx] = shapely.area(proj) / M2_PER_MU
    return out

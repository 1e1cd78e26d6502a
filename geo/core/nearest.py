"""Nearest points (metro stations, universities, parcels) to features, in metres.

The one nearest-point query of the app: matching ranks thousands of parcels with :func:`nearest`,
fact sheets list a parcel's closest stations with :func:`nearest_k` and its neighbours with
:func:`within`. Distances run from the feature's boundary (0 for a point inside it) and are planar
metres in the feature's own CGCS2000 Gauss–Krüger zone (:func:`geo.core.crs.own_zone`); an STRtree
finds the candidates, so no query measures the distance to every point.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from geo.core.crs import own_zone, own_zones, project


def nearest(points: gpd.GeoDataFrame, features: gpd.GeoDataFrame, name: str = "name_zh") -> pd.DataFrame:
    """For each feature, the nearest point's name and its distance.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        WGS84 points (rows without geometry are ignored).
    features : geopandas.GeoDataFrame
        WGS84 features (parcels, zones).
    name : str, default "name_zh"
        Column of ``points`` to report.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``features``: ``name`` (None when there are no points) and ``distance_m``
        (NaN then), measured in each feature's own GK zone.
    """
    out = pd.DataFrame({"name": pd.Series([None] * len(features), index=features.index, dtype=object),
                        "distance_m": np.full(len(features), np.nan)}, index=features.index)
    pts = points[points.geometry.notna()]
    if not len(pts) or not len(features):
        return out
    zones = pd.Series(own_zones(features.geometry.values), index=features.index)
    names = pts[name].to_numpy(dtype=object)
    for crs, idx in features.groupby(zones).groups.items():  # one STRtree query per zone
        ff = features.loc[idx].to_crs(crs)
        (src, dst), dist = pts.to_crs(crs).sindex.nearest(ff.geometry.values, return_distance=True, return_all=False)
        out.loc[ff.index[src], "name"] = names[dst]
        out.loc[ff.index[src], "distance_m"] = dist
    return out


def within(points: gpd.GeoDataFrame, geom: BaseGeometry, distance_m: float) -> gpd.GeoDataFrame:
    """The points within a distance of a geometry, nearest first.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        WGS84 points or shapes (rows without geometry are ignored).
    geom : shapely geometry
        WGS84; distances are measured in its own GK zone.
    distance_m : float
        Radius in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        The rows of ``points`` (WGS84) within the distance, with a ``distance_m`` column, sorted by it
        (ties keep the order of ``points``).
    """
    pts = points[points.geometry.notna()]
    crs = own_zone(geom)
    return _within(pts, pts.to_crs(crs), project(geom, crs), distance_m)


def _within(pts: gpd.GeoDataFrame, projected: gpd.GeoDataFrame, g: BaseGeometry, distance_m: float) -> gpd.GeoDataFrame:
    idx = np.sort(projected.sindex.query(g, predicate="dwithin", distance=distance_m))
    hit = pts.iloc[idx].copy()
    hit["distance_m"] = projected.geometry.iloc[idx].distance(g).to_numpy()
    return hit.sort_values("distance_m", kind="stable")


def nearest_k(points: gpd.GeoDataFrame, geom: BaseGeometry, k: int, distinct: str | None = None) -> gpd.GeoDataFrame:
    """The ``k`` points nearest to a geometry, nearest first.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        WGS84 points (rows without geometry are ignored).
    geom : shapely geometry
        WGS84; distances are measured in its own GK zone.
    k : int
        How many to return (fewer when ``points`` has fewer).
    distinct : str, optional
        Count each value of this column once (a station listed once per line is one station).

    Returns
    -------
    geopandas.GeoDataFrame
        Rows of ``points`` with a ``distance_m`` column.
    """
    pts = points[points.geometry.notna()]
    crs = own_zone(geom)
    projected, g = pts.to_crs(crs), project(geom, crs)
    available = len(pts.drop_duplicates(distinct)) if distinct else len(pts)
    radius = 1000.0
    while True:  # widen the search until k distinct points are in it, or every point is
        hit = _within(pts, projected, g, radius)
        if distinct is not None:
            hit = hit.drop_duplicates(distinct)
        if len(hit) >= min(k, available):
            return hit.head(k)
        radius *= 2

"""WGS84 ↔ GCJ-02 ("Mars coordinates") for Gaode/Amap basemaps.

Gaode tiles are drawn in GCJ-02; WGS84 data laid on them sits ~480 m off in Chongqing.
We shift our data to GCJ-02 *for display or export only* and never store it so: maps and exports
both shift a layer with :func:`shift_frame`, one geometry or array with :func:`geom_to_gcj02` /
:func:`geom_from_gcj02`.
The forward transform is the published algorithm (same output, bit for bit, as the
widely used coordtransform/eviltransform libraries); the inverse iterates the forward
transform to sub-millimetre agreement instead of the usual one-step approximation (~1–2 m).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import ArrayLike
from shapely.geometry.base import BaseGeometry

from geo.config import WGS84

_A = 6378245.0
_EE = 0.00669342162296594323


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """Whether points lie outside China's GCJ-02 box (where the shift is not applied).

    Parameters
    ----------
    lon, lat : float or array of float
        Degrees.

    Returns
    -------
    numpy.ndarray of bool
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _tlat(x, y):
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    r += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    r += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    r += (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return r


def _tlon(x, y):
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    r += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    r += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    r += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return r


def _delta(lon, lat):
    dlat = _tlat(lon - 105.0, lat - 35.0)
    dlon = _tlon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple:
    """WGS84 → GCJ-02; points outside China are returned unchanged.

    Parameters
    ----------
    lon, lat : float or array of float
        WGS84 degrees.

    Returns
    -------
    tuple
        (lon, lat) in GCJ-02: floats for scalar input, arrays otherwise.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlon, dlat = _delta(lon, lat)
    outside = out_of_china(lon, lat)
    glon = np.where(outside, lon, lon + dlon)
    glat = np.where(outside, lat, lat + dlat)
    if glon.ndim == 0:
        return float(glon), float(glat)
    return glon, glat


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike, tol_deg: float = 1e-10, max_iter: int = 30) -> tuple:
    """GCJ-02 → WGS84, the exact inverse by fixed-point iteration (converges to < 1e-10° ≈ 0.01 mm).

    Parameters
    ----------
    lon, lat : float or array of float
        GCJ-02 degrees.
    tol_deg : float, default 1e-10
        Stop when the forward transform of the estimate is this close to the input.
    max_iter : int, default 30

    Returns
    -------
    tuple
        (lon, lat) in WGS84: floats for scalar input, arrays otherwise.
    """
    glon = np.asarray(lon, dtype=float)
    glat = np.asarray(lat, dtype=float)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(max_iter):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = np.asarray(flon) - glon, np.asarray(flat) - glat
        wlon = wlon - elon
        wlat = wlat - elat
        if np.all(np.abs(elon) < tol_deg) and np.all(np.abs(elat) < tol_deg):
            break
    if wlon.ndim == 0:
        return float(wlon), float(wlat)
    return wlon, wlat


def _geom_apply(geom: BaseGeometry | np.ndarray, fn) -> BaseGeometry | np.ndarray:
    def f(xy):
        x, y = fn(xy[:, 0], xy[:, 1])
        return np.column_stack([np.atleast_1d(x), np.atleast_1d(y)])

    return shapely.transform(geom, f)


def geom_to_gcj02(geom: BaseGeometry | np.ndarray) -> BaseGeometry | np.ndarray:
    """Shift a WGS84 shapely geometry (or array of them) to GCJ-02.

    Parameters
    ----------
    geom : shapely geometry or array of them

    Returns
    -------
    shapely geometry or array of them
    """
    return _geom_apply(geom, wgs84_to_gcj02)


def geom_from_gcj02(geom: BaseGeometry | np.ndarray) -> BaseGeometry | np.ndarray:
    """Shift a GCJ-02 shapely geometry (or array of them) back to WGS84.

    Parameters
    ----------
    geom : shapely geometry or array of them

    Returns
    -------
    shapely geometry or array of them
    """
    return _geom_apply(geom, gcj02_to_wgs84)


def shift_frame(gdf: gpd.GeoDataFrame, inverse: bool = False) -> gpd.GeoDataFrame:
    """A copy of a layer with its geometry shifted WGS84 → GCJ-02 (or back with ``inverse``).

    The one shift path of maps drawn on Gaode tiles and of GCJ-02 exports. GCJ-02 has no EPSG
    code: the copy is labelled WGS84 (``EPSG:4326``), the convention of the tools that read it.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        WGS84 (GCJ-02 with ``inverse``); its CRS label is not consulted.
    inverse : bool, default False
        Shift GCJ-02 → WGS84 instead.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    out = gdf.copy()
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    out[gdf.geometry.name] = geom_from_gcj02(geoms) if inverse else geom_to_gcj02(geoms)
    return out.set_crs(WGS84, allow_override=True)

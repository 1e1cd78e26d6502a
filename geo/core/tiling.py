"""What the parcel layer's vector tiles hold, whoever cuts them (the file tile set or PostGIS): layers, zooms,
properties, the density cells' grid and classes. One definition for :mod:`geo.pipeline.tileset`,
:mod:`geo.io.pgtiles`, the map's layer (:mod:`geo.render.layers.tiled`) and the density layer of the page.
"""

from __future__ import annotations

from collections.abc import Sequence

import mapclassify
import numpy as np
import pandas as pd

MAX_DATA_ZOOM = 15
"""The deepest zoom with its own tiles; deeper views draw these tiles enlarged."""
MIN_DENSITY_ZOOM = 8
"""No tiles above this (a whole province in a tile)."""
MIN_PARCEL_ZOOM = 12
"""Parcels never appear in tiles above this zoom (a tile is ~10 km wide: density cells say more)."""
TILE_PARCELS_MAX = 4000
"""At most this many parcels in one tile of the parcel layer's first zoom (denser data starts deeper)."""
EXTENT = 4096
"""Tile coordinate units per tile side."""
BUFFER = 80
"""Tile units drawn beyond a tile's edge (GDAL's MVT default: both sources cut the same features)."""
TILE_PROPERTIES = {"project_id": "id", "name_zh": "nz", "name_en": "ne", "sector": "s", "area_mu": "mu",
                   "geometry_source": "src"}
"""Column of the joined parcels → property name in the tiles (short: repeated in every tile)."""
PARCEL_PROPERTIES = ("id", "s", "mu", "src")
"""What the ``parcels`` layer carries: what the map styles, filters and reports a click by (the names are in
``labels``, once per parcel, not in every tile a parcel crosses)."""
LABEL_PROPERTIES = ("id", "nz", "ne", "s")
"""What the ``labels`` layer (one point per parcel) carries."""
CELL_M = {None: 1000, 10: 2000, 11: 1000, 12: 500, 13: 250}
"""Zoom → density cell size (m)."""


def cell_size(zoom: int | None) -> int:
    """The density cell size in metres at a zoom: 2 km when zoomed out, 250 m at street zooms.

    Parameters
    ----------
    zoom : int, optional

    Returns
    -------
    int
    """
    return CELL_M.get(zoom, 250 if (zoom or 0) >= 13 else 2000)


def sector_of(parcels: pd.DataFrame) -> pd.Series:
    """Each parcel's sector group for colour and filter: the first of its project's groups ("" for none).

    Parameters
    ----------
    parcels : pandas.DataFrame
        With ``sector_group_zh``.

    Returns
    -------
    pandas.Series of str
    """
    return parcels["sector_group_zh"].fillna("").astype(str).str.split(";").str[0].str.strip()


def classify(values: Sequence[float] | np.ndarray, k: int = 5,
             scheme: str = "NaturalBreaks") -> tuple[np.ndarray, list[float]]:
    """Class index per value (-1 for missing) and the upper bounds of the classes.

    Parameters
    ----------
    values : array-like of float
        NaN for a missing value.
    k : int, default 5
        Classes at most (fewer when there are fewer distinct values).
    scheme : str, default "NaturalBreaks"
        A mapclassify classifier.

    Returns
    -------
    (numpy.ndarray, list of float)
    """
    v = np.asarray(values, dtype=float)
    ok = ~np.isnan(v)
    idx = np.full(len(v), -1)
    uniq = np.unique(v[ok])
    if len(uniq) == 0:
        return idx, []
    k = int(min(k, len(uniq)))
    if k < 2:
        idx[ok] = 0
        return idx, [float(uniq.max())]
    cls = getattr(mapclassify, scheme)(v[ok], k=k)
    idx[ok] = cls.yb
    return idx, [float(b) for b in cls.bins]


def parcel_min_zoom(tx: np.ndarray, ty: np.ndarray, counts: np.ndarray) -> int:
    """The first zoom of the parcel layer: the shallowest from :data:`MIN_PARCEL_ZOOM` whose fullest tile holds at most
    :data:`TILE_PARCELS_MAX` parcels, at most :data:`MAX_DATA_ZOOM`.

    Parameters
    ----------
    tx, ty : numpy.ndarray of int
        Columns and rows at :data:`MAX_DATA_ZOOM` of the tiles holding parcels (by representative point).
    counts : numpy.ndarray of int
        Parcels in each.

    Returns
    -------
    int
    """
    if not len(counts):
        return MIN_PARCEL_ZOOM
    for z in range(MIN_PARCEL_ZOOM, MAX_DATA_ZOOM):
        shift = MAX_DATA_ZOOM - z
        per = pd.Series(counts).groupby([tx >> shift, ty >> shift]).sum()
        if per.max() <= TILE_PARCELS_MAX:
            return z
    return MAX_DATA_ZOOM


def tile_index(lon: np.ndarray, lat: np.ndarray, z: int = MAX_DATA_ZOOM) -> tuple[np.ndarray, np.ndarray]:
    """Column and row of the tiles holding points at a zoom (vectorised :func:`geo.core.tilegrid.tile_of`).

    Parameters
    ----------
    lon, lat : numpy.ndarray
        WGS84 degrees.
    z : int, default MAX_DATA_ZOOM

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
    """
    n = 1 << z
    lat = np.clip(lat, -85.0511287798066, 85.0511287798066)
    x = np.floor((np.asarray(lon) + 180.0) / 360.0 * n).astype(np.int64)
    y = np.floor((1.0 - np.arcsinh(np.tan(np.radians(lat))) / np.pi) / 2.0 * n).astype(np.int64)
    return np.clip(x, 0, n - 1), np.clip(y, 0, n - 1)

"""The web map's tile grid (XYZ, Web Mercator, 256 px tiles): a tile's bounds, its checks, the tiles of a box.

One definition for the tile route (:mod:`geo.io.tiles`), the tile-set builder (:mod:`geo.pipeline.tileset`)
and the tests: the same grid as Leaflet's and PostGIS's ``ST_TileEnvelope``.
"""

from __future__ import annotations

import math

MAX_ZOOM = 22
"""The deepest zoom a tile may be asked for (Leaflet's default maximum is 18; the route refuses deeper ones)."""
MERCATOR_LAT = 85.0511287798066
"""Web Mercator's latitude limit."""


class TileError(ValueError):
    """A tile address that is not on the grid (the message names the part that is wrong)."""


def check_tile(z: int, x: int, y: int) -> tuple[int, int, int]:
    """The tile address, or :class:`TileError` naming what is wrong with it.

    Parameters
    ----------
    z, x, y : int
        Zoom, column (west → east) and row (north → south).

    Returns
    -------
    (int, int, int)

    Raises
    ------
    TileError
        ``z`` outside 0…:data:`MAX_ZOOM`, or ``x``/``y`` outside 0…2**z − 1.
    """
    if not 0 <= z <= MAX_ZOOM:
        raise TileError(f"zoom {z} is outside 0…{MAX_ZOOM}")
    n = 1 << z
    for name, v in (("x", x), ("y", y)):
        if not 0 <= v < n:
            raise TileError(f"{name}={v} is outside 0…{n - 1} at zoom {z}")
    return z, x, y


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """A tile's WGS84 bounds.

    Parameters
    ----------
    z, x, y : int

    Returns
    -------
    (float, float, float, float)
        (west, south, east, north) in degrees.
    """
    n = 1 << z

    def lat(row: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360.0 - 180.0, lat(y + 1), (x + 1) / n * 360.0 - 180.0, lat(y)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The column and row of the tile holding a point at a zoom.

    Parameters
    ----------
    lon, lat : float
        WGS84 degrees.
    z : int

    Returns
    -------
    (int, int)
    """
    n = 1 << z
    lat = max(-MERCATOR_LAT, min(MERCATOR_LAT, lat))
    x = int((lon + 180.0) / 360.0 * n)
    r = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(r)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tiles_of_box(bounds: tuple[float, float, float, float], z: int) -> list[tuple[int, int, int]]:
    """The tiles at a zoom that meet a WGS84 box.

    Parameters
    ----------
    bounds : (float, float, float, float)
        (west, south, east, north).
    z : int

    Returns
    -------
    list of (z, x, y)
    """
    w, s, e, n = bounds
    x0, y0 = tile_of(w, n, z)
    x1, y1 = tile_of(e, s, z)
    return [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]

"""The view that shows a set of bounds: centre and zoom on a Web Mercator map of a given size.

The inverse of :func:`geo.render.layers.parcels.viewport_bounds`; the app uses it to fit the map to
what a filter, a search hit or a table row selects (streamlit-folium takes a centre and a zoom, not
bounds).
"""

from __future__ import annotations

import math

Bounds = tuple[float, float, float, float]

MAX_FIT_ZOOM = 16
"""Never zoom closer than this when fitting (a single small parcel would fill the screen at 19)."""
MIN_FIT_ZOOM = 8


def _mercator_y(lat: float) -> float:
    lat = max(-85.0, min(85.0, lat))
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def fit(bounds: Bounds, size_px: tuple[int, int], padding_px: int = 40,
        max_zoom: int = MAX_FIT_ZOOM) -> tuple[tuple[float, float], int]:
    """The centre and the largest whole zoom at which ``bounds`` fits a map of ``size_px``.

    Parameters
    ----------
    bounds : (float, float, float, float)
        WGS84 minx, miny, maxx, maxy.
    size_px : (int, int)
        The map's width and height in pixels.
    padding_px : int, default 40
        Margin kept free on each side.
    max_zoom : int, default MAX_FIT_ZOOM

    Returns
    -------
    ((float, float), int)
        ((lat, lon) of the centre, zoom).
    """
    minx, miny, maxx, maxy = bounds
    w = max(size_px[0] - 2 * padding_px, 64)
    h = max(size_px[1] - 2 * padding_px, 64)
    y0, y1 = _mercator_y(miny), _mercator_y(maxy)
    centre_lat = math.degrees(2 * math.atan(math.exp((y0 + y1) / 2)) - math.pi / 2)
    dx, dy = max(maxx - minx, 1e-9), max(y1 - y0, 1e-12)
    # at zoom z the world is 256·2^z px wide: 360° of longitude, 2π of Mercator y
    zx = math.log2(w * 360 / (256 * dx))
    zy = math.log2(h * 2 * math.pi / (256 * dy))
    zoom = int(max(MIN_FIT_ZOOM, min(max_zoom, math.floor(min(zx, zy)))))
    return (centre_lat, (minx + maxx) / 2), zoom

"""The study area: one rule shared by the importer, the loader and the validator.

Whatever the importer accepts, the loader loads: both ask :func:`outside_study_area` about the
same box (:data:`geo.config.STUDY_AREA`), so a boundary cannot be stored and then stop the app.
"""

from __future__ import annotations

from geo.config import STUDY_AREA

Bounds = tuple[float, float, float, float]


def in_study_area(bounds: Bounds) -> bool:
    """Whether a (min lon, min lat, max lon, max lat) box lies wholly inside the study area.

    Parameters
    ----------
    bounds : tuple of float
        WGS84 bounds of a geometry or a layer.

    Returns
    -------
    bool
    """
    minx, miny, maxx, maxy = bounds
    x0, y0, x1, y1 = STUDY_AREA
    return x0 <= minx and maxx <= x1 and y0 <= miny and maxy <= y1


def looks_swapped(bounds: Bounds) -> bool:
    """Whether the box would lie in the study area if longitude and latitude were swapped.

    Parameters
    ----------
    bounds : tuple of float
        WGS84 bounds as read (x = first coordinate).

    Returns
    -------
    bool
    """
    minx, miny, maxx, maxy = bounds
    return in_study_area((miny, minx, maxy, maxx))


def describe() -> str:
    """The study area in words, for messages (e.g. ``105.0–108.0°E, 28.5–30.5°N, the plans' districts``)."""
    x0, y0, x1, y1 = STUDY_AREA
    return f"{x0}–{x1}°E, {y0}–{y1}°N, the plans' districts"


def outside_study_area(bounds: Bounds) -> str | None:
    """Why a geometry's bounds are unacceptable, or None when they lie in the study area.

    Parameters
    ----------
    bounds : tuple of float
        WGS84 bounds of a geometry or a layer.

    Returns
    -------
    str or None
        A message naming the study area and the bounds found, suited to every caller.
    """
    if in_study_area(bounds):
        return None
    shown = tuple(round(float(b), 4) for b in bounds)
    if looks_swapped(bounds):
        return f"coordinates {shown} look like (lat, lon): lat/lon swapped? GeoJSON order is [longitude, latitude]"
    minx, miny, maxx, maxy = bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        return f"coordinates {shown} are not longitude/latitude (projected data in a WGS84 file?)"
    return f"lies outside Chongqing's study area ({describe()}): bounds {shown}"

"""Polygon repair: the one rule for turning an invalid boundary into a storable one.

The importer (file uploads and the CLI) and the boundary editor both call :func:`repair`; a
repaired boundary keeps only its polygonal parts (a bow-tie becomes two triangles, a stray line
left by ``make_valid`` is dropped) and the note says what was wrong.
"""

from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity, make_valid

POLYGONAL = ("Polygon", "MultiPolygon")


def polygonal_part(geom: BaseGeometry) -> BaseGeometry | None:
    """The union of a geometry's polygons (None when it has none).

    Parameters
    ----------
    geom : shapely geometry

    Returns
    -------
    shapely geometry or None
    """
    parts = [p for p in getattr(geom, "geoms", [geom]) if p.geom_type in POLYGONAL]
    return shapely.union_all(parts) if parts else None


def repair(geom: BaseGeometry) -> tuple[BaseGeometry | None, str]:
    """A valid polygonal version of a geometry, and what was wrong with it.

    Parameters
    ----------
    geom : shapely geometry
        Any geometry, e.g. a self-intersecting ring drawn or imported by a user.

    Returns
    -------
    geometry : shapely geometry or None
        ``geom`` itself when it is valid; else the polygonal part of ``make_valid(geom)``, or None
        when nothing polygonal is left (e.g. a ring collapsed to a line).
    note : str
        "" for a valid geometry, else ``"invalid geometry: <GEOS explanation>"``.
    """
    if geom is None or geom.is_valid:
        return geom, ""
    return polygonal_part(make_valid(geom)), f"invalid geometry: {explain_validity(geom)}"

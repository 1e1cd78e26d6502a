"""What the store may hold: the one per-feature geometry rule of the loader, the importer and the store.

A stored feature has a geometry (a polygon, for a parcel) of at most
:data:`geo.config.MAX_FEATURE_VERTICES` vertices, all finite, lies in the study area
(:mod:`geo.core.extent`) and is valid, with its coordinates on the store's grid (:data:`GRID_DEG`).
The loader reports a feature that breaks the rule (the validator a parcel that is not a polygon),
the importer blocks a boundary that would break it once snapped to the grid, and the store
refuses to write one — so nothing the importer accepts can stop the app from loading.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.errors import GEOSException
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from geo.config import MAX_FEATURE_VERTICES
from geo.core import extent

POLYGONAL = ("Polygon", "MultiPolygon")
"""The geometry types a parcel may have."""

GRID_DEG = 1e-7
"""Stored coordinates are snapped to this grid (about 1 cm), which keeps the files small and stable."""


def snap(geom: BaseGeometry | None) -> BaseGeometry | None:
    """The geometry as the store writes it: coordinates on the :data:`GRID_DEG` grid, kept valid.

    Never raises: a geometry GEOS cannot snap (non-finite coordinates, a topology failure) is
    repaired first and, failing that, returned as it is, for :func:`problems` to judge; one with
    more vertices than allowed is returned as it is (snapping it would only waste time).

    Parameters
    ----------
    geom : shapely geometry or None
        WGS84.

    Returns
    -------
    shapely geometry or None
        May be empty when the geometry is smaller than the grid (a sliver collapses).
    """
    if geom is None or geom.is_empty or too_many_vertices(geom) or not _finite(geom):
        return geom
    try:
        return shapely.set_precision(geom, GRID_DEG)
    except GEOSException:
        try:
            return shapely.set_precision(shapely.make_valid(geom), GRID_DEG)
        except GEOSException:
            return geom


def too_many_vertices(geom: BaseGeometry | None) -> str | None:
    """Why a geometry has too many vertices to be stored (None when it has few enough).

    Parameters
    ----------
    geom : shapely geometry or None

    Returns
    -------
    str or None
        ``"has <n> vertices, more than the <limit> a stored feature may have"``.
    """
    n = 0 if geom is None else int(shapely.get_num_coordinates(geom))
    if n > MAX_FEATURE_VERTICES:
        return f"has {n} vertices, more than the {MAX_FEATURE_VERTICES} a stored feature may have"
    return None


def _finite(geom: BaseGeometry) -> bool:
    return bool(np.isfinite(shapely.get_coordinates(geom, include_z=bool(geom.has_z))).all())


def problems(geom: BaseGeometry | None, layer: str | None = None) -> list[str]:
    """Why a geometry cannot be stored (empty when it can).

    Parameters
    ----------
    geom : shapely geometry or None
        WGS84, as stored (see :func:`snap`).
    layer : {"parcels", "zones"}, optional
        The layer it is stored in: a parcel must be a polygon (``"a Point cannot be a parcel (polygons
        only)"``, the importer's and the validator's rule too); zones may be any geometry.

    Returns
    -------
    list of str
        ``"has no geometry"``; or the vertex cap's message (:func:`too_many_vertices`, judged first and
        alone: a huge geometry is not examined further); or ``"has coordinates that are not finite
        numbers"``; or the study area's message (naming the box) and/or ``"invalid geometry: <GEOS
        explanation>"``.
    """
    if geom is None or geom.is_empty:
        return ["has no geometry"]
    if too_many := too_many_vertices(geom):
        return [too_many]
    if not _finite(geom):
        return ["has coordinates that are not finite numbers"]
    out = []
    if layer == "parcels" and geom.geom_type not in POLYGONAL:
        out.append(f"a {geom.geom_type} cannot be a parcel (polygons only)")
    outside = extent.outside_study_area(geom.bounds)
    if outside:
        out.append(outside)
    if not geom.is_valid:
        out.append(f"invalid geometry: {explain_validity(geom)}")
    return out

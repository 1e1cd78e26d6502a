"""What the store may hold: the one per-feature geometry rule of the loader, the importer and the store.

A stored feature has a geometry, lies in the study area (:mod:`geo.core.extent`) and is valid, with
its coordinates on the store's grid (:data:`GRID_DEG`). The loader reports a feature that breaks the
rule, the importer blocks a boundary that would break it once snapped to the grid, and the store
refuses to write one — so nothing the importer accepts can stop the app from loading.
"""

from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from geo.core import extent

GRID_DEG = 1e-7
"""Stored coordinates are snapped to this grid (about 1 cm), which keeps the files small and stable."""


def snap(geom: BaseGeometry) -> BaseGeometry:
    """The geometry as the store writes it: coordinates on the :data:`GRID_DEG` grid, kept valid.

    Parameters
    ----------
    geom : shapely geometry
        WGS84.

    Returns
    -------
    shapely geometry
        May be empty when the geometry is smaller than the grid (a sliver collapses).
    """
    return shapely.set_precision(geom, GRID_DEG)


def problems(geom: BaseGeometry | None) -> list[str]:
    """Why a geometry cannot be stored (empty when it can).

    Parameters
    ----------
    geom : shapely geometry or None
        WGS84, as stored (see :func:`snap`).

    Returns
    -------
    list of str
        ``"has no geometry"``; or the study area's message (naming the box) and/or
        ``"invalid geometry: <GEOS explanation>"``.
    """
    if geom is None or geom.is_empty:
        return ["has no geometry"]
    out = []
    outside = extent.outside_study_area(geom.bounds)
    if outside:
        out.append(outside)
    if not geom.is_valid:
        out.append(f"invalid geometry: {explain_validity(geom)}")
    return out

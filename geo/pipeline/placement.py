"""Schematic parcel footprints: squares sized to the plan's 亩, packed inside their zone.

No free source has the parcels' boundaries, so each project with a land area gets an
axis-aligned square whose area in its own Gauss–Krüger zone equals the plan's figure.
A square is deliberately obviously schematic. Squares are placed on a spiral of candidate
centres around the zone's position, inside the zone, keeping a gap to every other parcel.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import shapely
from shapely.geometry import Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from geo.config import M2_PER_MU, PLACEMENT_GAP_M, PLACEMENT_STEP_M, WGS84
from geo.core.crs import own_zone, project


@dataclass
class Placed:
    """A placed square.

    Attributes
    ----------
    geometry : shapely.Polygon
        WGS84.
    inside_zone : bool
        False when the zone could not hold it and it was placed beside the zone.
    note : str
        Why it is where it is ("" when inside its zone).
    """

    geometry: Polygon
    inside_zone: bool
    note: str


def square_m(cx: float, cy: float, mu: float) -> Polygon:
    """An axis-aligned square of ``mu`` 亩 centred on a point of a projected plane.

    Parameters
    ----------
    cx, cy : float
        Centre, metres.
    mu : float
        Area in 亩.

    Returns
    -------
    shapely.Polygon
    """
    s = math.sqrt(mu * M2_PER_MU)
    return box(cx - s / 2, cy - s / 2, cx + s / 2, cy + s / 2)


def _candidates(max_r: float) -> Iterator[tuple[float, float]]:
    yield 0.0, 0.0
    r = PLACEMENT_STEP_M
    while r <= max_r:
        n = max(8, int(2 * math.pi * r / PLACEMENT_STEP_M))
        for k in range(n):
            a = 2 * math.pi * k / n
            yield r * math.cos(a), r * math.sin(a)
        r += PLACEMENT_STEP_M


def round_coords(geom: BaseGeometry, ndigits: int = 7) -> BaseGeometry:
    """Round coordinates to 1e-7° (~1 cm): smaller files, area change far below 0.01 %.

    Parameters
    ----------
    geom : shapely geometry
    ndigits : int, default 7
        Decimal places kept.

    Returns
    -------
    shapely geometry
    """
    return shapely.set_precision(geom, 10 ** -ndigits, mode="pointwise")


def place_square(
    mu: float,
    anchor_lon: float,
    anchor_lat: float,
    zone: BaseGeometry,
    taken: list[BaseGeometry],
) -> Placed:
    """Place one square of `mu` 亩 near the anchor, inside `zone`, clear of `taken`.

    Candidate centres spiral out from the anchor (:data:`geo.config.PLACEMENT_STEP_M` apart); the
    first square inside the zone and at least :data:`geo.config.PLACEMENT_GAP_M` from every taken
    parcel wins. When the zone cannot hold it, the square goes beside the zone and the note says so.

    Parameters
    ----------
    mu : float
        Area in 亩, measured in the anchor's own GK zone.
    anchor_lon, anchor_lat : float
        WGS84.
    zone : shapely geometry
        WGS84 polygon the square should lie in.
    taken : list of shapely geometries
        WGS84 parcels already placed.

    Returns
    -------
    Placed

    Raises
    ------
    RuntimeError
        When no free position is found at all.
    """
    crs = own_zone(Point(anchor_lon, anchor_lat))
    zone_p = project(zone, crs)
    ax, ay = project(shapely.Point(anchor_lon, anchor_lat), crs).coords[0]
    taken_p = [project(t, crs).buffer(PLACEMENT_GAP_M, join_style="mitre") for t in taken]
    tree = shapely.STRtree(taken_p) if taken_p else None
    minx, miny, maxx, maxy = zone_p.bounds
    max_r = max(maxx - minx, maxy - miny) + math.sqrt(mu * M2_PER_MU)
    inside_prepared = shapely.prepared.prep(zone_p.buffer(-5.0))  # margin for the WGS84 round trip
    for dx, dy in _candidates(max_r):
        sq = square_m(ax + dx, ay + dy, mu)
        if not inside_prepared.contains(sq):
            continue
        if tree is not None and len(tree.query(sq, predicate="intersects")):
            continue
        return Placed(round_coords(project(sq, WGS84, src=crs)), True, "")
    # The zone cannot hold it: place it clear of others, nearest to the anchor, and say so.
    for dx, dy in _candidates(max_r * 4):
        sq = square_m(ax + dx, ay + dy, mu)
        if tree is not None and len(tree.query(sq, predicate="intersects")):
            continue
        return Placed(round_coords(project(sq, WGS84, src=crs)), False,
                      "zone too small for the plan's 亩: footprint placed beside the zone")
    raise RuntimeError("no free position found")

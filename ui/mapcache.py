"""Reuse the base map across reruns, and the parcel view across small pans.

Building the base map (every zone layer, districts, tools) takes ~0.3 s; most interactions change
only the projects and parcels (sector, 亩 range, a pan). The base map depends on the zones shown
and the map options, so one map per such key is kept per browser session, never rendered, and
handed out as a deep copy (st_folium renumbers and adds to the map it renders).

At district scale the parcel layer holds only the parcels around the view (padded by
`geo.render.layers.parcels.VIEW_PAD`); a pan that stays inside what was sent keeps the same layer, so neither the
server nor the browser redraws it.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib

import folium

from geo.core.filter import Selection
from geo.core.model import PlanData
from geo.render import mapview, options
from geo.render.layers.parcels import VIEW_PAD
from geo.render.layers.thematic import THEMATIC_MEASURES


def _digest(values: object) -> str:
    h = hashlib.blake2b(digest_size=16)
    for v in values:
        h.update(str(v).encode())
        h.update(b"\0")
    return h.hexdigest()


def base_key(data: PlanData, sel: Selection, opts: options.MapOptions) -> tuple:
    """What the base map depends on: the data set, the zones shown, the options and — for a thematic
    map, whose classes are sums over the selected projects — the projects."""
    projects = _digest(sel.projects.project_id) if opts.thematic in THEMATIC_MEASURES else ""
    return (id(data), _digest(sel.zones.zone_id), projects, repr(dataclasses.astuple(opts)))


class BaseMapCache:
    """Holds the last base map, never rendered, and its key; `get` rebuilds only when the key changes
    and otherwise hands out a deep copy (~35 ms against ~250 ms to build): st_folium renumbers the
    ids of every element of the map it renders and adds its own layers, so a rendered map cannot be
    rendered again."""

    def __init__(self) -> None:
        self.key: tuple | None = None
        self.map: folium.Map | None = None
        self.hits = 0
        self.builds = 0

    def get(self, data: PlanData, sel: Selection, opts: options.MapOptions) -> folium.Map:
        key = base_key(data, sel, opts)
        if key != self.key or self.map is None:
            self.map = mapview.base_map(data, sel, opts)
            self.key = key
            self.builds += 1
        else:
            self.hits += 1
        return copy.deepcopy(self.map)


Bounds = tuple[float, float, float, float]
View = tuple[Bounds, int]


def padded(bounds: Bounds, pad: float) -> Bounds:
    """The bounds grown by ``pad`` of their width and height on each side."""
    minx, miny, maxx, maxy = bounds
    px, py = (maxx - minx) * pad, (maxy - miny) * pad
    return (minx - px, miny - py, maxx + px, maxy + py)


def keep_view(sent: View | None, new: View | None) -> View | None:
    """The (bounds, zoom) to build the parcel layer for: the one already sent when the new view lies
    inside what was sent (same zoom), else the new one. Views are ((minx, miny, maxx, maxy), zoom)."""
    if not sent or not new or sent[1] != new[1]:
        return new
    sx0, sy0, sx1, sy1 = padded(sent[0], VIEW_PAD)
    x0, y0, x1, y1 = new[0]
    return sent if (x0 >= sx0 and y0 >= sy0 and x1 <= sx1 and y1 <= sy1) else new

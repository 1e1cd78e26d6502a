"""Reuse the base map across reruns, and the parcel view across small pans.

Building the base map (every zone layer, districts, tools) takes ~0.3 s; most interactions change
only the projects and parcels (sector, 亩 range, a pan). The base map depends on the zones shown
and the map options, so one map per such key is kept (per browser session: st_folium adds its
feature groups and layer control to the map it renders, so a map must not be shared between
sessions) and those st_folium children are removed before it is handed out again.

At district scale the parcel layer holds only the parcels around the view (padded by
`mapview.VIEW_PAD`); a pan that stays inside what was sent keeps the same layer, so neither the
server nor the browser redraws it.
"""

from __future__ import annotations

import dataclasses
import hashlib

import folium

from geo import mapview
from geo.filter import Selection
from geo.load import PlanData

ST_FOLIUM_CHILDREN = ("feature_group_feature_group_", "layer_control_layer_control")


def _digest(values) -> str:
    h = hashlib.blake2b(digest_size=16)
    for v in values:
        h.update(str(v).encode())
        h.update(b"\0")
    return h.hexdigest()


def base_key(data: PlanData, sel: Selection, opts: mapview.MapOptions) -> tuple:
    """What the base map depends on: the data set, the zones shown, the options and — for a thematic
    map, whose classes are sums over the selected projects — the projects."""
    projects = _digest(sel.projects.project_id) if opts.thematic in mapview.THEMATIC_MEASURES else ""
    return (id(data), _digest(sel.zones.zone_id), projects, repr(dataclasses.astuple(opts)))


class BaseMapCache:
    """Holds the last base map and its key; `get` rebuilds only when the key changes."""

    def __init__(self) -> None:
        self.key: tuple | None = None
        self.map: folium.Map | None = None
        self.hits = 0
        self.builds = 0

    def get(self, data: PlanData, sel: Selection, opts: mapview.MapOptions, memberships=None) -> folium.Map:
        key = base_key(data, sel, opts)
        if key != self.key or self.map is None:
            self.map = mapview.base_map(data, sel, opts, memberships)
            self.key = key
            self.builds += 1
        else:
            for name in [n for n in self.map._children if n.startswith(ST_FOLIUM_CHILDREN)]:
                del self.map._children[name]
            self.hits += 1
        return self.map


def padded(bounds, pad: float) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = bounds
    px, py = (maxx - minx) * pad, (maxy - miny) * pad
    return (minx - px, miny - py, maxx + px, maxy + py)


def keep_view(sent, new):
    """The (bounds, zoom) to build the parcel layer for: the one already sent when the new view lies
    inside what was sent (same zoom), else the new one. Views are ((minx, miny, maxx, maxy), zoom)."""
    if not sent or not new or sent[1] != new[1]:
        return new
    sx0, sy0, sx1, sy1 = padded(sent[0], mapview.VIEW_PAD)
    x0, y0, x1, y1 = new[0]
    return sent if (x0 >= sx0 and y0 >= sy0 and x1 <= sx1 and y1 <= sy1) else new

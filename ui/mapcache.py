"""Reuse the base map across reruns, and the parcel view across small pans.

Building the base map (every zone layer, districts, tools) takes ~0.3 s; most interactions change
only the projects and parcels (sector, 亩 range, a pan). The base map depends on the zones shown
and the map options, so one map per such key is kept per browser session, never rendered, and
handed out as a deep copy (st_folium renumbers and adds to the map it renders), or — for the planning
map — rendered once (:class:`ui.mapframe.RenderedBase`) and handed out as it is. The maps are also
shared by every session of the server (:data:`SHARED`, the last :data:`SHARED_SIZE` keys): the next
planner to open the page, or to switch to a language someone already used, gets a copy instead of a
build.

At district scale the parcel layer holds only the parcels around the view (padded by
`geo.render.layers.parcels.VIEW_PAD`); a pan that stays inside what was sent keeps the same layer, so neither the
server nor the browser redraws it.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import threading
import weakref
from collections import OrderedDict

import folium

from geo.core.filter import Selection
from geo.core.model import PlanData
from geo.render import mapview, options
from geo.render.layers.parcels import VIEW_PAD
from geo.render.layers.thematic import THEMATIC_MEASURES
from ui.mapframe import RenderedBase


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


SHARED_SIZE = 12
"""How many base maps the server keeps for all sessions (a few MB each)."""


class SharedMaps:
    """Base maps shared by every session of the server process, least recently used dropped first.

    An entry holds a weak reference to the data it was built from: after a reload (new data) a key
    that happens to repeat the old data's ``id`` does not hand out the old map.

    Parameters
    ----------
    size : int
        Entries kept.
    """

    def __init__(self, size: int = SHARED_SIZE) -> None:
        self.size = size
        self._maps: OrderedDict[tuple, tuple[weakref.ref, folium.Map]] = OrderedDict()
        self._rendered: dict[tuple, RenderedBase] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple, data: PlanData) -> folium.Map | None:
        """The map kept under ``key`` for this data, or None.

        Parameters
        ----------
        key : tuple
            :func:`base_key`.
        data : PlanData

        Returns
        -------
        folium.Map or None
            Never rendered: hand out copies only.
        """
        with self._lock:
            entry = self._maps.get(key)
            if entry is None or entry[0]() is not data:
                return None
            self._maps.move_to_end(key)
            return entry[1]

    def put(self, key: tuple, data: PlanData, m: folium.Map) -> None:
        """Keep a freshly built, never rendered map.

        Parameters
        ----------
        key : tuple
        data : PlanData
        m : folium.Map
        """
        with self._lock:
            self._maps[key] = (weakref.ref(data), m)
            self._maps.move_to_end(key)
            self._rendered.pop(key, None)
            while len(self._maps) > self.size:
                self._rendered.pop(self._maps.popitem(last=False)[0], None)

    def rendered(self, key: tuple, data: PlanData) -> RenderedBase | None:
        """The rendered form of the map kept under ``key`` for this data (:meth:`put_rendered`), or None."""
        with self._lock:
            entry = self._maps.get(key)
            if entry is None or entry[0]() is not data:
                return None
            return self._rendered.get(key)

    def put_rendered(self, key: tuple, data: PlanData, frame: RenderedBase) -> None:
        """Keep the rendered form of the map kept under ``key`` (dropped with it)."""
        with self._lock:
            entry = self._maps.get(key)
            if entry is not None and entry[0]() is data:
                self._rendered[key] = frame


SHARED = SharedMaps()
"""The server's base maps (the app's pages pass it to their :class:`BaseMapCache`)."""


class BaseMapCache:
    """Holds the session's last base map, never rendered, and its key; `get` rebuilds only when the key
    changes and no other session has built it (``shared``), and otherwise hands out a deep copy
    (~20 ms against ~250 ms to build): st_folium renumbers the ids of every element of the map it
    renders and adds its own layers, so a rendered map cannot be rendered again.

    Parameters
    ----------
    shared : SharedMaps, optional
        The server's maps; None keeps the cache to this session.
    """

    def __init__(self, shared: SharedMaps | None = None) -> None:
        self.key: tuple | None = None
        self.map: folium.Map | None = None
        self.shared = shared
        self.frame: RenderedBase | None = None
        self.hits = 0
        self.shared_hits = 0
        self.builds = 0
        self.renders = 0

    def _base(self, data: PlanData, sel: Selection, opts: options.MapOptions) -> tuple[tuple, folium.Map]:
        """The key and the never-rendered base map: this session's, another session's, or built."""
        key = base_key(data, sel, opts)
        if key != self.key or self.map is None:
            m = self.shared.get(key, data) if self.shared is not None else None
            if m is None:
                m = mapview.base_map(data, sel, opts)
                self.builds += 1
                if self.shared is not None:
                    self.shared.put(key, data, m)
            else:
                self.shared_hits += 1
            self.map, self.key, self.frame = m, key, None
        else:
            self.hits += 1
        return key, self.map

    def get(self, data: PlanData, sel: Selection, opts: options.MapOptions) -> folium.Map:
        """A copy of the base map for this data, selection and options (:func:`base_key`).

        Parameters
        ----------
        data : PlanData
        sel : Selection
        opts : MapOptions

        Returns
        -------
        folium.Map
            A deep copy, the caller's to render.
        """
        return copy.deepcopy(self._base(data, sel, opts)[1])

    def rendered(self, data: PlanData, sel: Selection, opts: options.MapOptions) -> RenderedBase:
        """The base map rendered once for this data, selection and options (:func:`base_key`), shared like
        the map: no copy and no rendering when this session or another has rendered it.

        Parameters
        ----------
        data : PlanData
        sel : Selection
        opts : MapOptions

        Returns
        -------
        RenderedBase
            Shared: add layers only through :meth:`RenderedBase.overlays`.
        """
        key, m = self._base(data, sel, opts)
        if self.frame is None:
            self.frame = self.shared.rendered(key, data) if self.shared is not None else None
            if self.frame is None:
                self.frame = RenderedBase(m)
                self.renders += 1
                if self.shared is not None:
                    self.shared.put_rendered(key, data, self.frame)
        return self.frame


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

"""Vector tiles of the parcel layer, served by the app's own process: one tile function over two sources.

- :class:`TilesetTiles`: a PMTiles file built by :mod:`geo.pipeline.tileset` (the file store; ``python -m geo
  tiles`` or the app when the data changed);
- :class:`PostgisTiles`: ``ST_AsMVT`` per request from the database when it is the store, with a tile cache.

Sources are registered under the key of the data they show (:func:`register`); the map asks for
``/tiles/<key>/{z}/{x}/{y}.mvt`` (:func:`tile_url`), so a tile of one key never changes and the browser may
keep it (:data:`CACHE_CONTROL`). :func:`respond` answers a request: the tile's bytes (gzip MVT), or a clear
message naming the part of the address that is wrong.
"""

from __future__ import annotations

import mmap
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pmtiles.reader import Reader

from geo.core import tilegrid

ROUTE = "/tiles/{key}/{z}/{x}/{y}.mvt"
"""The tile route (Starlette path syntax) mounted beside the app (``server.py``)."""
MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
CACHE_CONTROL = "public, max-age=31536000, immutable"
"""A key names one state of the data: its tiles never change."""
_KEY_CHARS = frozenset("0123456789abcdef")
_MOUNTED: list[bool] = []


def mount() -> None:
    """Record that this process serves :data:`ROUTE` (``server.py`` calls it): the map may then use tiles."""
    _MOUNTED[:] = [True]


def mounted() -> bool:
    """Whether this process serves the tile route (not under ``streamlit run app.py`` or ``AppTest``)."""
    return bool(_MOUNTED)


class TileSource(Protocol):
    """Where the tiles of one key come from."""

    key: str
    meta: dict

    def tile(self, z: int, x: int, y: int) -> bytes:
        """The tile's gzip-compressed MVT (an empty tile is ``b""``)."""
        ...


class TilesetTiles:
    """Tiles read from a PMTiles file (memory-mapped; the file is replaced atomically, never rewritten in place).

    Parameters
    ----------
    path : path-like
    meta : dict
        Its metadata (:func:`geo.pipeline.tileset.read_metadata`).
    """

    def __init__(self, path: str | os.PathLike, meta: dict) -> None:
        self.path = Path(path)
        self.meta = meta
        self.key = str(meta["key"])
        with open(self.path, "rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        self._reader = Reader(lambda offset, length: self._map[offset:offset + length])

    def tile(self, z: int, x: int, y: int) -> bytes:
        """The tile's bytes as stored (gzip MVT), ``b""`` where the set has none.

        Parameters
        ----------
        z, x, y : int

        Returns
        -------
        bytes
        """
        return self._reader.get(z, x, y) or b""


@dataclass
class _Registry:
    sources: dict[str, TileSource]
    lock: threading.Lock


_REGISTRY = _Registry({}, threading.Lock())


def register(source: TileSource) -> str:
    """Serve a source's tiles under its key (the process keeps the last few keys: a page open on older data
    still gets its tiles).

    Parameters
    ----------
    source : TileSource

    Returns
    -------
    str
        The key.
    """
    with _REGISTRY.lock:
        _REGISTRY.sources.pop(source.key, None)
        _REGISTRY.sources[source.key] = source
        while len(_REGISTRY.sources) > 4:
            _REGISTRY.sources.pop(next(iter(_REGISTRY.sources)))
    return source.key


def registered(key: str) -> TileSource | None:
    """The source registered under a key, or None."""
    with _REGISTRY.lock:
        return _REGISTRY.sources.get(key)


def tile_url(key: str) -> str:
    """The Leaflet URL template of a key's tiles (relative to the app's root).

    Parameters
    ----------
    key : str

    Returns
    -------
    str
    """
    return ROUTE.replace("{key}", key)


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, body and headers."""

    status: int
    body: bytes
    headers: dict[str, str]


def _error(status: int, message: str) -> Answer:
    return Answer(status, message.encode(), {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"})


def respond(key: str, z: str, x: str, y: str) -> Answer:
    """The answer to ``/tiles/<key>/<z>/<x>/<y>.mvt``: the tile, or 400/404 with a message naming the problem.

    Parameters
    ----------
    key, z, x, y : str
        The address's parts as requested.

    Returns
    -------
    Answer
    """
    if len(key) > 64 or not key or not set(key) <= _KEY_CHARS:
        return _error(400, "tile key: expected up to 64 hex digits")
    parts = {}
    for name, raw in (("z", z), ("x", x), ("y", y)):
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 8:
            return _error(400, f"tile {name}: {raw[:20]!r} is not a whole number")
        parts[name] = int(raw)
    try:
        tilegrid.check_tile(parts["z"], parts["x"], parts["y"])
    except tilegrid.TileError as e:
        return _error(400, f"tile: {e}")
    source = registered(key)
    if source is None:
        return _error(404, f"tile key {key}: no such tile set in this server (the data changed: reload the page)")
    body = source.tile(parts["z"], parts["x"], parts["y"])
    headers = {"Content-Type": MEDIA_TYPE, "Cache-Control": CACHE_CONTROL, "Access-Control-Allow-Origin": "*"}
    if body[:2] == b"\x1f\x8b":
        headers["Content-Encoding"] = "gzip"
    return Answer(200, body, headers)


class LruTiles:
    """A bounded cache of tiles by address (shared by the requests of one source).

    Parameters
    ----------
    size : int
        Tiles kept.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._tiles: OrderedDict[tuple[int, int, int], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, address: tuple[int, int, int]) -> bytes | None:
        """A cached tile, or None."""
        with self._lock:
            body = self._tiles.get(address)
            if body is not None:
                self._tiles.move_to_end(address)
            return body

    def put(self, address: tuple[int, int, int], body: bytes) -> None:
        """Keep a tile (the least recently used goes beyond :attr:`size`)."""
        with self._lock:
            self._tiles[address] = body
            self._tiles.move_to_end(address)
            while len(self._tiles) > self.size:
                self._tiles.popitem(last=False)

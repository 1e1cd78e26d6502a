"""The parcel layer's vector tiles from PostGIS (``ST_AsMVT`` per request, cached): the database answers each view.

The same three layers as the file store's tile set (:mod:`geo.pipeline.tileset`), with the same properties and
zooms, so the browser draws either the same way: ``parcels`` from the first zoom whose fullest tile holds at most
:data:`geo.core.tiling.TILE_PARCELS_MAX` parcels, ``labels`` (one point per parcel) at
:data:`~geo.core.tiling.MAX_DATA_ZOOM`, ``density`` cells per sector group above. A parcel tile is cut through the
GiST index on the parcels' geometry; names and sector groups come from ``project_tiles`` (filled at each load). The
density cells are summed by the database once, when the source opens (one scan at the finest cell size), and kept:
they are aggregates, a few thousand cells (:class:`geo.core.densitycells.DensityCells`, the file tile set's own).
The source's key is the database's version of the parcel layer: a change makes a new key, and the tiles of the
old one are dropped with it.
"""

from __future__ import annotations

import gzip
import hashlib

import numpy as np
import pandas as pd
import psycopg

from geo.config import GK_CM105, redact_url
from geo.core import tilegrid, tiling
from geo.core.densitycells import DensityCells, finest
from geo.core.tiling import BUFFER
from geo.io import pgschema
from geo.io.pgschema import SCHEMA
from geo.io.tiles import LruTiles

GK_SRID = int(GK_CM105.split(":")[1])
_PARCEL_PROPS = ("p.project_id AS id, coalesce(t.s, '') AS s, "  # tiling.PARCEL_PROPERTIES
                 "(p.feature->'properties'->>'area_mu')::float8 AS mu, "
                 "p.feature->'properties'->>'geometry_source' AS src")
_FROM = f"{SCHEMA}.parcels p LEFT JOIN {SCHEMA}.project_tiles t ON t.project_id = p.project_id"


def _tile_sql(layer: str) -> str:
    env = "ST_TileEnvelope(%(z)s, %(x)s, %(y)s)"
    grown = f"ST_Transform(ST_Expand({env}, (ST_XMax({env}) - ST_XMin({env})) * {BUFFER} / 4096.0), 4326)"
    if layer == "parcels":
        return (f"SELECT ST_AsMVT(q, 'parcels', 4096, 'geom') FROM (SELECT ST_AsMVTGeom(ST_Transform(p.geom, 3857), "
                f"{env}, 4096, {BUFFER}, true) AS geom, {_PARCEL_PROPS} FROM {_FROM} "
                f"WHERE p.geom && {grown}) q WHERE q.geom IS NOT NULL")
    if layer == "labels":
        return (f"SELECT ST_AsMVT(q, 'labels', 4096, 'geom') FROM (SELECT ST_AsMVTGeom(ST_Transform(pt, 3857), "
                f"{env}, 4096, {BUFFER}, true) AS geom, id, nz, ne, s FROM (SELECT ST_PointOnSurface(p.geom) AS pt, "
                f"p.project_id AS id, t.nz, t.ne, coalesce(t.s, '') AS s FROM {_FROM} "
                f"WHERE p.geom && {grown}) l WHERE pt && {grown}) q "
                f"WHERE q.geom IS NOT NULL")
    raise ValueError(layer)


class PostgisTiles:
    """Tiles cut by the database per request, kept in a bounded cache.

    Parameters
    ----------
    url : str
        The database (``postgresql://…``).

    Attributes
    ----------
    key : str
        16 hex digits of the database and its parcel layer's version.
    meta : dict
        As a tile set's metadata: ``sectors``, ``parcel_min_zoom``, ``max_zoom``, ``min_zoom``, ``parcels``,
        ``density_breaks``, ``bounds_wgs84``.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._cache = LruTiles()
        with pgschema.connect(url) as conn:
            pgschema.require(conn, url)
            conn.commit()
            meta = self._read_meta(conn, url)
        self._cells = meta.pop("cells")
        self.key, self.sectors, self.meta = meta["key"], meta["sectors"], meta

    @staticmethod
    def _read_meta(conn: psycopg.Connection, url: str) -> dict:
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            version = conn.execute(
                f"SELECT greatest((SELECT value::bigint FROM {SCHEMA}.meta WHERE key = 'loaded_seq'), "
                f"(SELECT max(seq) FROM {SCHEMA}.history WHERE layer = 'parcels'))").fetchone()[0]
            key = hashlib.sha256(f"{redact_url(url)}|{version}".encode()).hexdigest()[:16]
            sectors = [r[0] for r in conn.execute(
                f"SELECT DISTINCT t.s COLLATE \"C\" FROM {_FROM} WHERE t.s <> '' ORDER BY 1").fetchall()]
            count, x0, y0, x1, y1 = conn.execute(
                f"SELECT n, ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT count(*) AS n, ST_Extent(geom) AS e "
                f"FROM {SCHEMA}.parcels) b").fetchone()
            minz = PostgisTiles._parcel_min_zoom(conn)
            cells = PostgisTiles._density(conn, sectors, range(tiling.MIN_DENSITY_ZOOM, minz))
        return {"key": key, "sectors": sectors, "parcel_min_zoom": minz, "max_zoom": tiling.MAX_DATA_ZOOM,
                "min_zoom": tiling.MIN_DENSITY_ZOOM, "parcels": int(count), "density_breaks": cells.breaks,
                "cells": cells,
                "bounds_wgs84": [x0, y0, x1, y1] if x0 is not None else [106.2, 29.4, 106.6, 29.7]}

    @staticmethod
    def _parcel_min_zoom(conn: psycopg.Connection) -> int:
        """Parcels per tile of the deepest zoom (one scan), then :func:`geo.core.tiling.parcel_min_zoom`."""
        rows = conn.execute(
            "SELECT floor((ST_X(pt) + 180) / 360 * %(n)s)::bigint, floor((1 - ln(tan(radians(ST_Y(pt))) + "
            "1 / cos(radians(ST_Y(pt)))) / pi()) / 2 * %(n)s)::bigint, count(*) FROM (SELECT ST_PointOnSurface(geom) "
            f"AS pt FROM {SCHEMA}.parcels) p GROUP BY 1, 2", {"n": 1 << tiling.MAX_DATA_ZOOM}).fetchall()
        if not rows:
            return tiling.MIN_PARCEL_ZOOM
        a = np.asarray(rows, dtype=np.int64)
        return tiling.parcel_min_zoom(a[:, 0], a[:, 1], a[:, 2])

    @staticmethod
    def _density(conn: psycopg.Connection, sectors: list[str], zooms: range) -> DensityCells:
        """The density cells, summed by the database at the finest cell size (one scan), kept in memory (they are
        aggregates: a few thousand cells, not the parcels)."""
        size = finest(zooms)
        rows = conn.execute(
            f"SELECT floor(ST_X(pt) / %(s)s)::bigint, floor(ST_Y(pt) / %(s)s)::bigint, coalesce(array_position("
            f"%(sectors)s::text[], s), 0) - 1, count(*), coalesce(sum(mu), 0) FROM (SELECT ST_Transform("
            f"ST_PointOnSurface(p.geom), {GK_SRID}) AS pt, t.s, (p.feature->'properties'->>'area_mu')::float8 AS mu "
            f"FROM {_FROM}) d GROUP BY 1, 2, 3", {"s": size, "sectors": sectors}).fetchall()
        base = pd.DataFrame(rows, columns=["gx", "gy", "k", "n", "m"]).astype(
            {"gx": "int64", "gy": "int64", "k": "int64", "n": "int64", "m": "float64"})
        return DensityCells(base, size, zooms)

    def tile(self, z: int, x: int, y: int) -> bytes:
        """The tile (gzip MVT), from the cache or the database; ``b""`` outside the layer's zooms.

        Parameters
        ----------
        z, x, y : int

        Returns
        -------
        bytes
        """
        tilegrid.check_tile(z, x, y)
        if z < tiling.MIN_DENSITY_ZOOM or z > tiling.MAX_DATA_ZOOM:
            return b""
        hit = self._cache.get((z, x, y))
        if hit is not None:
            return hit
        if z < self.meta["parcel_min_zoom"]:
            body = self._cells.tile(z, x, y)
        else:
            args = {"z": z, "x": x, "y": y}
            with pgschema.connect(self.url) as conn, conn.transaction():
                conn.execute("SET TRANSACTION READ ONLY")
                parts = [conn.execute(_tile_sql("parcels"), args).fetchone()[0]]
                if z >= tiling.MAX_DATA_ZOOM:
                    parts.append(conn.execute(_tile_sql("labels"), args).fetchone()[0])
            raw = b"".join(bytes(p) for p in parts if p)
            body = gzip.compress(raw, mtime=0) if raw else b""
        self._cache.put((z, x, y), body)
        return body

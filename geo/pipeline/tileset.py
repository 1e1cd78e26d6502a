"""The parcel layer as a vector tile set (PMTiles): what the map draws at city scale without holding the parcels.

One file, two layers:

- ``parcels`` from :func:`parcel_min_zoom` to :data:`MAX_DATA_ZOOM` (the map over-zooms beyond): each parcel
  with the few properties the map styles, filters and names it by (:data:`TILE_PROPERTIES`), cut into tiles by
  the GDAL that pyogrio bundles (its PMTiles writer);
- ``labels`` at :data:`MAX_DATA_ZOOM`: one point per parcel (its representative point) with its names, so that a
  name is placed once, not once per tile a parcel crosses;
- ``density`` below that zoom: square cells of :func:`geo.core.tiling.cell_size` with, per sector
  group, the number of parcels and Σ亩 (``n0``, ``m0``, ``n1`` …; the groups in the metadata's ``sectors``), so
  the map can show the cells of the current sector filter without asking the server again.

The metadata also carries the ``key`` of the data the tiles were made from (:func:`tileset_key`): a tile set
whose key differs from the data's is stale and is built again (:func:`ensure_tileset`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from pmtiles.reader import MmapSource, Reader, all_tiles
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

from geo.config import GK_CM105, WGS84
from geo.core.densitycells import DensityCells, base_cells, finest
from geo.core.tiling import (
    LABEL_PROPERTIES,
    MAX_DATA_ZOOM,
    MIN_DENSITY_ZOOM,
    MIN_PARCEL_ZOOM,
    PARCEL_PROPERTIES,
    TILE_PROPERTIES,
    sector_of,
    tile_index,
)
from geo.core.tiling import parcel_min_zoom as tiling_min_zoom
from geo.io.atomic import atomic_path

_BUILD_LOCK = threading.Lock()


def tile_frame(parcels: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The parcels with only the tile properties (:data:`TILE_PROPERTIES`), WGS84.

    Parameters
    ----------
    parcels : geopandas.GeoDataFrame
        Joined parcels (``project_id``, names, ``sector_group_zh``, ``area_mu``, ``geometry_source``).

    Returns
    -------
    geopandas.GeoDataFrame
    """
    cols = {"id": parcels["project_id"].fillna("").astype(str).to_numpy(),
            "nz": parcels["name_zh"].fillna("").astype(str).to_numpy(),
            "ne": parcels["name_en"].fillna("").astype(str).to_numpy(),
            "s": sector_of(parcels).to_numpy(),
            "mu": pd.to_numeric(parcels["area_mu"], errors="coerce").to_numpy(),  # as stored
            "src": parcels["geometry_source"].fillna("").astype(str).to_numpy()}
    return gpd.GeoDataFrame(cols, geometry=parcels.geometry.to_crs(WGS84).values, crs=WGS84)


def tileset_key(parcels: gpd.GeoDataFrame, version: str = "") -> str:
    """A digest of what the tiles show: the tile properties, each parcel's bounds and the store's version.

    Parameters
    ----------
    parcels : geopandas.GeoDataFrame
        Joined parcels.
    version : str, default ""
        The store's version of the parcel layer (:meth:`geo.io.store.Store.version`).

    Returns
    -------
    str
        16 hex digits.
    """
    frame = tile_frame(parcels)
    h = hashlib.sha256(version.encode())
    h.update(pd.util.hash_pandas_object(pd.DataFrame(frame.drop(columns="geometry")), index=False).to_numpy().tobytes())
    h.update(np.ascontiguousarray(frame.geometry.bounds.to_numpy()).tobytes())
    h.update(json.dumps(TILE_PROPERTIES).encode())
    return h.hexdigest()[:16]


def parcel_min_zoom(parcels: gpd.GeoDataFrame) -> int:
    """The first zoom of the parcel layer (:func:`geo.core.tiling.parcel_min_zoom`) for these parcels.

    Parameters
    ----------
    parcels : geopandas.GeoDataFrame
        WGS84.

    Returns
    -------
    int
    """
    if not len(parcels):
        return MIN_PARCEL_ZOOM
    pts = parcels.geometry.representative_point()
    tx, ty = tile_index(pts.x.to_numpy(), pts.y.to_numpy())
    per = pd.Series(1, index=pd.MultiIndex.from_arrays([tx, ty])).groupby(level=[0, 1]).sum()
    return tiling_min_zoom(per.index.get_level_values(0).to_numpy(), per.index.get_level_values(1).to_numpy(),
                           per.to_numpy())


def density_cells(parcels: gpd.GeoDataFrame, sectors: list[str], zooms: range) -> DensityCells:
    """The ``density`` layer's cells for these parcels (:class:`geo.core.densitycells.DensityCells`).

    Parameters
    ----------
    parcels : geopandas.GeoDataFrame
        Joined parcels; ``rep_x``/``rep_y`` (representative points in :data:`geo.config.GK_CM105`) when present.
    sectors : list of str
        The sector groups in property order (``n0``/``m0`` is the first).
    zooms : range

    Returns
    -------
    DensityCells
    """
    if "rep_x" in parcels.columns:
        xs, ys = parcels.rep_x.to_numpy(dtype=float), parcels.rep_y.to_numpy(dtype=float)
    else:
        pts = parcels.geometry.representative_point().to_crs(GK_CM105)
        xs, ys = pts.x.to_numpy(), pts.y.to_numpy()
    code = pd.Categorical(sector_of(parcels), categories=sectors).codes
    mu = pd.to_numeric(parcels["area_mu"], errors="coerce").to_numpy(dtype=float)
    size = finest(zooms)
    return DensityCells(base_cells(xs, ys, code, mu, size), size, zooms)


def _merged(a: bytes, b: bytes) -> bytes:
    """Two gzip MVT tiles as one holding the layers of both (a tile is a list of layers: the messages concatenate)."""
    return gzip.compress(gzip.decompress(a) + gzip.decompress(b), mtime=0)


def build_tileset(parcels: gpd.GeoDataFrame, path: str | os.PathLike, key: str) -> dict:
    """Write the parcels' tile set (PMTiles) to ``path`` atomically.

    Parameters
    ----------
    parcels : geopandas.GeoDataFrame
        Joined parcels (:func:`tile_frame`'s columns, ``rep_x``/``rep_y`` when prepared).
    path : path-like
    key : str
        :func:`tileset_key` of the data, kept in the metadata.

    Returns
    -------
    dict
        The metadata written (``key``, ``sectors``, ``parcel_min_zoom``, ``max_zoom``, ``parcels`` …).
    """
    frame = tile_frame(parcels)
    sectors = sorted(s for s in frame.s.unique() if s)
    minz = parcel_min_zoom(frame)
    dens = density_cells(parcels, sectors, range(MIN_DENSITY_ZOOM, minz))
    breaks = dens.breaks
    tiles: dict[int, bytes] = {zxy_to_tileid(*t): dens.tile(*t) for t in dens.tiles()}
    with tempfile.TemporaryDirectory(prefix="scimap-tiles-") as tmp:
        if len(frame):
            points = gpd.GeoDataFrame(frame[list(LABEL_PROPERTIES)], geometry=frame.geometry.representative_point(),
                                      crs=WGS84)
            shapes = gpd.GeoDataFrame(frame[list(PARCEL_PROPERTIES)], geometry=frame.geometry.values, crs=WGS84)
            for name, layer, lo in (("parcels", shapes, minz), ("labels", points, MAX_DATA_ZOOM)):
                src = Path(tmp) / f"{name}.pmtiles"
                pyogrio.write_dataframe(layer, src, driver="PMTiles", layer=name,
                                        dataset_options={"MINZOOM": str(lo), "MAXZOOM": str(MAX_DATA_ZOOM)})
                with open(src, "rb") as f:
                    for (z, x, y), data in all_tiles(MmapSource(f)):
                        tid = zxy_to_tileid(z, x, y)
                        tiles[tid] = _merged(tiles[tid], data) if tid in tiles else data
    w, s, e, n = (frame.total_bounds.tolist() if len(frame) else [106.2, 29.4, 106.6, 29.7])
    meta = {"name": "scimap parcels", "format": "pbf", "key": key, "sectors": sectors, "parcel_min_zoom": minz,
            "max_zoom": MAX_DATA_ZOOM, "min_zoom": MIN_DENSITY_ZOOM, "parcels": int(len(frame)), "density_breaks": breaks,
            "bounds_wgs84": [w, s, e, n],
            "vector_layers": [{"id": "parcels", "fields": dict.fromkeys(PARCEL_PROPERTIES, "String"),
                               "minzoom": minz, "maxzoom": MAX_DATA_ZOOM},
                              {"id": "labels", "fields": dict.fromkeys(LABEL_PROPERTIES, "String"),
                               "minzoom": MAX_DATA_ZOOM, "maxzoom": MAX_DATA_ZOOM},
                              {"id": "density", "fields": {"n": "Number", "m": "Number"},
                               "minzoom": MIN_DENSITY_ZOOM, "maxzoom": max(minz - 1, MIN_DENSITY_ZOOM)}]}
    header = {"tile_type": TileType.MVT, "tile_compression": Compression.GZIP, "min_zoom": MIN_DENSITY_ZOOM,
              "max_zoom": MAX_DATA_ZOOM, "min_lon_e7": int(w * 1e7), "min_lat_e7": int(s * 1e7),
              "max_lon_e7": int(e * 1e7), "max_lat_e7": int(n * 1e7), "center_zoom": minz,
              "center_lon_e7": int((w + e) / 2 * 1e7), "center_lat_e7": int((s + n) / 2 * 1e7)}
    with atomic_path(path) as tmp_path, open(tmp_path, "wb") as f:
        writer = Writer(f)
        for tid in sorted(tiles):
            writer.write_tile(tid, tiles[tid])
        writer.finalize(header, meta)
    return meta


def read_metadata(path: str | os.PathLike) -> dict | None:
    """A tile set's metadata, or None when the file is missing or not a tile set.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    dict or None
    """
    try:
        with open(path, "rb") as f:
            return Reader(MmapSource(f)).metadata()
    except (OSError, ValueError, KeyError, json.JSONDecodeError, Exception):  # noqa: BLE001 — any unreadable file
        return None


KEEP = 3
"""Tile sets kept in the folder (the newest; a page open on older data still gets its tiles a while)."""


def ensure_tileset(parcels: gpd.GeoDataFrame, folder: str | os.PathLike, version: str = "") -> tuple[Path, dict]:
    """The tile set of these parcels in ``folder`` (``parcels-<key>.pmtiles``): built when there is none for their
    key (:func:`tileset_key`) — the parcels changed, or the first time; older sets beyond :data:`KEEP` are removed.

    Parameters
    ----------
    parcels : geopandas.GeoDataFrame
        Joined parcels.
    folder : path-like
    version : str, default ""
        The store's version of the parcel layer.

    Returns
    -------
    (Path, dict)
        The tile set's file and metadata.
    """
    key = tileset_key(parcels, version)
    path = Path(folder) / f"parcels-{key}.pmtiles"
    with _BUILD_LOCK:
        meta = read_metadata(path)
        if not (meta and meta.get("key") == key):
            meta = build_tileset(parcels, path, key)
        old = sorted(Path(folder).glob("parcels-*.pmtiles"), key=lambda p: p.stat().st_mtime, reverse=True)
        for p in [p for p in old if p != path][KEEP - 1:]:
            p.unlink(missing_ok=True)
    return path, meta

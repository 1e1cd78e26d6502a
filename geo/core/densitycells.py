"""The density cells of the parcel layer's tiles: per zoom, square cells of :func:`geo.core.tiling.cell_size` in the
:data:`geo.config.GK_CM105` grid with the number of parcels and Σ亩, in total and per sector group, encoded as the
tiles' ``density`` layer. Built from one aggregation at the finest cell size (every coarser size is a whole multiple
of it on the same grid), whether the parcels' points are at hand (the file tile set) or summed by the database
(:mod:`geo.io.pgtiles`): both sources give the same tiles.
"""

from __future__ import annotations

import gzip
import math
import warnings

import mapbox_vector_tile
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geo.config import GK_CM105
from geo.core import tilegrid
from geo.core.tiling import EXTENT, cell_size, classify

_TO_WGS84 = Transformer.from_crs(GK_CM105, "EPSG:4326", always_xy=True)
_TO_MERCATOR = Transformer.from_crs(GK_CM105, "EPSG:3857", always_xy=True)


def base_cells(xs: np.ndarray, ys: np.ndarray, codes: np.ndarray, mu: np.ndarray, size: int) -> pd.DataFrame:
    """Parcels counted per cell of ``size`` metres and sector (what the database's one ``GROUP BY`` gives).

    Parameters
    ----------
    xs, ys : numpy.ndarray
        Representative points in :data:`geo.config.GK_CM105`.
    codes : numpy.ndarray of int
        Sector index per parcel (-1: none).
    mu : numpy.ndarray
        亩 per parcel (NaN counts as 0).
    size : int

    Returns
    -------
    pandas.DataFrame
        ``gx``, ``gy``, ``k``, ``n``, ``m``.
    """
    df = pd.DataFrame({"gx": np.floor(xs / size).astype(np.int64), "gy": np.floor(ys / size).astype(np.int64),
                       "k": np.asarray(codes, dtype=np.int64), "mu": np.nan_to_num(np.asarray(mu, dtype=float))})
    return df.groupby(["gx", "gy", "k"], sort=True).agg(n=("mu", "size"), m=("mu", "sum")).reset_index()


class DensityCells:
    """The cells of every density zoom, and their tiles.

    Parameters
    ----------
    base : pandas.DataFrame
        :func:`base_cells` at ``base_size``.
    base_size : int
        Metres; every zoom's cell size is a whole multiple of it.
    zooms : range

    Attributes
    ----------
    breaks : dict of str to list of float
        Zoom (as text) → upper bounds of the classes of the cells' counts (:func:`geo.core.tiling.classify`).
    """

    def __init__(self, base: pd.DataFrame, base_size: int, zooms: range) -> None:
        self.props: dict[int, list[dict]] = {}
        self.boxes: dict[int, np.ndarray] = {}
        self.by_tile: dict[tuple[int, int, int], list[int]] = {}
        self.breaks: dict[str, list[float]] = {}
        for z in zooms:
            size = cell_size(z)
            f = size // base_size
            df = base.assign(gx=np.floor_divide(base.gx, f), gy=np.floor_divide(base.gy, f))
            per = df.groupby(["gx", "gy", "k"], sort=True)[["n", "m"]].sum()
            n = per.n.unstack(fill_value=0)
            m = per.m.unstack(fill_value=0.0)
            self.props[z] = [{**{f"n{int(k)}": int(v) for k, v in nrow.items() if v and k >= 0},
                              **{f"m{int(k)}": round(float(v), 1) for k, v in mrow.items() if v and k >= 0},
                              "n": int(nrow.sum()), "m": round(float(mrow.sum()), 1)}
                             for (_, nrow), (_, mrow) in zip(n.iterrows(), m.iterrows(), strict=True)]
            gx, gy = n.index.get_level_values(0).to_numpy(), n.index.get_level_values(1).to_numpy()
            self.boxes[z] = np.stack([gx * size, gy * size, (gx + 1) * size, (gy + 1) * size], 1).astype(float)
            self.breaks[str(z)] = [float(b) for b in classify(n.sum(axis=1).to_numpy(dtype=float))[1]] if len(n) else []
            w, s = _TO_WGS84.transform(self.boxes[z][:, 0], self.boxes[z][:, 1])
            e, nn = _TO_WGS84.transform(self.boxes[z][:, 2], self.boxes[z][:, 3])
            for i, box in enumerate(zip(w, s, e, nn, strict=True)):
                for t in tilegrid.tiles_of_box(box, z):
                    self.by_tile.setdefault(t, []).append(i)

    def tiles(self) -> list[tuple[int, int, int]]:
        """Every tile with a cell."""
        return sorted(self.by_tile)

    def tile(self, z: int, x: int, y: int) -> bytes:
        """The ``density`` layer of a tile (gzip MVT), ``b""`` where no cell meets it.

        Parameters
        ----------
        z, x, y : int

        Returns
        -------
        bytes
        """
        idx = self.by_tile.get((z, x, y))
        if not idx:
            return b""
        b = self.boxes[z][idx]
        xs = np.stack([b[:, 0], b[:, 2], b[:, 2], b[:, 0]], 1)
        ys = np.stack([b[:, 1], b[:, 1], b[:, 3], b[:, 3]], 1)
        mx, my = _TO_MERCATOR.transform(xs, ys)
        polys = shapely.polygons(np.stack([mx, my], 2))
        w, s, e, n = tilegrid.tile_bounds(z, x, y)
        (x0, x1), (y0, y1) = _mercator([w, e], [s, n])
        feats = [{"geometry": p, "properties": self.props[z][i]} for p, i in zip(polys, idx, strict=True)]
        with warnings.catch_warnings():  # mapbox-vector-tile 2.2 calls a shapely function shapely 2.2 deprecates
            warnings.filterwarnings("ignore", category=DeprecationWarning, module="mapbox_vector_tile")
            raw = mapbox_vector_tile.encode([{"name": "density", "features": feats}],
                                            default_options={"quantize_bounds": (x0, y0, x1, y1), "extents": EXTENT})
        return gzip.compress(raw, mtime=0)


def _mercator(lons: list[float], lats: list[float]) -> tuple[list[float], list[float]]:
    """WGS84 degrees → Web Mercator metres."""
    r = 6378137.0
    xs = [math.radians(v) * r for v in lons]
    ys = [r * math.log(math.tan(math.pi / 4 + math.radians(max(min(v, tilegrid.MERCATOR_LAT), -tilegrid.MERCATOR_LAT)) / 2))
          for v in lats]
    return xs, ys


def finest(zooms: range) -> int:
    """The smallest cell size of the zooms (the base aggregation's), 1 km when there are none.

    Parameters
    ----------
    zooms : range

    Returns
    -------
    int
    """
    return min((cell_size(z) for z in zooms), default=1000)

"""Snapshot history: saved exports listed with their metadata, and any two compared.

Snapshots live in one folder (:attr:`geo.config.Settings.snapshot_dir`, default ``snapshots/``), one
file + sidecar JSON each, written atomically by :mod:`geo.io.export`. Comparison reads both back to
WGS84 and reports, per layer, features added, removed and changed with the changed attributes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import config
from geo.core.missing import is_blank
from geo.io.export import ID_COLUMN, LAYERS, read_snapshot

LIST_COLUMNS = ["file", "created", "format", "crs", "filter", "parcels", "zones", "projects", "land_mu",
                "output_target_yi", "data_version", "path"]


def store_dir() -> Path:
    """The snapshot folder of the current settings.

    Returns
    -------
    Path
    """
    return config.settings().snapshot_dir


def _row(m: dict, f: Path) -> dict:
    return {"file": f.name, "created": m["created"], "format": m["format"], "crs": m["crs"],
            "filter": m["filter_summary"], "parcels": m["counts"]["parcels"], "zones": m["counts"]["zones"],
            "projects": m["counts"]["projects"], "land_mu": m["totals"]["land_mu"],
            "output_target_yi": m["totals"]["output_target_yi"], "data_version": m["data_version"], "path": str(f)}


def list_snapshots(folder: str | os.PathLike | None = None) -> pd.DataFrame:
    """The snapshots in a folder, newest first (files whose sidecar is unreadable or orphaned are left out).

    Parameters
    ----------
    folder : str or path-like, optional
        Default: :func:`store_dir`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LIST_COLUMNS`.
    """
    folder = Path(folder or store_dir())
    rows = []
    for side in sorted(folder.glob("*.metadata.json")):
        try:
            m = json.loads(side.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        f = folder / m.get("file", "")
        if f.is_file():
            rows.append(_row(m, f))
    return pd.DataFrame(rows, columns=LIST_COLUMNS).sort_values("created", ascending=False).reset_index(drop=True)


def _norm(v: object) -> object:
    if is_blank(v):
        return None
    try:
        return round(float(v), 6)
    except (TypeError, ValueError):
        return str(v)


def _changes(ia: gpd.GeoDataFrame, ib: gpd.GeoDataFrame, i: str) -> list[str]:
    """The columns (and ``geometry``) in which feature ``i`` differs between two indexed layers."""
    ra, rb = ia.loc[i], ib.loc[i]
    cols = [c for c in ia.columns if c in ib.columns and c != "geometry"]
    changed = [c for c in cols if _norm(ra[c]) != _norm(rb[c])]
    g1, g2 = ra.geometry, rb.geometry
    if (g1 is None) != (g2 is None) or (g1 is not None and g1.hausdorff_distance(g2) > config.SNAPSHOT_GEOM_TOL_DEG):
        changed.append("geometry")
    return changed


def _compare_layer(layer: str, ga: gpd.GeoDataFrame | None, gb: gpd.GeoDataFrame | None) -> list[tuple]:
    key = ID_COLUMN[layer]
    ia = ga.set_index(key) if ga is not None and len(ga) else None
    ib = gb.set_index(key) if gb is not None and len(gb) else None
    ids_a = set(ia.index) if ia is not None else set()
    ids_b = set(ib.index) if ib is not None else set()
    rows = [(layer, i, "added", "") for i in sorted(ids_b - ids_a)]
    rows += [(layer, i, "removed", "") for i in sorted(ids_a - ids_b)]
    for i in sorted(ids_a & ids_b):
        changed = _changes(ia, ib, i)
        if changed:
            rows.append((layer, i, "changed", ", ".join(changed)))
    return rows


def compare(path_a: str | os.PathLike, path_b: str | os.PathLike) -> pd.DataFrame:
    """What changed from one snapshot to another.

    Parameters
    ----------
    path_a, path_b : str or path-like
        The older and the newer snapshot (any formats that are read back).

    Returns
    -------
    pandas.DataFrame
        Rows ``layer, id, change, attributes``: change is added, removed or changed; attributes lists
        the changed columns (and ``geometry`` when it moved more than
        :data:`geo.config.SNAPSHOT_GEOM_TOL_DEG`).
    """
    a, b = read_snapshot(path_a), read_snapshot(path_b)
    rows = []
    for layer in LAYERS:
        rows += _compare_layer(layer, a.get(layer), b.get(layer))
    return pd.DataFrame(rows, columns=["layer", "id", "change", "attributes"])

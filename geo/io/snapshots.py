"""Snapshot history: saved exports listed with their metadata, and any two compared.

Snapshots live in one folder (SCIMAP_SNAPSHOT_DIR, default snapshots/ beside the data), one
file + sidecar JSON each, written atomically by geo.export. Comparison reads both back to WGS84
and reports, per layer, features added, removed and changed with the changed attributes.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pandas as pd

from geo import config as paths
from geo.io.export import ID_COLUMN, LAYERS, read_snapshot

GEOM_TOL_DEG = 1e-6  # ~0.1 m: below this a geometry counts as unchanged


def store_dir() -> Path:
    return paths.settings().snapshot_dir


def list_snapshots(folder: Path | None = None) -> pd.DataFrame:
    folder = Path(folder or store_dir())
    rows = []
    for side in sorted(folder.glob("*.metadata.json")):
        try:
            m = json.loads(side.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        f = folder / m.get("file", "")
        if not f.is_file():
            continue
        rows.append({"file": f.name, "created": m["created"], "format": m["format"], "crs": m["crs"],
                     "filter": m["filter_summary"], "parcels": m["counts"]["parcels"], "zones": m["counts"]["zones"],
                     "projects": m["counts"]["projects"], "land_mu": m["totals"]["land_mu"],
                     "output_target_yi": m["totals"]["output_target_yi"], "data_version": m["data_version"],
                     "path": str(f)})
    cols = ["file", "created", "format", "crs", "filter", "parcels", "zones", "projects", "land_mu",
            "output_target_yi", "data_version", "path"]
    return pd.DataFrame(rows, columns=cols).sort_values("created", ascending=False).reset_index(drop=True)


def _same(a, b) -> bool:
    def norm(v):
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v == "":
            return None
        try:
            return round(float(v), 6)
        except (TypeError, ValueError):
            return str(v)
    return norm(a) == norm(b)


def compare(path_a: str | os.PathLike, path_b: str | os.PathLike) -> pd.DataFrame:
    """Rows: layer, id, change (added | removed | changed), attributes (changed columns, or geometry)."""
    a, b = read_snapshot(path_a), read_snapshot(path_b)
    rows = []
    for layer in LAYERS:
        ga, gb = a.get(layer), b.get(layer)
        key = ID_COLUMN[layer]
        ia = ga.set_index(key) if ga is not None and len(ga) else None
        ib = gb.set_index(key) if gb is not None and len(gb) else None
        ids_a = set(ia.index) if ia is not None else set()
        ids_b = set(ib.index) if ib is not None else set()
        rows += [(layer, i, "added", "") for i in sorted(ids_b - ids_a)]
        rows += [(layer, i, "removed", "") for i in sorted(ids_a - ids_b)]
        common_cols = [c for c in (ia.columns if ia is not None else []) if ib is not None and c in ib.columns
                       and c != "geometry"]
        for i in sorted(ids_a & ids_b):
            ra, rb = ia.loc[i], ib.loc[i]
            changed = [c for c in common_cols if not _same(ra[c], rb[c])]
            g1, g2 = ra.geometry, rb.geometry
            if (g1 is None) != (g2 is None) or (g1 is not None and g1.hausdorff_distance(g2) > GEOM_TOL_DEG):
                changed.append("geometry")
            if changed:
                rows.append((layer, i, "changed", ", ".join(changed)))
    return pd.DataFrame(rows, columns=["layer", "id", "change", "attributes"])

"""Snapshot history: saved exports listed with their metadata, and any two compared.

Snapshots live in one folder (:attr:`geo.config.Settings.snapshot_dir`, default ``snapshots/``), one
file + sidecar JSON each, written atomically by :mod:`geo.io.export`. Comparison reads both back to
WGS84 and reports, per layer, features added, removed and changed with the changed attributes.

The folder is not trusted (:mod:`geo.io.export.readback`): a sidecar is listed only when it is a
well-formed sidecar of a regular file beside it; any other is a :class:`Problem` naming the sidecar
and what is wrong, shown to the user, never served. Downloads re-check the file
(:func:`snapshot_bytes`); comparisons read archives bounded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import config
from geo.core.missing import is_blank
from geo.io.export import ID_COLUMN, LAYERS, ExportError, read_snapshot
from geo.io.export.readback import SIDECAR, confined, read_bytes, read_metadata

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


@dataclass(frozen=True)
class Problem:
    """A sidecar of the snapshot folder that is not listed.

    Attributes
    ----------
    sidecar : str
        The sidecar's file name.
    why : str
        What is wrong (English; :func:`geo.i18n.message` reads it into the page's language).
    """

    sidecar: str
    why: str

    def __str__(self) -> str:
        return f"{self.sidecar}: {self.why}"


def _newest(sides: list[Path]) -> list[Path]:
    """Sidecars, the most recently written first (one that vanishes meanwhile last)."""
    def mtime(p: Path) -> float:
        try:
            return p.lstat().st_mtime
        except OSError:
            return 0.0
    return sorted(sides, key=lambda p: (-mtime(p), p.name))


def scan_snapshots(folder: str | os.PathLike | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """The snapshots of a folder, newest first, and the sidecars that could not be listed.

    A sidecar is listed when it is small enough, valid JSON of the expected keys and types, names the
    file it sits beside, and that file is a regular file in the folder (not a symbolic link, not a
    path elsewhere). Every other ``*.metadata.json`` is a :class:`Problem`; nothing raises. At most
    :data:`geo.config.SNAPSHOT_LIST_MAX` sidecars are read, the most recently written first; the
    rest are one problem.

    Parameters
    ----------
    folder : str or path-like, optional
        Default: :func:`store_dir`.

    Returns
    -------
    (pandas.DataFrame, list of Problem)
        The listing (columns :data:`LIST_COLUMNS`) and the problems, by sidecar name.
    """
    folder = Path(folder or store_dir())
    rows, problems = [], []
    try:
        sides = _newest(list(folder.glob("*" + SIDECAR)))
    except OSError as e:
        return pd.DataFrame(columns=LIST_COLUMNS), [Problem(str(folder), f"cannot be listed ({e.strerror})")]
    if len(sides) > config.SNAPSHOT_LIST_MAX:
        problems.append(Problem(f"{len(sides) - config.SNAPSHOT_LIST_MAX} × *{SIDECAR}",
                                f"not read: more than {config.SNAPSHOT_LIST_MAX} sidecars in the folder"))
        sides = sides[: config.SNAPSHOT_LIST_MAX]
    for side in sides:
        try:
            m = read_metadata(side)
            rows.append(_row(m, confined(folder, m["file"])))
        except ExportError as e:
            problems.append(Problem(side.name, str(e)))
        except OSError as e:
            problems.append(Problem(side.name, f"cannot be read ({e.strerror})"))
    table = pd.DataFrame(rows, columns=LIST_COLUMNS).sort_values("created", ascending=False).reset_index(drop=True)
    return table, problems


def list_snapshots(folder: str | os.PathLike | None = None) -> pd.DataFrame:
    """The snapshots in a folder, newest first (sidecars that are not usable are left out: :func:`scan_snapshots`).

    Parameters
    ----------
    folder : str or path-like, optional
        Default: :func:`store_dir`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LIST_COLUMNS`.
    """
    return scan_snapshots(folder)[0]


def snapshot_bytes(name: str, folder: str | os.PathLike | None = None) -> bytes:
    """The bytes of a listed snapshot for a download, checked again as it is read.

    Parameters
    ----------
    name : str
        The file's name (a plain name in the folder).
    folder : str or path-like, optional
        Default: :func:`store_dir`.

    Returns
    -------
    bytes

    Raises
    ------
    ExportError
        ``<name>: <why>`` when the file is not (or no longer) a listed snapshot's regular file, or too large.
    """
    folder = Path(folder or store_dir())
    try:
        read_metadata(confined(folder, str(name) + SIDECAR))
        return read_bytes(confined(folder, name))
    except ExportError as e:
        raise ExportError(f"{name}: {e}") from None


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

    Raises
    ------
    ExportError
        ``<file>: <why>`` when a snapshot cannot be read back (:func:`geo.io.export.read_snapshot`).
    """
    a, b = read_snapshot(path_a), read_snapshot(path_b)
    rows = []
    for layer in LAYERS:
        try:
            rows += _compare_layer(layer, a.get(layer), b.get(layer))
        except (KeyError, ValueError, TypeError, AttributeError) as e:  # a read-back layer of an odd shape
            raise ExportError(f"{Path(path_b).name}: the {layer} layer cannot be compared ({str(e)[:120]})") from None
    return pd.DataFrame(rows, columns=["layer", "id", "change", "attributes"])

"""Does the database hold what the files hold? Counts and areas, compared (``python -m geo db check``).

The files' areas are computed as everywhere in the app (:func:`geo.core.crs.areas_mu`, each feature in its own
CGCS2000 Gauss–Krüger zone, pyproj); the database's by PostGIS itself (``ST_Area(ST_Transform(geom,
gk_srid))``, the same zone), so a geometry changed in the database behind the store's back is found.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

import psycopg
from shapely.geometry import shape

from geo.config import M2_PER_MU
from geo.core.crs import areas_mu
from geo.io.files import FileLayout
from geo.io.pgfiles import KINDS, _documents, _layer_kinds
from geo.io.pgschema import SCHEMA
from geo.io.store import _read_history

AREA_REL_TOL = 1e-6
"""Two areas of the same feature agree when they differ by less than this (relative; PROJ versions differ)."""
_ID = {"parcels": "parcel_id", "zones": "zone_id", "reference": None}


@dataclass
class Comparison:
    """What :func:`compare` found.

    Attributes
    ----------
    differences : list of str
        One line per difference (empty: the database matches the files).
    summary : list of str
        Per layer file: features and Σ亩 (as both agree, or the files').
    """

    differences: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)


def _rows(content: bytes) -> int:
    return max(sum(1 for _ in csv.reader(io.StringIO(content.decode("utf-8-sig", "replace")))) - 1, 0)


def _compare_documents(conn: psycopg.Connection, lay: FileLayout, out: Comparison) -> None:
    files = _documents(lay)
    db = {n: bytes(c) for n, c in conn.execute(f"SELECT name, content FROM {SCHEMA}.documents").fetchall()}
    for name in sorted(set(files) | set(db)):
        a, b = files.get(name), db.get(name)
        if a is None or b is None:
            out.differences.append(f"{name}: only in the {'database' if a is None else 'files'}")
        elif a != b:
            rows = f"{_rows(a)} rows in the files, {_rows(b)} in the database" if name.endswith(".csv") else \
                "different content"
            out.differences.append(f"{name}: {rows}")


def _file_areas(features: list, kind: str) -> dict[str, float]:
    key = _ID[kind]
    ids = [str((f.get("properties") or {}).get(key)) if key else f"#{i}" for i, f in enumerate(features)]
    geoms = [shape(f["geometry"]) if f.get("geometry") else None for f in features]
    return dict(zip(ids, areas_mu(geoms).tolist(), strict=True))


def _db_areas(conn: psycopg.Connection, file: str, kind: str) -> dict[str, float]:
    key = _ID[kind]
    ident = f"feature->'properties'->>'{key}'" if key else "'#' || (row_number() OVER (ORDER BY ord, fid) - 1)"
    where = "" if kind == "parcels" else "WHERE file = %s"
    rows = conn.execute(f"SELECT {ident}, coalesce(ST_Area(ST_Transform(geom, gk_srid)), 0) FROM "
                        f"{SCHEMA}.{KINDS[kind]} {where} ORDER BY ord, fid",
                        () if kind == "parcels" else (file,)).fetchall()
    return {str(i): a / M2_PER_MU for i, a in rows}


def _compare_areas(name: str, files: dict[str, float], db: dict[str, float], out: Comparison) -> None:
    if len(files) != len(db):
        out.differences.append(f"{name}: {len(files)} features in the files, {len(db)} in the database")
    for ident in sorted(set(files) | set(db)):
        a, b = files.get(ident), db.get(ident)
        if a is None or b is None:
            out.differences.append(f"{name}: {ident} only in the {'database' if a is None else 'files'}")
        elif abs(a - b) > AREA_REL_TOL * max(abs(a), 1.0):
            out.differences.append(f"{name}: {ident} is {a:.3f} mu in the files, {b:.3f} mu in the database")
    out.summary.append(f"{name}: {len(db)} features, {sum(db.values()):.1f} mu")


def compare(conn: psycopg.Connection, lay: FileLayout) -> Comparison:
    """Compare the database with a file store: the tables, each layer's features and areas, the history.

    Parameters
    ----------
    conn : psycopg.Connection
    lay : FileLayout

    Returns
    -------
    Comparison
    """
    out = Comparison()
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        _compare_documents(conn, lay, out)
        kinds = {p.name: k for p, k in _layer_kinds(lay).items()}
        db_kinds = dict(conn.execute(f"SELECT file, kind FROM {SCHEMA}.layer_files").fetchall())
        for file in sorted(set(kinds) - set(db_kinds)):
            out.differences.append(f"{file}: only in the files")
        for file in sorted(set(db_kinds) - set(kinds)):
            out.differences.append(f"{file}: only in the database")
        for path, kind in _layer_kinds(lay).items():
            if path.name in db_kinds:
                feats = json.loads(path.read_bytes())["features"]
                _compare_areas(path.name, _file_areas(feats, kind), _db_areas(conn, path.name, kind), out)
        n_files = len(_read_history(lay.history).records)
        n_db = conn.execute(f"SELECT count(*) FROM {SCHEMA}.history").fetchone()[0]
        if n_files != n_db:
            out.differences.append(f"history: {n_files} changes in the files, {n_db} in the database")
        out.summary.append(f"history: {n_db} changes")
    return out

"""Between the file store's layout and the PostGIS store's tables: load files in, write them back out.

:func:`load_files` puts a :class:`~geo.io.files.FileLayout` (tables, manifest, parcel and layer files, the
history) into the database in one transaction, replacing what was there. :func:`render` reads the database
back as the files' bytes (``{"data/parcels.geojson": b"…", "layers/towns.geojson": b"…", …}``), in the file
store's own encoding, so :func:`write` (``python -m geo db dump``) gives the same bytes that were loaded, and
the store's :meth:`~geo.io.postgis.PostgisStore.load` reads them through the same checked loader as the file
store (:func:`materialised`).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import psycopg
import shapely
from shapely.geometry import mapping, shape

from geo.core.crs import own_zones
from geo.io.files import FileLayout
from geo.io.pgschema import SCHEMA
from geo.io.store import _json_bytes, _read_history, _write_new

KINDS = {"parcels": "parcels", "zones": "zones", "reference": "reference_features"}
"""Kind of a layer file → the table of its features."""


# ------------------------------------------------------------------ files → database

def _documents(lay: FileLayout) -> dict[str, bytes]:
    """The store's files that are not GeoJSON layers: the tables, the functional areas, the manifest."""
    files = sorted(lay.data_dir.glob("*.csv")) + [lay.functional_areas] + \
        [f for f in sorted(lay.layers_dir.glob("*")) if f.suffix != ".geojson"]
    return {_name(lay, f): f.read_bytes() for f in files if f.is_file() and not f.name.startswith(".")}


def _name(lay: FileLayout, path: Path) -> str:
    """A file's name in the database: ``data/…`` or ``layers/…``."""
    if path.is_relative_to(lay.data_dir):
        return "data/" + path.relative_to(lay.data_dir).as_posix()
    return "layers/" + path.relative_to(lay.layers_dir).as_posix()


def _layer_kinds(lay: FileLayout) -> dict[Path, str]:
    """Every GeoJSON file of the store and its kind: the parcels, zone layers, reference layers."""
    manifest = json.loads(lay.manifest.read_bytes()) if lay.manifest.is_file() else {"layers": []}
    reference = {r.get("file") for r in manifest.get("layers", []) if isinstance(r, dict)
                 and (r.get("layer_id") == "districts" or r.get("kind") == "poi")}
    kinds = {lay.parcels: "parcels"}
    for f in lay.layer_files():
        kinds[f] = "reference" if f.name in reference else "zones"
    return kinds


def _feature_rows(features: list) -> list[tuple[str, str | None, int | None]]:
    """Features as stored: each one's JSON with the geometry left null, the geometry as hex EWKB (SRID 4326), the
    SRID of its own zone (vectorised: a cadastre of millions)."""
    geoms = np.array([shape(f["geometry"]) if f.get("geometry") is not None else None for f in features], dtype=object)
    zones = own_zones(geoms)
    ewkb = shapely.to_wkb(shapely.set_srid(geoms, 4326), hex=True, include_srid=True) if len(geoms) else []
    return [(_json_bytes({k: (None if k == "geometry" else v) for k, v in f.items()}).decode("utf-8"), e,
             int(z.split(":")[1]) if z else None) for f, e, z in zip(features, ewkb, zones, strict=True)]


_COLUMNS = {"parcels": "ord, parcel_id, project_id, feature, geom, gk_srid, row_version",
            "zones": "file, ord, zone_id, feature, geom, gk_srid, row_version",
            "reference": "file, ord, feature, geom, gk_srid"}


def _insert_features(cur: psycopg.Cursor, file: str, kind: str, features: list, seq: int) -> None:
    """COPY a layer file's features into their table (a cadastre of millions loads at COPY speed)."""
    with cur.copy(f"COPY {SCHEMA}.{KINDS[kind]} ({_COLUMNS[kind]}) FROM STDIN") as copy:
        for i, (feat, (text, ewkb, srid)) in enumerate(zip(features, _feature_rows(features), strict=True)):
            props = feat.get("properties") or {}
            if kind == "parcels":
                copy.write_row((i, props.get("parcel_id"), props.get("project_id"), text, ewkb, srid, seq))
            elif kind == "zones":
                copy.write_row((file, i, props.get("zone_id"), text, ewkb, srid, seq))
            else:
                copy.write_row((file, i, text, ewkb, srid))


def load_files(conn: psycopg.Connection, lay: FileLayout) -> dict[str, int]:
    """Replace the database's data with a file store's, in one transaction.

    Parameters
    ----------
    conn : psycopg.Connection
        On a database with the schema (:func:`geo.io.pgschema.init`).
    lay : FileLayout
        Read as it is: check it first (:func:`geo.io.files.load_all`).

    Returns
    -------
    dict of str to int
        Rows loaded: documents, parcels, zones, reference features, history records.
    """
    counts = dict.fromkeys(("documents", "parcels", "zones", "reference_features", "history"), 0)
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(f"TRUNCATE {SCHEMA}.parcels, {SCHEMA}.zones, {SCHEMA}.reference_features, {SCHEMA}.history, "
                    f"{SCHEMA}.layer_files, {SCHEMA}.documents")
        for name, content in _documents(lay).items():
            cur.execute(f"INSERT INTO {SCHEMA}.documents VALUES (%s, %s)", (name, content))
            counts["documents"] += 1
        _load_project_tiles(cur, lay)
        for rec in _read_history(lay.history).records:
            n = cur.execute(f"SELECT nextval('{SCHEMA}.change_seq')").fetchone()[0]
            cur.execute(f"INSERT INTO {SCHEMA}.history VALUES (%s, %s, %s, %s, %s, %s, %s)",
                        (n, rec["change_id"], rec["action"], rec["layer"], rec["target_id"], rec.get("undoes"),
                         _json_bytes(rec).decode("utf-8")))
            counts["history"] += 1
        seq = cur.execute(f"SELECT nextval('{SCHEMA}.change_seq')").fetchone()[0]  # every loaded row's version
        for i, (path, kind) in enumerate(_layer_kinds(lay).items()):
            fc = json.loads(path.read_bytes())
            header = {k: (None if k == "features" else v) for k, v in fc.items()}
            cur.execute(f"INSERT INTO {SCHEMA}.layer_files VALUES (%s, %s, %s, %s)",
                        (path.name, kind, i, _json_bytes(header).decode("utf-8")))
            _insert_features(cur, path.name, kind, fc["features"], seq)
            counts[KINDS[kind]] += len(fc["features"])
        cur.execute(f"UPDATE {SCHEMA}.meta SET value = %s WHERE key = 'loaded_seq'", (str(seq),))
        cur.execute(f"ANALYZE {SCHEMA}.parcels")
    return counts


def _load_project_tiles(cur: psycopg.Cursor, lay: FileLayout) -> None:
    """Fill ``project_tiles`` from the projects table (the tiles' names and sector group per project)."""
    import pandas as pd

    projects = pd.read_csv(lay.projects, dtype=str, keep_default_na=False)
    cur.execute(f"TRUNCATE {SCHEMA}.project_tiles")
    sector = projects.get("sector_group_zh", pd.Series("", index=projects.index)).str.split(";").str[0].str.strip()
    rows = list(zip(projects.project_id, projects.get("name_zh", ""), projects.get("name_en", ""), sector, strict=True))
    with cur.copy(f"COPY {SCHEMA}.project_tiles (project_id, nz, ne, s) FROM STDIN") as copy:
        for row in dict(zip((r[0] for r in rows), rows, strict=True)).values():  # one row per project id
            copy.write_row(row)


# ------------------------------------------------------------------ database → files

def feature_json(text: str, wkb: bytes | None) -> dict:
    """A stored feature's JSON with its geometry put back (GeoJSON of the WKB, None when it has none).

    Parameters
    ----------
    text : str
        The ``feature`` column.
    wkb : bytes or None
        ``ST_AsBinary(geom)``.

    Returns
    -------
    dict
    """
    feat = json.loads(text)
    feat["geometry"] = mapping(shapely.from_wkb(wkb)) if wkb is not None else None
    return feat


def _layer_bytes(cur: psycopg.Cursor, file: str, kind: str, header: str) -> bytes:
    fc = json.loads(header)
    table = KINDS[kind]
    where = "" if kind == "parcels" else "WHERE file = %s"
    rows = cur.execute(f"SELECT feature::text, ST_AsBinary(geom) FROM {SCHEMA}.{table} {where} ORDER BY ord, fid",
                       () if kind == "parcels" else (file,)).fetchall()
    fc["features"] = [feature_json(text, wkb) for text, wkb in rows]
    return _json_bytes(fc)


def render(conn: psycopg.Connection) -> dict[str, bytes]:
    """Every file of the store as the database holds it, in the file store's encoding.

    Call it inside a transaction (the store reads in a repeatable-read one, so the files agree).

    Parameters
    ----------
    conn : psycopg.Connection

    Returns
    -------
    dict of str to bytes
        ``data/…`` and ``layers/…`` names (``data/history.jsonl`` only when there is a history).
    """
    out: dict[str, bytes] = {}
    with conn.cursor() as cur:
        for name, content in cur.execute(f"SELECT name, content FROM {SCHEMA}.documents ORDER BY name").fetchall():
            out[name] = bytes(content)
        files = cur.execute(f"SELECT file, kind, header::text FROM {SCHEMA}.layer_files ORDER BY ord").fetchall()
        for file, kind, header in files:
            folder = "data" if kind == "parcels" else "layers"
            out[f"{folder}/{file}"] = _layer_bytes(cur, file, kind, header)
        lines = [r[0].encode("utf-8") + b"\n"
                 for r in cur.execute(f"SELECT record::text FROM {SCHEMA}.history ORDER BY seq").fetchall()]
    if lines:
        out[f"data/{FileLayout.HISTORY}"] = b"".join(lines)
    return out


def write(files: dict[str, bytes], data_dir: Path, layers_dir: Path) -> list[Path]:
    """Write rendered files into two folders (created; existing files of the same name are replaced).

    Parameters
    ----------
    files : dict of str to bytes
        From :func:`render`.
    data_dir, layers_dir : Path

    Returns
    -------
    list of Path
        The files written.
    """
    written = []
    for name, content in files.items():
        folder, _, rel = name.partition("/")
        path = (data_dir if folder == "data" else layers_dir) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.dump")
        tmp.unlink(missing_ok=True)
        _write_new(tmp, content)
        tmp.replace(path)
        written.append(path)
    return written


@contextmanager
def materialised(files: dict[str, bytes]) -> Iterator[FileLayout]:
    """The rendered files in a temporary folder as a :class:`FileLayout`, removed afterwards.

    Parameters
    ----------
    files : dict of str to bytes

    Yields
    ------
    FileLayout
    """
    with tempfile.TemporaryDirectory(prefix="scimap-pg-") as tmp:
        lay = FileLayout(Path(tmp) / "data", Path(tmp) / "layers")
        lay.data_dir.mkdir()
        lay.layers_dir.mkdir()
        write(files, lay.data_dir, lay.layers_dir)
        yield lay

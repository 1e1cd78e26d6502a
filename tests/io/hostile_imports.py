"""Hostile uploads, generated: files built to hang, exhaust, mislead or crash the importer (issue 13).

Each function writes one file into a folder and returns its path; :func:`tests.io.make_import_corpus.main`
writes the small ones into ``import_corpus/hostile/``, the tests call them with their own folders.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import struct
import zipfile
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "import_corpus"
POLY = [[106.32, 29.50], [106.33, 29.50], [106.33, 29.51], [106.32, 29.51], [106.32, 29.50]]


def feature_collection(coords=None, **top) -> dict:
    return {"type": "FeatureCollection", **top, "features": [
        {"type": "Feature", "properties": {"project_id": "HTS-T4-02"},
         "geometry": {"type": "Polygon", "coordinates": [coords or POLY]}}]}


def write_json(folder: Path, name: str, doc) -> Path:
    p = folder / name
    p.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return p


# ------------------------------------------------------------------ GeoJSON

def link_crs(folder: Path, url: str = "http://127.0.0.1:9/crs.wkt") -> Path:
    return write_json(folder, "link_crs.geojson", feature_collection(
        crs={"type": "link", "properties": {"href": url, "type": "ogcwkt"}}))


def url_named_crs(folder: Path, url: str = "http://127.0.0.1:9/crs.wkt") -> Path:
    return write_json(folder, "url_named_crs.geojson", feature_collection(crs={"type": "name", "properties": {"name": url}}))


def geometry_link_crs(folder: Path, url: str = "http://127.0.0.1:9/crs.wkt") -> Path:
    doc = feature_collection()
    doc["features"][0]["geometry"]["crs"] = {"type": "link", "properties": {"href": url}}
    return write_json(folder, "geometry_link_crs.geojson", doc)


def deep_json(folder: Path, depth: int = 100_000) -> Path:
    return write_json(folder, "deep.geojson", "[" * depth + "]" * depth)


def deep_collection(folder: Path, depth: int = 200) -> Path:
    geom = {"type": "Polygon", "coordinates": [POLY]}
    for _ in range(depth):
        geom = {"type": "GeometryCollection", "geometries": [geom]}
    return write_json(folder, "deep_collection.geojson", {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"project_id": "HTS-T4-02"}, "geometry": geom}]})


def nan_json(folder: Path) -> Path:
    coords = json.dumps(POLY).replace("29.51]", "NaN]", 1)
    return write_json(folder, "nan.geojson", json.dumps(feature_collection()).replace(json.dumps(POLY), coords))


def inf_json(folder: Path) -> Path:
    return write_json(folder, "inf.geojson", json.dumps(feature_collection()).replace("106.33", "1e400", 1))


def huge_feature(folder: Path, n: int = 1_000_000) -> Path:
    ring = [[106.32 + 0.01 * i / n, 29.50 + 0.001 * (i % 2)] for i in range(n)] + [[106.32, 29.50]]
    return write_json(folder, "million_vertices.geojson", feature_collection(ring))


def many_features(folder: Path, n: int) -> Path:
    feats = [{"type": "Feature", "properties": {"project_id": f"X{i}"},
              "geometry": {"type": "Point", "coordinates": [106.32, 29.5]}} for i in range(n)]
    return write_json(folder, "many_features.geojson", {"type": "FeatureCollection", "features": feats})


# ------------------------------------------------------------------ CSV

def nan_wkt(folder: Path) -> Path:
    p = folder / "nan_wkt.csv"
    p.write_text("project_id,wkt\nHTS-T4-02,\"POLYGON((106.32 29.5, 106.33 29.5, 106.33 29.51, 106.32 29.5))\"\n"
                 "HTS-T4-03,\"POLYGON((nan nan, 106.33 29.5, 106.33 29.51, nan nan))\"\n", encoding="utf-8")
    return p


def inf_lonlat(folder: Path) -> Path:
    p = folder / "inf_lonlat.csv"
    p.write_text("project_id,lon,lat\nHTS-T4-02,inf,29.5\n", encoding="utf-8")
    return p


# ------------------------------------------------------------------ GeoPackage

def _gpkg(folder: Path, name: str) -> tuple[Path, sqlite3.Connection, str, str]:
    """A copy of the good GeoPackage, its connection, feature table and geometry column."""
    p = folder / name
    shutil.copy(CORPUS / "good" / "cgcs2000.gpkg", p)
    con = sqlite3.connect(p)
    table, column = con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchone()
    return p, con, table, column


def _register_view(con: sqlite3.Connection, view: str, column: str, like: str) -> None:
    srs = con.execute("SELECT srs_id FROM gpkg_contents WHERE table_name=?", (like,)).fetchone()[0]
    con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES (?, 'features', ?, ?)",
                (view, view, srs))
    con.execute("INSERT INTO gpkg_geometry_columns VALUES (?, ?, 'POLYGON', ?, 0, 0)", (view, column, srs))


def _only_views(con: sqlite3.Connection, table: str) -> None:
    """Leave the views as the only feature layers (the real table is no longer registered)."""
    con.execute("DELETE FROM gpkg_geometry_columns WHERE table_name=?", (table,))
    con.execute("DELETE FROM gpkg_contents WHERE table_name=?", (table,))


def recursive_cte_view(folder: Path) -> Path:
    """A feature layer that is a view over a recursive CTE that never yields a row: reading it spins forever."""
    p, con, table, column = _gpkg(folder, "recursive_cte.gpkg")
    con.execute(f'CREATE VIEW spin AS WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c) '
                f'SELECT c.i AS fid, t."{column}" AS "{column}" FROM c, "{table}" t WHERE c.i < 0')
    _register_view(con, "spin", column, table)
    _only_views(con, table)
    con.commit()
    con.close()
    return p


def endless_rows_view(folder: Path) -> Path:
    """A view yielding rows without end (a recursive CTE): reading must stop at the feature cap."""
    p, con, table, column = _gpkg(folder, "endless_rows.gpkg")
    con.execute(f'CREATE VIEW endless AS WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c) '
                f'SELECT c.i AS fid, t."{column}" AS "{column}" FROM c, "{table}" t')
    _register_view(con, "endless", column, table)
    _only_views(con, table)
    con.commit()
    con.close()
    return p


def self_view(folder: Path) -> Path:
    """Views defined on themselves and on each other."""
    p, con, table, column = _gpkg(folder, "self_view.gpkg")
    con.execute('CREATE VIEW loop_a AS SELECT * FROM loop_b')
    con.execute('CREATE VIEW loop_b AS SELECT * FROM loop_a')
    con.execute('CREATE VIEW loop_self AS SELECT * FROM loop_self')
    for v in ("loop_a", "loop_b", "loop_self"):
        _register_view(con, v, column, table)
    _only_views(con, table)
    con.commit()
    con.close()
    return p


def many_layers(folder: Path, n: int) -> Path:
    p, con, table, column = _gpkg(folder, "many_layers.gpkg")
    for i in range(n):
        con.execute(f'CREATE VIEW layer_{i} AS SELECT * FROM "{table}"')
        _register_view(con, f"layer_{i}", column, table)
    con.commit()
    con.close()
    return p


# ------------------------------------------------------------------ DXF

def _dxf(blocks: str, entities: str) -> str:
    return (f"0\nSECTION\n2\nHEADER\n0\nENDSEC\n0\nSECTION\n2\nBLOCKS\n{blocks}0\nENDSEC\n"
            f"0\nSECTION\n2\nENTITIES\n{entities}0\nENDSEC\n0\nEOF\n")


def _block(name: str, body: str) -> str:
    return f"0\nBLOCK\n8\n0\n2\n{name}\n70\n0\n10\n0.0\n20\n0.0\n30\n0.0\n3\n{name}\n{body}0\nENDBLK\n8\n0\n"


def _insert(block: str, x: float = 0.0, y: float = 0.0) -> str:
    return f"0\nINSERT\n8\nHTS-T4-02\n2\n{block}\n10\n{x}\n20\n{y}\n30\n0.0\n"


def _lwpolyline(points: list[tuple[float, float]]) -> str:
    body = "".join(f"10\n{x}\n20\n{y}\n" for x, y in points)
    return f"0\nLWPOLYLINE\n8\nHTS-T4-02\n90\n{len(points)}\n70\n1\n{body}"


def nested_blocks(folder: Path, depth: int = 9, fan: int = 10) -> Path:
    """Block B{k} inserts B{k-1} ``fan`` times; the drawing inserts the top one: fan**depth lines."""
    blocks = _block("B0", "0\nLINE\n8\n0\n10\n0.0\n20\n0.0\n30\n0.0\n11\n1.0\n21\n1.0\n31\n0.0\n")
    for k in range(1, depth + 1):
        blocks += _block(f"B{k}", "".join(_insert(f"B{k - 1}", i, i) for i in range(fan)))
    p = folder / "nested_blocks.dxf"
    p.write_text(_dxf(blocks, _insert(f"B{depth}")), encoding="ascii")
    return p


def block_inserted_often(folder: Path, vertices: int = 10_000, inserts: int = 5_000) -> Path:
    """One large block (a polyline of ``vertices`` points) inserted ``inserts`` times."""
    pts = [(500000.0 + i * 0.01, 3260000.0 + (i % 2)) for i in range(vertices)]
    blocks = _block("BIG", _lwpolyline(pts))
    p = folder / "block_inserted_often.dxf"
    p.write_text(_dxf(blocks, "".join(_insert("BIG", i * 10.0, 0.0) for i in range(inserts))), encoding="ascii")
    return p


# ------------------------------------------------------------------ zip archives

def _zip(folder: Path, name: str, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    p = folder / name
    with zipfile.ZipFile(p, "w", method) as zf:
        for m, data in members.items():
            zf.writestr(m, data)
    return p


def _good() -> bytes:
    return json.dumps(feature_collection()).encode()


def zip_duplicate_flattened(folder: Path) -> Path:
    return _zip(folder, "dup_flattened.zip", {"a/x.geojson": _good(), "b/x.geojson": b"{}"})


def zip_duplicate_case(folder: Path) -> Path:
    return _zip(folder, "dup_case.zip", {"Parcel.geojson": _good(), "parcel.GEOJSON": b"{}"})


def zip_duplicate_unicode(folder: Path) -> Path:
    return _zip(folder, "dup_unicode.zip", {"caf\u00e9.geojson": _good(), "cafe\u0301.geojson": b"{}"})


def _patch(p: Path, edit) -> Path:
    """Edit every local and central header of a zip (``edit(buf, offset, central)``)."""
    buf = bytearray(p.read_bytes())
    for sig, central in ((b"PK\x03\x04", False), (b"PK\x01\x02", True)):
        at = buf.find(sig)
        while at >= 0:
            edit(buf, at, central)
            at = buf.find(sig, at + 4)
    p.write_bytes(bytes(buf))
    return p


def zip_encrypted(folder: Path) -> Path:
    p = _zip(folder, "encrypted.zip", {"x.geojson": _good()})

    def flag(buf, at, central):
        o = at + (8 if central else 6)
        buf[o:o + 2] = struct.pack("<H", struct.unpack("<H", buf[o:o + 2])[0] | 0x1)
    return _patch(p, flag)


def zip_bad_crc(folder: Path) -> Path:
    p = _zip(folder, "bad_crc.zip", {"x.geojson": _good()})

    def crc(buf, at, central):
        o = at + (16 if central else 14)
        buf[o:o + 4] = struct.pack("<I", struct.unpack("<I", buf[o:o + 4])[0] ^ 0xFFFF)
    return _patch(p, crc)


def zip_lying_size(folder: Path, real: int = 30 * 1024 * 1024) -> Path:
    """The header says 100 bytes; the deflated data unpacks to ``real`` bytes."""
    p = _zip(folder, "lying_size.zip", {"x.geojson": b" " * real})

    def size(buf, at, central):
        o = at + (24 if central else 22)
        buf[o:o + 4] = struct.pack("<I", 100)
    return _patch(p, size)


def zip_stored_lying_size(folder: Path) -> Path:
    """A stored (not deflated) member whose header says fewer bytes than the data holds."""
    p = _zip(folder, "stored_lying_size.zip", {"x.geojson": _good() + b" " * 5000}, zipfile.ZIP_STORED)

    def size(buf, at, central):
        o = at + (24 if central else 22)
        buf[o:o + 4] = struct.pack("<I", 50)
    return _patch(p, size)


def zip_empty_name(folder: Path) -> Path:
    p = folder / "empty_name.zip"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr(zipfile.ZipInfo(""), _good())
    return p


def zip_slash_name(folder: Path) -> Path:
    return _zip(folder, "slash_name.zip", {"dir/ ": _good()})


def zip_nested(folder: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("x.geojson", _good())
    return _zip(folder, "nested.zip", {"inner.zip": buf.getvalue()})


def zip_many_members(folder: Path, n: int = 250) -> Path:
    return _zip(folder, "many_members.zip", {f"f{i}.txt": b"x" for i in range(n)})


def zip_url_member(folder: Path) -> Path:
    return _zip(folder, "url_member.zip", {"http://127.0.0.1:9/x.geojson": _good()})


def zip_two_datasets(folder: Path) -> Path:
    return _zip(folder, "two_datasets.zip", {"a.geojson": _good(), "b.geojson": _good()})


SMALL = (link_crs, url_named_crs, geometry_link_crs, deep_collection, nan_json, inf_json, nan_wkt, inf_lonlat,
         self_view, zip_duplicate_flattened, zip_duplicate_case, zip_duplicate_unicode, zip_encrypted,
         zip_bad_crc, zip_stored_lying_size, zip_empty_name, zip_slash_name, zip_nested, zip_url_member,
         zip_two_datasets)
"""Small, quick to refuse: written into ``import_corpus/hostile/`` and run through the CLI too."""

"""ESRI Shapefile snapshot (zip): one Shapefile per layer and geometry type, UTF-8, with ``fields.csv``.

A Shapefile limits field names to 10 ASCII characters, text values to 254 bytes and a file to one
geometry type. Field names come from :data:`SHP_NAMES` and are listed in ``fields.csv``; a text longer
than a field continues in numbered fields (a name too long is an error instead: it must stay whole);
mixed zone geometries are split into ``zones_poly``, ``zones_line`` and ``zones_point``.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.io.export.base import ID_COLUMN, LAYERS, ExportError, ExportFormat, Job
from geo.io.export.common import clean, metadata_json

SHP_TEXT_BYTES = 254
"""DBF character field limit."""
NAME_FIELDS = ("name_zh", "name_en")
"""Never split across Shapefile fields: too long is an error."""
SHP_NAMES = {
    "parcel_id": "PARCEL_ID", "project_id": "PROJ_ID", "name_zh": "NAME_ZH", "name_en": "NAME_EN", "kind": "KIND",
    "sector_zh": "SECTOR_ZH", "sector_en": "SECTOR_EN", "sector_group_zh": "SGROUP_ZH", "sector_group_en": "SGROUP_EN",
    "zone_id": "ZONE_ID", "zone_name_zh": "ZONE_NAME", "region_zh": "REGION_ZH", "function_zh": "FUNC_ZH",
    "function_en": "FUNC_EN", "land_mu": "LAND_MU", "land_mu_text": "LAND_TXT", "land_note": "LAND_NOTE",
    "area_mu": "AREA_MU", "output_target_yi": "OUTPUT_YI", "output_target_text": "OUTPUT_TXT", "target_year": "TGT_YEAR",
    "geometry_source": "GEOM_SRC", "placement_note": "PLACE_NOTE", "source_doc": "SRC_DOC", "source_ref": "SRC_REF",
    "quote_zh": "QUOTE_ZH", "notes": "NOTES", "layer_id": "LAYER_ID", "layout": "LAYOUT", "role_zh": "ROLE_ZH",
    "role_en": "ROLE_EN", "parent_id": "PARENT_ID", "district_zh": "DISTRICT", "geom_kind": "GEOM_KIND",
    "position_method": "POS_METHOD", "position_confidence": "POS_CONF", "position_source": "POS_SRC",
    "position_note": "POS_NOTE", "extent_method": "EXTENT", "area_mu_plan": "AREA_PLAN", "sectors_zh": "SECTORS_ZH",
    "district": "DISTRICT", "floor_area_m2": "FLOOR_M2", "investment_yi": "INVEST_YI", "output_per_mu_wan": "OUT_PER_MU",
    "geom_basis": "GEOM_BASIS",
}
"""Explicit 10-character ASCII field names (documented in the zip's ``fields.csv``)."""
README = (
    "Shapefile field names are limited to 10 characters: fields.csv maps each field to its column.\n"
    "Texts longer than 254 bytes continue in numbered fields (e.g. QUOTE_ZH, QUOTE_Z_2): join them in order.\n"
    "Files are UTF-8 (.cpg). Mixed zone geometries are split into zones_poly / zones_line / zones_point.\n")


def shp_field_names(columns: list[str], long_parts: dict[str, int]) -> list[tuple[str, str, int]]:
    """The Shapefile fields of a layer's columns: ≤ 10 ASCII characters, unique.

    Parameters
    ----------
    columns : list of str
    long_parts : dict of str to int
        How many fields a long text column continues over (1 when absent).

    Returns
    -------
    list of (field, column, part)
    """
    out, used = [], set()
    for c in columns:
        base = SHP_NAMES.get(c) or re.sub(r"[^A-Z0-9_]", "_", c.upper())[:10]
        for part in range(1, long_parts.get(c, 1) + 1):
            name = base if part == 1 else f"{base[:8]}_{part}"
            k = 2
            while name in used:
                name = f"{base[:7]}_{k:02d}"[:10]
                k += 1
            used.add(name)
            out.append((name, c, part))
    return out


def split_utf8(text: str, limit: int) -> list[str]:
    """Split a text at character boundaries into pieces of at most ``limit`` UTF-8 bytes.

    DBF readers strip blanks at both ends of a value, so a cut never falls next to white space
    (unless a run of blanks is longer than a field).

    Parameters
    ----------
    text : str
    limit : int

    Returns
    -------
    list of str
        Joined in order they give ``text`` back.
    """
    parts, start = [], 0
    while len(text[start:].encode("utf-8")) > limit:
        end, size = start, 0
        while size + len(text[end].encode("utf-8")) <= limit:
            size += len(text[end].encode("utf-8"))
            end += 1
        cut = end
        while cut > start + 1 and (text[cut - 1].isspace() or text[cut].isspace()):
            cut -= 1
        if cut == start + 1:  # a run of blanks longer than a field: cut anyway
            cut = end
        parts.append(text[start:cut])
        start = cut
    parts.append(text[start:])
    return parts


def _long_parts(g: gpd.GeoDataFrame, name: str) -> dict[str, int]:
    """Text columns longer than a field and the fields each needs; a name too long is refused."""
    out: dict[str, int] = {}
    for c in g.columns:
        if c == "geometry" or not (g[c].dtype == object or pd.api.types.is_string_dtype(g[c])):
            continue
        lens = g[c].map(lambda v: len(v.encode("utf-8")) if isinstance(v, str) else 0)
        if lens.max() <= SHP_TEXT_BYTES:
            continue
        if c in NAME_FIELDS:
            i = int(lens.idxmax())
            raise ExportError(
                f"Shapefile: {name} feature {g[ID_COLUMN[name]].iloc[i]}: {c} is {int(lens.max())} bytes, "
                f"longer than a Shapefile field can hold ({SHP_TEXT_BYTES} bytes). Export as GeoPackage instead.")
        out[c] = max(len(split_utf8(v, SHP_TEXT_BYTES)) for v in g[c] if isinstance(v, str))
    return out


def _part(v: object, part: int) -> str | None:
    return (split_utf8(v, SHP_TEXT_BYTES) + [None] * 99)[part - 1] if isinstance(v, str) else None


def _kind(geom_type: str) -> str:
    for key, kind in (("Polygon", "poly"), ("LineString", "line"), ("Point", "point")):
        if key in geom_type:
            return kind
    return "none"


def _write_layer(g: gpd.GeoDataFrame, name: str, work: Path) -> list[dict]:
    """Write one layer (split by geometry type); its rows of ``fields.csv``."""
    g = clean(g)
    long_parts = _long_parts(g, name)
    fields = shp_field_names([c for c in g.columns if c != "geometry"], long_parts)
    table = {field: (g[c].map(lambda v, p=part: _part(v, p)) if long_parts.get(c) else g[c])
             for field, c, part in fields}
    out = gpd.GeoDataFrame(table, geometry=g.geometry.values, crs=g.crs)
    kinds = out.geometry.geom_type.fillna("None").map(_kind)
    groups = sorted(kinds.unique())
    for k in groups:
        part = out[kinds == k]
        if k == "none":
            part = part.set_geometry(gpd.GeoSeries([None] * len(part), crs=out.crs))
        lname = name if len(groups) == 1 else f"{name}_{k}"
        part.to_file(work / f"{lname}.shp", driver="ESRI Shapefile", engine="pyogrio", encoding="UTF-8")
    return [{"layer": name, "shp_field": f, "column": c, "part": p} for f, c, p in fields]


def write(job: Job) -> Path:
    """Write ``<stem>.shp.zip``: the Shapefiles, ``fields.csv``, ``metadata.json`` and a README.

    Parameters
    ----------
    job : Job

    Returns
    -------
    Path

    Raises
    ------
    ExportError
        When a name is longer than a Shapefile field can hold.
    """
    work = job.folder / "shp"
    work.mkdir()
    rows = []
    for name, g in job.layers.items():
        if len(g):
            rows += _write_layer(g, name, work)
    pd.DataFrame(rows).to_csv(work / "fields.csv", index=False)
    (work / "metadata.json").write_text(metadata_json(job.meta), encoding="utf-8")
    (work / "README.txt").write_text(README, encoding="utf-8")
    z = job.path(FORMAT.suffix)
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(work.iterdir()):
            zf.write(f, f.name)
    return z


def _joined(g: gpd.GeoDataFrame, fields: pd.DataFrame) -> dict[str, pd.Series]:
    """The layer's columns under their own names, long texts joined back from their numbered fields."""
    cols = {}
    for c, grp in fields.groupby("column", sort=False):
        vals = g[list(grp.sort_values("part").shp_field)]
        if len(grp) > 1:
            cols[c] = vals.apply(lambda r: None if r.isna().all() else "".join(x for x in r if isinstance(x, str)),
                                 axis=1)
        else:
            cols[c] = vals.iloc[:, 0]
    return cols


def read(path: Path, crs: str) -> dict[str, gpd.GeoDataFrame]:
    """Read the layers of a Shapefile snapshot with their original column names.

    Parameters
    ----------
    path : Path
    crs : str

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
    """
    out = {}
    with tempfile.TemporaryDirectory() as d, zipfile.ZipFile(path) as zf:
        zf.extractall(d)
        fields = pd.read_csv(Path(d) / "fields.csv")
        for layer in LAYERS:
            parts = sorted(Path(d).glob(f"{layer}*.shp"))
            if not parts:
                continue
            g = pd.concat([gpd.read_file(p, encoding="UTF-8") for p in parts], ignore_index=True)
            g = gpd.GeoDataFrame(g, geometry="geometry", crs=gpd.read_file(parts[0]).crs)
            out[layer] = gpd.GeoDataFrame(_joined(g, fields[fields.layer == layer]), geometry=g.geometry.values,
                                          crs=g.crs)
    return out


FORMAT = ExportFormat("shp", "ESRI Shapefile (zip)", ".shp.zip", write, read, order=30)

"""Layer snapshots: exactly the current selection, in the formats staff use, losslessly.

A snapshot has three layers — parcels (polygons with their project's attributes), zones (the
selected zones: polygons, lines, points) and projects (every selected project, located at its
parcel or zone, `geom_basis` says which) — written in one format and one CRS, with metadata
(time, filter, CRS, data version, counts, totals) inside the file where the format allows and
always in a sidecar JSON. Everything is written in a temporary folder and renamed into place:
a failure leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import config as paths
from geo.core import aggregate
from geo.core.crs import WGS84, areas_mu, project
from geo.core.filter import Filter, Selection, apply_filter
from geo.core.gcj02 import shift_frame
from geo.core.model import PlanData

FORMATS = ("geojson", "gpkg", "shp", "kml", "csv", "xlsx", "html")
CRS_CHOICES = {"EPSG:4326": "WGS84", "EPSG:4490": "CGCS2000", "EPSG:4544": "CGCS2000 3-degree GK CM105E",
               "GCJ02": "GCJ-02 (Gaode/Amap)"}
LAYERS = ("parcels", "zones", "projects")
FORMAT_LABELS = {"geojson": "GeoJSON (zip)", "gpkg": "GeoPackage", "shp": "ESRI Shapefile (zip)",
                 "kml": "KML (Google Earth / 奥维)", "csv": "CSV (WKT + x/y, zip)", "xlsx": "Excel",
                 "html": "HTML map (self-contained)"}
SHP_TEXT_BYTES = 254  # DBF character field limit
NAME_FIELDS = ("name_zh", "name_en")  # never split across Shapefile fields: too long is an error

PARCEL_COLUMNS = ["parcel_id", "project_id", "name_zh", "name_en", "kind", "sector_zh", "sector_en", "sector_group_zh",
                  "sector_group_en", "zone_id", "zone_name_zh", "region_zh", "function_zh", "function_en", "land_mu",
                  "land_mu_text", "land_note", "area_mu", "output_target_yi", "output_target_text", "target_year",
                  "geometry_source", "placement_note", "source_doc", "source_ref", "quote_zh", "notes"]
ZONE_COLUMNS = ["zone_id", "layer_id", "name_zh", "name_en", "layout", "role_zh", "role_en", "parent_id", "district_zh",
                "geom_kind", "geometry_source", "position_method", "position_confidence", "position_source",
                "position_note", "extent_method", "area_mu_plan", "sectors_zh", "source_doc", "source_ref", "quote_zh"]
PROJECT_COLUMNS = ["project_id", "name_zh", "name_en", "kind", "sector_zh", "sector_en", "sector_group_zh", "zone_id",
                   "zone_name_zh", "district", "region_zh", "function_zh", "land_mu", "land_mu_text", "land_note",
                   "floor_area_m2", "output_target_yi", "output_target_text", "target_year", "investment_yi",
                   "output_per_mu_wan", "parcel_id", "source_doc", "source_ref", "quote_zh", "notes", "geom_basis"]
ID_COLUMN = {"parcels": "parcel_id", "zones": "zone_id", "projects": "project_id"}

# Shapefile: explicit 10-character ASCII names (documented in the zip's fields.csv)
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


class ExportError(Exception):
    """A snapshot cannot be written; the message says why and nothing was left behind."""


@dataclass
class Snapshot:
    path: Path  # the exported file (zip, gpkg, kml, xlsx, html)
    metadata_path: Path  # the sidecar JSON
    metadata: dict


# ------------------------------------------------------------------ selection → layers

def data_version(data_dir: Path | None = None, layers_dir: Path | None = None) -> str:
    """Content hash of the shipped data and layers (first 12 hex digits of SHA-256)."""
    h = hashlib.sha256()
    files = sorted((Path(data_dir or paths.settings().data_dir)).glob("*.csv")) + [Path(data_dir or paths.settings().data_dir) / "parcels.geojson"]
    files += sorted(Path(layers_dir or paths.settings().layers_dir).glob("*"))
    for f in files:
        if f.is_file():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:12]


def layers_of(sel: Selection) -> dict[str, gpd.GeoDataFrame]:
    """The three layers of a snapshot, in WGS84."""
    parcels = gpd.GeoDataFrame(sel.parcels[[c for c in PARCEL_COLUMNS if c in sel.parcels.columns] + ["geometry"]],
                               geometry="geometry", crs=WGS84)
    zones = gpd.GeoDataFrame(sel.zones[[c for c in ZONE_COLUMNS if c in sel.zones.columns] + ["geometry"]],
                             geometry="geometry", crs=WGS84)
    p = sel.projects.copy()
    parcel_geom = sel.parcels.set_index("project_id").geometry if len(sel.parcels) else pd.Series(dtype=object)
    zone_geom = sel.zones.set_index("zone_id").geometry if len(sel.zones) else pd.Series(dtype=object)
    geoms, basis = [], []
    for r in p.itertuples():
        if r.project_id in parcel_geom.index:
            geoms.append(parcel_geom[r.project_id].representative_point())
            basis.append("parcel")
        elif r.zone_id in zone_geom.index:
            geoms.append(zone_geom[r.zone_id].representative_point())
            basis.append("zone")
        else:
            geoms.append(None)
            basis.append("none")
    p["geom_basis"] = basis
    projects = gpd.GeoDataFrame(p[[c for c in PROJECT_COLUMNS if c in p.columns]], geometry=geoms, crs=WGS84)
    return {"parcels": parcels.reset_index(drop=True), "zones": zones.reset_index(drop=True),
            "projects": projects.reset_index(drop=True)}


def to_crs(gdf: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    if crs == "GCJ02":
        return shift_frame(gdf)
    if crs == "EPSG:4326":
        return gdf
    return gdf.to_crs(crs)


def from_crs(gdf: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    """Back to WGS84 (for round-trip checks and history comparison)."""
    if crs == "GCJ02":
        return shift_frame(gdf, inverse=True)
    return gdf.to_crs(WGS84) if gdf.crs is not None and gdf.crs.to_epsg() != 4326 else gdf.set_crs(WGS84, allow_override=True)


def metadata(data: PlanData, f: Filter, sel: Selection, fmt: str, crs: str, lang: str, when: dt.datetime) -> dict:
    s = aggregate.summarize(sel.projects)

    def num(x):
        return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 6)

    return {
        "product": "科学城规划一张图 Science City Planning Map",
        "created": when.isoformat(timespec="seconds"),
        "format": fmt, "crs": crs, "crs_name": CRS_CHOICES[crs], "language": lang,
        "filter": f.to_dict(), "filter_summary": f.summary(),
        "data_version": data_version(),
        "counts": {"parcels": int(len(sel.parcels)), "zones": int(len(sel.zones)), "projects": int(len(sel.projects))},
        "totals": {"land_mu": num(s["land_mu"]), "output_target_yi": num(s["output_target_yi"]),
                   "output_per_mu_wan": num(s["output_per_mu_wan"])},
        "units": {"land_mu": "亩 (1 亩 = 10000/15 m²)", "output_target_yi": "亿元"},
        "sources": data.sources[["source_doc", "title_zh"]].to_dict("records") if len(data.sources) else [],
        "geometry_note": "Zones are approximate or schematic unless geometry_source says surveyed/digitised; "
                         "schematic parcels are squares sized to the plan's 亩.",
    }


def file_stem(meta: dict) -> str:
    stamp = meta["created"][:19].replace(":", "").replace("-", "")  # 20261122T001530: several a day
    crs = meta["crs"].replace("EPSG:", "epsg")
    return f"scimap_{stamp}_{meta['filter_summary']}_{crs}"


# ------------------------------------------------------------------ writers

def _clean(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Object columns → str or None; nullable ints stay numbers."""
    out = gdf.copy()
    for c in out.columns:
        if c == "geometry":
            continue
        if str(out[c].dtype) in ("Int64",):
            out[c] = out[c].astype("float64")
        elif out[c].dtype == object or str(out[c].dtype).startswith("str") or str(out[c].dtype) == "string":
            out[c] = out[c].map(lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) or v == "" else str(v))
    return out


def _write_geojson_zip(layers, meta, tmp: Path, stem: str) -> Path:
    z = tmp / f"{stem}.geojson.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, g in layers.items():
            fc = json.loads(_clean(g).to_json(ensure_ascii=False, drop_id=True, na="null"))
            if meta["crs"] not in ("EPSG:4326", "GCJ02"):
                fc["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{meta['crs'].split(':')[1]}"}}
            fc["metadata"] = meta  # a foreign member: ignored by GIS tools, kept for the record
            zf.writestr(f"{name}.geojson", json.dumps(fc, ensure_ascii=False))
        zf.writestr("metadata.json", json.dumps(meta, ensure_ascii=False, indent=1))
    return z


def _write_gpkg(layers, meta, tmp: Path, stem: str) -> Path:
    p = tmp / f"{stem}.gpkg"
    for name, g in layers.items():
        g = _clean(g)
        if not len(g):
            continue
        # GeoPackage 1.2: opened by older ArcGIS/QGIS/GDAL too (GDAL 3.12 would write 1.4)
        g.to_file(p, layer=name, driver="GPKG", engine="pyogrio", append=p.exists(),
                  **({} if p.exists() else {"dataset_options": {"VERSION": "1.2"}}))
    md = pd.DataFrame({"key": ["metadata"], "value": [json.dumps(meta, ensure_ascii=False)]})
    import pyogrio
    pyogrio.write_dataframe(md, p, layer="snapshot_metadata", driver="GPKG", append=True)
    return p


def shp_field_names(columns: list[str], long_parts: dict[str, int]) -> list[tuple[str, str, int]]:
    """(shapefile field, column, part) — ≤ 10 ASCII characters, unique."""
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


def _split_utf8(text: str, limit: int) -> list[str]:
    """Split at character boundaries into ≤ limit-byte pieces. DBF readers strip blanks at both
    ends of a value, so a cut never falls next to white space."""
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


def _write_shp_zip(layers, meta, tmp: Path, stem: str) -> Path:
    work = tmp / "shp"
    work.mkdir()
    mapping_rows = []
    written = []
    for name, g in layers.items():
        g = _clean(g)
        if not len(g):
            continue
        cols = [c for c in g.columns if c != "geometry"]
        # long texts: names must fit, other texts continue in numbered fields
        long_parts: dict[str, int] = {}
        for c in cols:
            if not (g[c].dtype == object or pd.api.types.is_string_dtype(g[c])):
                continue
            lens = g[c].map(lambda v: len(v.encode("utf-8")) if isinstance(v, str) else 0)
            if lens.max() > SHP_TEXT_BYTES:
                if c in NAME_FIELDS:
                    i = int(lens.idxmax())
                    raise ExportError(
                        f"Shapefile: {name} feature {g[ID_COLUMN[name]].iloc[i]}: {c} is {int(lens.max())} bytes, "
                        f"longer than a Shapefile field can hold ({SHP_TEXT_BYTES} bytes). Export as GeoPackage instead.")
                long_parts[c] = max(len(_split_utf8(v, SHP_TEXT_BYTES)) for v in g[c] if isinstance(v, str))
        fields = shp_field_names(cols, long_parts)
        table = {}
        for field, c, part in fields:
            if long_parts.get(c):
                table[field] = g[c].map(lambda v, p=part: (_split_utf8(v, SHP_TEXT_BYTES) + [None] * 99)[p - 1]
                                        if isinstance(v, str) else None)
            else:
                table[field] = g[c]
        out = gpd.GeoDataFrame(table, geometry=g.geometry.values, crs=g.crs)
        mapping_rows += [{"layer": name, "shp_field": f, "column": c, "part": p} for f, c, p in fields]
        # a Shapefile holds one geometry type: split mixed layers (zones: areas, lines, points)
        kinds = out.geometry.geom_type.fillna("None").map(
            lambda t: "poly" if "Polygon" in t else ("line" if "LineString" in t else ("point" if "Point" in t else "none")))
        groups = sorted(kinds.unique())
        for k in groups:
            part = out[kinds == k]
            lname = name if len(groups) == 1 else f"{name}_{k}"
            if k == "none":
                part = part.set_geometry(gpd.GeoSeries([None] * len(part), crs=out.crs))
            part.to_file(work / f"{lname}.shp", driver="ESRI Shapefile", engine="pyogrio", encoding="UTF-8")
            written.append(lname)
    pd.DataFrame(mapping_rows).to_csv(work / "fields.csv", index=False)
    (work / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    (work / "README.txt").write_text(
        "Shapefile field names are limited to 10 characters: fields.csv maps each field to its column.\n"
        "Texts longer than 254 bytes continue in numbered fields (e.g. QUOTE_ZH, QUOTE_Z_2): join them in order.\n"
        "Files are UTF-8 (.cpg). Mixed zone geometries are split into zones_poly / zones_line / zones_point.\n",
        encoding="utf-8")
    z = tmp / f"{stem}.shp.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(work.iterdir()):
            zf.write(f, f.name)
    return z


def _write_kml(layers, meta, tmp: Path, stem: str) -> Path:
    if meta["crs"] not in ("EPSG:4326", "EPSG:4490", "GCJ02"):
        raise ExportError(f"KML holds longitude/latitude only: choose EPSG:4326, EPSG:4490 or GCJ02, not {meta['crs']}")
    p = tmp / f"{stem}.kml"
    import pyogrio
    first = True
    for name, g in layers.items():
        g = _clean(g)
        if not len(g):
            continue
        g = g[g.geometry.notna()].copy()
        g.insert(0, "Name", g["name_zh"].fillna("") if "name_zh" in g else "")
        g["Description"] = [f"{name}: {i}" for i in g[ID_COLUMN[name]]]
        pyogrio.write_dataframe(g, p, layer=name, driver="LIBKML", append=not first)
        first = False
    # metadata in the root document: its name and an ExtendedData JSON (KML readers show the name)
    from xml.sax.saxutils import escape
    text = p.read_text(encoding="utf-8")
    head = (f"<name>{escape('科学城规划一张图 ' + meta['filter_summary'] + ' ' + meta['created'])}</name>"
            f"<ExtendedData><Data name=\"scimap_metadata\"><value>{escape(json.dumps(meta, ensure_ascii=False))}"
            f"</value></Data></ExtendedData>")
    text = re.sub(r'(<Document id="root_doc">)', lambda m: m.group(1) + head, text, count=1)
    p.write_text(text, encoding="utf-8")
    return p


def _wkt_table(g: gpd.GeoDataFrame) -> pd.DataFrame:
    t = pd.DataFrame(_clean(g).drop(columns="geometry"))
    rep = g.geometry.map(lambda x: x.representative_point() if x is not None and not x.is_empty else None)
    t["x"] = rep.map(lambda p: None if p is None else round(p.x, 8))
    t["y"] = rep.map(lambda p: None if p is None else round(p.y, 8))
    t["wkt"] = g.geometry.map(lambda x: None if x is None else shapely.to_wkt(x, rounding_precision=-1))
    return t


def _write_csv_zip(layers, meta, tmp: Path, stem: str) -> Path:
    z = tmp / f"{stem}.csv.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, g in layers.items():
            # UTF-8 with BOM so that Excel opens Chinese correctly
            zf.writestr(f"{name}.csv", _wkt_table(g).to_csv(index=False).encode("utf-8-sig"))
        zf.writestr("metadata.json", json.dumps(meta, ensure_ascii=False, indent=1))
    return z


def _write_xlsx(layers, meta, tmp: Path, stem: str) -> Path:
    p = tmp / f"{stem}.xlsx"
    with pd.ExcelWriter(p, engine="openpyxl") as xw:
        for name, g in layers.items():
            _wkt_table(g).to_excel(xw, sheet_name=name, index=False)
            # a text starting with "=" is data, not a formula: Excel must neither evaluate nor drop it
            for row in xw.sheets[name].iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        cell.data_type = "s"
        pd.DataFrame([{"key": k, "value": json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v}
                      for k, v in meta.items()]).to_excel(xw, sheet_name="metadata", index=False)
    return p


def _write_html(data, sel, meta, tmp: Path, stem: str, lang: str, view: dict | None) -> Path:
    from geo.render import assets, mapview
    if meta["crs"] != "EPSG:4326":
        raise ExportError("the HTML map is drawn on a web map in WGS84; choose EPSG:4326 (its basemap handles GCJ-02)")
    v = view or {}
    opts = mapview.MapOptions(lang=lang, basemap=v.get("basemap", "none"), thematic=v.get("thematic", "none"),
                              center=v.get("center", mapview.DEFAULT_CENTER), zoom=v.get("zoom", mapview.DEFAULT_ZOOM),
                              tianditu_key=v.get("tianditu_key", ""))
    m = mapview.build_map(data, sel, opts)
    page = assets.inline_assets(m.get_root().render())
    page = page.replace("<head>", "<head>\n<script type=\"application/json\" id=\"scimap-metadata\">"
                        + json.dumps(meta, ensure_ascii=False).replace("<", "\\u003c") + "</script>", 1)
    p = tmp / f"{stem}.html"
    p.write_text(page, encoding="utf-8")
    return p


# ------------------------------------------------------------------ main entry

def export(data: PlanData, f: Filter, fmt: str, out_dir: str | os.PathLike, crs: str = "EPSG:4326", lang: str = "zh",
           when: dt.datetime | None = None, view: dict | None = None) -> Snapshot:
    """Write a snapshot of the selection `f` into out_dir; return the file and its metadata."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if crs not in CRS_CHOICES:
        raise ExportError(f"unknown CRS {crs!r}: choose one of {', '.join(CRS_CHOICES)}")
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ExportError(f"cannot create the output folder {out_dir}: {e.strerror}") from e
    if not os.access(out_dir, os.W_OK):
        raise ExportError(f"the output folder {out_dir} is not writable")
    sel = apply_filter(data, f)
    if len(sel.projects) == 0 and len(sel.zones) == 0:
        raise ExportError("the selection is empty: nothing to export (loosen the filter)")
    when = when or dt.datetime.now().astimezone()
    meta = metadata(data, f, sel, fmt, crs, lang, when)
    stem = file_stem(meta)
    layers = {k: to_crs(v, crs) for k, v in layers_of(sel).items()}
    try:
        tmp = Path(tempfile.mkdtemp(prefix=".scimap-export-", dir=out_dir))
    except OSError as e:
        raise ExportError(f"the output folder {out_dir} is not writable: {e.strerror}") from e
    try:
        writer = {"geojson": _write_geojson_zip, "gpkg": _write_gpkg, "shp": _write_shp_zip, "kml": _write_kml,
                  "csv": _write_csv_zip, "xlsx": _write_xlsx}.get(fmt)
        if writer:
            made = writer(layers, meta, tmp, stem)
        else:
            made = _write_html(data, sel, meta, tmp, stem, lang, view)
        side = tmp / (made.name + ".metadata.json")
        meta["file"] = made.name
        meta["sha256"] = hashlib.sha256(made.read_bytes()).hexdigest()
        side.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        final, final_side = out_dir / made.name, out_dir / side.name
        os.replace(made, final)
        os.replace(side, final_side)
    except ExportError:
        raise
    except Exception as e:
        raise ExportError(f"{fmt} export failed: {e}") from e
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Snapshot(final, final_side, meta)


# ------------------------------------------------------------------ reading snapshots back

def read_snapshot(path: str | os.PathLike) -> dict[str, gpd.GeoDataFrame]:
    """Read an exported snapshot back into WGS84 layers with the original column names."""
    path = Path(path)
    meta = json.loads(Path(str(path) + ".metadata.json").read_text(encoding="utf-8"))
    crs = meta["crs"]
    name = path.name
    out: dict[str, gpd.GeoDataFrame] = {}
    if name.endswith(".geojson.zip"):
        with zipfile.ZipFile(path) as zf:
            for layer in LAYERS:
                if f"{layer}.geojson" in zf.namelist():
                    fc = json.loads(zf.read(f"{layer}.geojson"))
                    g = gpd.GeoDataFrame.from_features(fc["features"])
                    g = g.set_crs(WGS84 if crs in ("EPSG:4326", "GCJ02") else crs, allow_override=True)
                    out[layer] = g
    elif name.endswith(".gpkg"):
        import pyogrio
        for layer, _ in pyogrio.list_layers(path):
            if layer in LAYERS:
                out[layer] = gpd.read_file(path, layer=layer)
    elif name.endswith(".shp.zip"):
        with tempfile.TemporaryDirectory() as d, zipfile.ZipFile(path) as zf:
            zf.extractall(d)
            fields = pd.read_csv(Path(d) / "fields.csv")
            for layer in LAYERS:
                parts = sorted(Path(d).glob(f"{layer}*.shp"))
                if not parts:
                    continue
                g = pd.concat([gpd.read_file(p, encoding="UTF-8") for p in parts], ignore_index=True)
                g = gpd.GeoDataFrame(g, geometry="geometry", crs=gpd.read_file(parts[0]).crs)
                m = fields[fields.layer == layer]
                cols = {}
                for c, grp in m.groupby("column", sort=False):
                    vals = g[list(grp.sort_values("part").shp_field)]
                    if len(grp) > 1:
                        cols[c] = vals.apply(lambda r: None if r.isna().all() else "".join(x for x in r if isinstance(x, str)), axis=1)
                    else:
                        cols[c] = vals.iloc[:, 0]
                out[layer] = gpd.GeoDataFrame(cols, geometry=g.geometry.values, crs=g.crs)
    elif name.endswith(".kml"):
        import pyogrio
        for layer, _ in pyogrio.list_layers(path):
            if layer in LAYERS:
                g = gpd.read_file(path, layer=layer, engine="pyogrio")
                out[layer] = g.drop(columns=[c for c in ("Name", "Description") if c in g.columns])
    elif name.endswith(".csv.zip") or name.endswith(".xlsx"):
        if name.endswith(".xlsx"):
            sheets = pd.read_excel(path, sheet_name=None, dtype=object)
            tables = {k: v for k, v in sheets.items() if k in LAYERS}
        else:
            with zipfile.ZipFile(path) as zf:
                tables = {layer: pd.read_csv(zf.open(f"{layer}.csv"), dtype=object, encoding="utf-8-sig", keep_default_na=False,
                                             na_values=[""]) for layer in LAYERS if f"{layer}.csv" in zf.namelist()}
        for layer, t in tables.items():
            geom = t["wkt"].map(lambda w: shapely.from_wkt(w) if isinstance(w, str) and w else None)
            t = t.drop(columns=["wkt", "x", "y"]).where(t.drop(columns=["wkt", "x", "y"]).notna(), None)
            out[layer] = gpd.GeoDataFrame(t, geometry=list(geom), crs=WGS84 if crs in ("EPSG:4326", "GCJ02") else crs)
    else:
        raise ExportError(f"{path}: not a snapshot this tool reads back")
    return {k: from_crs(v, crs) for k, v in out.items()}


def layer_area_mu(g: gpd.GeoDataFrame) -> np.ndarray:
    polys = g.geometry.map(lambda x: x is not None and x.geom_type in ("Polygon", "MultiPolygon"))
    out = np.full(len(g), np.nan)
    if polys.any():
        out[polys.to_numpy()] = areas_mu(g.geometry[polys].values)
    return out


__all__ = ["export", "read_snapshot", "ExportError", "Snapshot", "FORMATS", "CRS_CHOICES", "project"]

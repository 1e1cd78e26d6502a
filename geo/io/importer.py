"""Bring real boundaries in: read a file, find its CRS, match features to projects or zones, check.

Nothing here writes the stored data: `read_features` and `review` produce a report per feature
(match, CRS used, area against the plan, validity, overlaps, district) for the user to confirm;
geo.store applies the accepted ones atomically. Every failure is an `ImportFailed` naming the file
and the problem — hostile or broken input never raises anything else.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.validation import explain_validity, make_valid

from geo.core import extent
from geo.core.crs import WGS84, areas_mu
from geo.core.gcj02 import geom_from_gcj02
from geo.core.model import PlanData

MAX_BYTES = 50 * 1024 * 1024  # an upload larger than this is refused
MAX_UNZIPPED = 200 * 1024 * 1024  # zip bombs
MAX_FEATURES = 20000
AREA_FLAG_REL = 0.10  # a boundary more than 10 % off the plan's 亩 is flagged
READABLE = (".geojson", ".json", ".gpkg", ".shp", ".kml", ".kmz", ".csv", ".dxf", ".zip")


class ImportFailed(Exception):
    """The file cannot be imported; the message names the file and the problem."""


@dataclass
class Loaded:
    file: str
    gdf: gpd.GeoDataFrame  # WGS84, 2D
    crs_used: str
    crs_note: str
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ reading

def _safe_extract(zpath: Path, dest: Path, name: str) -> list[Path]:
    try:
        zf = zipfile.ZipFile(zpath)
    except zipfile.BadZipFile as e:
        raise ImportFailed(f"{name}: not a readable zip archive ({e})") from e
    with zf:
        total = 0
        out = []
        for info in zf.infolist():
            member = info.filename
            if member.startswith(("/", "\\")) or ".." in Path(member).parts or re.match(r"^[A-Za-z]:", member):
                raise ImportFailed(f"{name}: zip member '{member}' points outside the archive (path traversal): refused")
            if info.is_dir():
                continue
            total += info.file_size
            if total > MAX_UNZIPPED:
                raise ImportFailed(f"{name}: unpacks to more than {MAX_UNZIPPED // 2**20} MB: refused")
            target = dest / Path(member).name  # flatten: no folders from the archive are created
            with zf.open(info) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, length=1 << 20)
            out.append(target)
        return out


def _pick_dataset(files: list[Path], name: str) -> Path:
    for ext in (".shp", ".gpkg", ".geojson", ".json", ".kml", ".csv", ".dxf"):
        hits = [f for f in files if f.suffix.lower() == ext]
        if hits:
            if ext == ".shp":
                stem = hits[0].with_suffix("")
                missing = [e for e in (".dbf", ".shx") if not any(f == stem.with_suffix(e) or
                                                                   f.with_suffix("") == stem and f.suffix.lower() == e
                                                                   for f in files)]
                if missing:
                    raise ImportFailed(f"{name}: the Shapefile {hits[0].name} comes without {', '.join(missing)}")
            return hits[0]
    raise ImportFailed(f"{name}: the archive holds no GeoJSON, GeoPackage, Shapefile, KML, CSV or DXF")


def _read_csv(path: Path, name: str) -> gpd.GeoDataFrame:
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise ImportFailed(f"{name}: cannot be read as a UTF-8 CSV ({e})") from e
    cols = {c.lower().strip(): c for c in df.columns}
    wkt = next((cols[c] for c in ("wkt", "geometry", "geom", "the_geom") if c in cols), None)
    if wkt:
        geoms = []
        for i, v in enumerate(df[wkt]):
            try:
                geoms.append(shapely.from_wkt(v) if v else None)
            except shapely.errors.GEOSException as e:
                raise ImportFailed(f"{name}: row {i + 2}: '{v[:40]}' is not WKT ({e})") from e
        return gpd.GeoDataFrame(df.drop(columns=[wkt]), geometry=geoms)
    xk = next((cols[c] for c in ("lon", "lng", "longitude", "x", "经度") if c in cols), None)
    yk = next((cols[c] for c in ("lat", "latitude", "y", "纬度") if c in cols), None)
    if not (xk and yk):
        raise ImportFailed(f"{name}: a CSV needs a WKT column or lon/lat (x/y, 经度/纬度) columns")
    x = pd.to_numeric(df[xk], errors="coerce")
    y = pd.to_numeric(df[yk], errors="coerce")
    bad = (x.isna() | y.isna()) & ((df[xk] != "") | (df[yk] != ""))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ImportFailed(f"{name}: row {i + 2}: '{df[xk].iloc[i]}', '{df[yk].iloc[i]}' are not numbers")
    return gpd.GeoDataFrame(df.drop(columns=[xk, yk]), geometry=gpd.points_from_xy(x, y))


def read_file(path: str | Path, name: str | None = None) -> gpd.GeoDataFrame:
    """Read any supported vector file (zip/kmz unpacked safely) into a GeoDataFrame, CRS as declared."""
    path = Path(path)
    name = name or path.name
    if not path.is_file():
        raise ImportFailed(f"{name}: no such file")
    size = path.stat().st_size
    if size == 0:
        raise ImportFailed(f"{name}: the file is empty")
    if size > MAX_BYTES:
        raise ImportFailed(f"{name}: {size / 2**20:.0f} MB is over the {MAX_BYTES // 2**20} MB upload limit")
    suffix = path.suffix.lower()
    if suffix not in READABLE:
        raise ImportFailed(f"{name}: unsupported file type '{suffix}' (use {', '.join(READABLE)})")
    with tempfile.TemporaryDirectory(prefix="scimap-import-") as tmp:
        tmp = Path(tmp)
        target = path
        if suffix in (".zip", ".kmz"):
            files = _safe_extract(path, tmp, name)
            target = _pick_dataset(files, name)
        if target.suffix.lower() == ".csv":
            gdf = _read_csv(target, name)
        else:
            if target.suffix.lower() in (".geojson", ".json"):
                try:
                    json.loads(target.read_bytes().decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError) as e:
                    raise ImportFailed(f"{name}: not valid JSON ({e.__class__.__name__}: {str(e)[:80]})") from e
            try:
                import pyogrio
                layers = pyogrio.list_layers(target)
                frames = []
                for lname, _ in layers:
                    g = gpd.read_file(target, layer=lname, engine="pyogrio")
                    if "geometry" in g and len(g):
                        frames.append(g)
                if not frames:
                    raise ImportFailed(f"{name}: holds no features")
                crs = frames[0].crs
                gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=crs)
            except ImportFailed:
                raise
            except Exception as e:  # GDAL: truncated, wrong format, unsupported …
                msg = str(e).splitlines()[0][:160]
                raise ImportFailed(f"{name}: cannot be read as a {target.suffix.lstrip('.').upper()} file ({msg})") from e
    if len(gdf) == 0:
        raise ImportFailed(f"{name}: holds no features")
    if len(gdf) > MAX_FEATURES:
        raise ImportFailed(f"{name}: {len(gdf)} features is over the {MAX_FEATURES} limit of one import")
    return gdf


# ------------------------------------------------------------------ CRS

def guess_crs(gdf: gpd.GeoDataFrame) -> tuple[str, str]:
    """(crs, note) from the coordinate ranges when a file does not declare its CRS."""
    geoms = gdf.geometry[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if not len(geoms):
        return "EPSG:4326", "no coordinates to judge from"
    minx, miny, maxx, maxy = geoms.total_bounds
    if 72 <= minx and maxx <= 137 and 0 <= miny and maxy <= 56:
        return "EPSG:4326", "longitude/latitude in China: taken as WGS84/CGCS2000 (choose GCJ-02 if it came from Gaode)"
    if 72 <= miny and maxy <= 137 and 0 <= minx and maxx <= 56:
        return "swapped", "values look like (latitude, longitude): axes swapped"
    if 25_000_000 <= minx and maxx < 46_000_000 and 2_000_000 <= miny <= 6_000_000:
        zone = int(minx // 1_000_000)
        return f"EPSG:{4513 + zone - 25}", f"Gauss–Krüger easting with zone number {zone} prefixed: CGCS2000 3° zone {zone}"
    if 100_000 <= minx and maxx <= 900_000 and 2_000_000 <= miny <= 6_000_000:
        return "EPSG:4544", ("Gauss–Krüger easting without zone prefix: taken as CGCS2000 CM 105°E (EPSG:4544), the "
                             "Science City's zone — choose EPSG:4545 for central Chongqing")
    return "", f"coordinates {tuple(round(b, 3) for b in (minx, miny, maxx, maxy))} fit no known CRS"


def to_wgs84(gdf: gpd.GeoDataFrame, name: str, crs_override: str | None = None) -> Loaded:
    notes = []
    g = gdf.copy()
    if g.geometry.has_z.any():
        g["geometry"] = shapely.force_2d(g.geometry.values)
        notes.append("3D coordinates: heights dropped")
    declared = g.crs.to_string() if g.crs is not None else ""
    if crs_override:
        crs, note = crs_override.upper() if crs_override.upper() == "GCJ02" else crs_override, "chosen by the user"
    elif g.crs is not None:
        crs, note = declared, "declared in the file"
        epsg = g.crs.to_epsg()
        if epsg in (4326, 4490, 4979) or g.crs.is_geographic:
            b = g.geometry.total_bounds
            if 72 <= b[1] and b[3] <= 137 and 0 <= b[0] and b[2] <= 56:
                crs, note = "swapped", "declared geographic but the values look like (latitude, longitude): axes swapped"
    else:
        crs, note = guess_crs(g)
        note = "guessed: " + note
        if not crs:
            raise ImportFailed(f"{name}: {note}; choose the CRS explicitly")
    try:
        if crs == "swapped":
            g["geometry"] = shapely.transform(g.geometry.values, lambda xy: xy[:, ::-1])
            g = g.set_crs(WGS84, allow_override=True)
        elif crs == "GCJ02":
            g["geometry"] = geom_from_gcj02(np.asarray(g.geometry.values, dtype=object))
            g = g.set_crs(WGS84, allow_override=True)
        else:
            g = g.set_crs(crs, allow_override=True).to_crs(WGS84)
    except Exception as e:
        raise ImportFailed(f"{name}: cannot transform from {crs} to WGS84 ({e})") from e
    geoms = g.geometry[g.geometry.notna() & ~g.geometry.is_empty]
    if len(geoms):
        bounds = tuple(geoms.total_bounds)
        if not extent.in_study_area(bounds):
            raise ImportFailed(f"{name}: after reading as {crs} the features lie at "
                               f"{tuple(round(float(v), 3) for v in bounds)}, outside Chongqing's study area "
                               f"({extent.describe()}): wrong CRS?")
    return Loaded(name, g, crs, note, notes)


# ------------------------------------------------------------------ matching and checks

def _norm(s) -> str:
    return re.sub(r"[\s·()（）\-_]+", "", unicodedata.normalize("NFKC", str(s or ""))).lower()


ID_FIELDS = ("project_id", "parcel_id", "zone_id", "id", "编号", "Layer")  # Layer: CAD layer name (DXF)
NAME_FIELDS = ("name_zh", "name", "名称", "项目名称", "地块名称", "Name", "NAME", "name_en")


def match_features(loaded: Loaded, data: PlanData, layer: str) -> pd.DataFrame:
    """One row per imported feature: what it matches (by id, else by name), or why not."""
    g = loaded.gdf
    if layer == "parcels":
        targets = data.projects[["project_id", "name_zh", "name_en"]].rename(columns={"project_id": "id"})
        alt_ids = dict(zip(data.parcels.parcel_id, data.parcels.project_id, strict=False))
    else:
        targets = data.zones[["zone_id", "name_zh", "name_en"]].rename(columns={"zone_id": "id"})
        alt_ids = {}
    ids = set(targets.id)
    by_name: dict[str, list[str]] = {}
    for r in targets.itertuples():
        for n in (r.name_zh, r.name_en):
            if n:
                by_name.setdefault(_norm(n), []).append(r.id)
    def pick(fields):  # the first field, in our order of preference, that holds values
        for c in fields:
            if c in g.columns and g[c].notna().any() and (g[c].astype(str).str.strip() != "").any():
                return c
        return None
    id_col, name_col = pick(ID_FIELDS), pick(NAME_FIELDS)
    rows = []
    for i, r in g.iterrows():
        raw_id = str(r[id_col]).strip() if id_col and isinstance(r[id_col], str | int | float) and str(r[id_col]) not in ("", "nan", "None") else ""
        name = str(r[name_col]) if name_col and r[name_col] is not None and str(r[name_col]) != "nan" else ""
        match_id, method, candidates = "", "none", []
        if raw_id and (raw_id in ids or raw_id in alt_ids):
            match_id, method = alt_ids.get(raw_id, raw_id), "id"
        elif name:
            exact = by_name.get(_norm(name), [])
            if len(exact) == 1:
                match_id, method = exact[0], "name"
            elif len(exact) > 1:
                method, candidates = "ambiguous", sorted(set(exact))
            else:
                near = sorted({t for k, v in by_name.items() if k and (k in _norm(name) or _norm(name) in k) for t in v})
                if len(near) == 1:
                    match_id, method = near[0], "name (partial)"
                elif near:
                    method, candidates = "ambiguous", near
        rows.append({"feature": int(i), "source_id": raw_id, "source_name": name, "match_id": match_id,
                     "match_method": method, "candidates": ";".join(candidates)})
    return pd.DataFrame(rows)


def check_features(loaded: Loaded, matches: pd.DataFrame, data: PlanData, layer: str) -> pd.DataFrame:
    """Per feature: geometry problems (and repair), area against the plan, overlaps, district, duplicates."""
    g = loaded.gdf
    plan_mu = data.projects.set_index("project_id").land_mu.to_dict() if layer == "parcels" else \
        data.zones.set_index("zone_id").area_mu_plan.to_dict()
    expected_district = (data.zones.set_index("zone_id").district_pip.to_dict())
    proj_zone = data.projects.set_index("project_id").zone_id.to_dict()
    districts = data.districts[["name_zh", "geometry"]] if len(data.districts) else None
    existing = data.parcels.set_index("project_id").geometry if layer == "parcels" else None
    dup_ids = matches.match_id[(matches.match_id != "") & matches.match_id.duplicated(keep=False)]
    out = []
    for m in matches.itertuples():
        geom = g.geometry.iloc[m.feature]
        problems, repaired = [], None
        if geom is None or geom.is_empty:
            problems.append("empty geometry")
        else:
            if not geom.is_valid:
                problems.append(f"invalid geometry: {explain_validity(geom)}")
                fixed = make_valid(geom)
                polys = [p for p in getattr(fixed, "geoms", [fixed]) if p.geom_type in ("Polygon", "MultiPolygon")]
                if polys:
                    repaired = shapely.union_all(polys)
            gt = (repaired or geom).geom_type
            if layer == "parcels" and gt not in ("Polygon", "MultiPolygon"):
                problems.append(f"a {gt} cannot be a parcel (polygons only)")
        final = repaired if repaired is not None else geom
        mu = float(areas_mu([final])[0]) if final is not None and not final.is_empty and \
            final.geom_type in ("Polygon", "MultiPolygon") else math.nan
        pm = plan_mu.get(m.match_id, math.nan) if m.match_id else math.nan
        diff = (mu - pm) / pm if pm and not math.isnan(pm) and not math.isnan(mu) and pm > 0 else math.nan
        if not math.isnan(diff) and abs(diff) > AREA_FLAG_REL:
            problems.append(f"area {mu:.1f} 亩 differs from the plan's {pm:g} 亩 by {diff:+.0%}")
        if m.match_id in set(dup_ids):
            problems.append(f"{m.match_id} appears more than once in the file")
        overlap_with = []
        if existing is not None and final is not None and not final.is_empty and final.is_valid:
            others = existing.drop(index=m.match_id, errors="ignore")
            hits = others[others.intersects(final)]
            overlap_with = [pid for pid, og in hits.items() if final.intersection(og).area > 0]
            if overlap_with:
                problems.append(f"overlaps stored parcel(s) {', '.join(overlap_with)}")
        district = ""
        if districts is not None and final is not None and not final.is_empty:
            hit = districts[districts.contains(final.representative_point())]
            district = hit.name_zh.iloc[0] if len(hit) else ""
        zone_id = proj_zone.get(m.match_id, m.match_id) if layer == "parcels" else m.match_id
        exp = expected_district.get(zone_id, "")
        if exp and district and exp != district:
            problems.append(f"lies in {district}, expected {exp}")
        if m.match_method in ("none", "ambiguous"):
            problems.append("no match" if m.match_method == "none" else f"ambiguous: {m.candidates}")
        blocking = any(p.startswith(("empty", "a ", "ambiguous", "no match")) or "more than once" in p for p in problems) \
            or (problems and problems[0].startswith("invalid") and repaired is None)
        flagged = bool(problems) and not blocking  # to store, the user confirms (app) or passes --accept-flagged
        out.append({"feature": m.feature, "area_mu": round(mu, 3) if not math.isnan(mu) else math.nan,
                    "plan_mu": pm, "area_diff": diff, "district": district, "repaired": repaired is not None,
                    "problems": "; ".join(problems), "acceptable": not blocking, "flagged": flagged})
    rep = matches.merge(pd.DataFrame(out), on="feature")
    rep.attrs["repaired_geoms"] = {o["feature"]: None for o in out}
    return rep


@dataclass
class Review:
    loaded: Loaded
    layer: str
    report: pd.DataFrame

    def accepted(self, include_flagged: bool = False, features: list[int] | None = None) -> gpd.GeoDataFrame:
        """Matched, acceptable features with repaired geometry, ready for geo.store. Flagged ones
        (area far from the plan, overlaps, other district, repaired) only when the user confirms."""
        ok = self.report[self.report.acceptable & (include_flagged | ~self.report.flagged)]
        if features is not None:
            ok = ok[ok.feature.isin(features)]
        geoms = []
        for r in ok.itertuples():
            geom = self.loaded.gdf.geometry.iloc[r.feature]
            if not geom.is_valid:
                fixed = make_valid(geom)
                geom = shapely.union_all([p for p in getattr(fixed, "geoms", [fixed])
                                          if p.geom_type in ("Polygon", "MultiPolygon")])
            geoms.append(shapely.set_precision(geom, 1e-7))
        return gpd.GeoDataFrame({"target_id": ok.match_id.to_numpy()}, geometry=geoms, crs=WGS84)


def review(path: str | Path, data: PlanData, layer: str = "parcels", crs: str | None = None,
           name: str | None = None) -> Review:
    if layer not in ("parcels", "zones"):
        raise ImportFailed(f"unknown layer '{layer}': parcels or zones")
    name = name or Path(path).name
    loaded = to_wgs84(read_file(path, name), name, crs)
    matches = match_features(loaded, data, layer)
    return Review(loaded, layer, check_features(loaded, matches, data, layer))

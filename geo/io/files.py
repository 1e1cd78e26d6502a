"""Typed loading of the shipped data with schema checks.

Every problem is reported as an `Issue` naming the file, the row or feature, and what is
wrong; `load_all` raises `DataError` listing them rather than handing the app bad data.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import config as paths
from geo.core import extent, schema
from geo.core.crs import WGS84
from geo.core.model import DataError, Issue, PlanData


def _rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(paths.ROOT))
    except ValueError:
        return str(path)


def check_columns(df: pd.DataFrame, spec: dict, file: str, id_col: str, kind: str = "row") -> list[Issue]:
    """Check presence, required values, types and enums; convert typed columns in place."""
    issues: list[Issue] = []
    missing = [c for c in spec if c not in df.columns]
    if missing:
        return [Issue("error", file, "header", f"missing column(s): {', '.join(missing)}")]
    ids = df[id_col].astype(str) if id_col in df.columns else pd.Series(range(len(df)))

    def where(i) -> str:
        n = i + 2 if kind == "row" else i  # CSV: header is line 1
        return f"{kind} {n} ({ids.iloc[i]})"

    for col, (typ, required) in spec.items():
        s = df[col]
        blank = s.isna() | (s.astype(str).str.strip() == "")
        if required:
            for i in blank[blank].index:
                issues.append(Issue("error", file, where(df.index.get_loc(i)), f"{col} is empty"))
        if typ in ("float", "int"):
            conv = pd.to_numeric(s.where(~blank), errors="coerce")
            bad = conv.isna() & ~blank
            for i in bad[bad].index:
                issues.append(Issue("error", file, where(df.index.get_loc(i)),
                                    f"{col}: '{s.loc[i]}' is not a number"))
            neg = conv < 0
            for i in neg[neg].index:
                issues.append(Issue("error", file, where(df.index.get_loc(i)), f"{col}: {conv.loc[i]} is negative"))
            df[col] = conv.astype("Int64") if typ == "int" and not (conv.dropna() % 1).any() else conv
        elif typ.startswith("enum:"):
            allowed = typ[5:].split("|")
            bad = ~blank & ~s.astype(str).isin(allowed)
            for i in bad[bad].index:
                issues.append(Issue("error", file, where(df.index.get_loc(i)),
                                    f"{col}: '{s.loc[i]}' is not one of {allowed}"))
        if typ == "str" or typ.startswith("enum:"):
            df[col] = s.where(~blank, "").astype(str)  # missing text is "", missing numbers NaN
    if id_col in df.columns:
        dup = df[id_col][df[id_col].duplicated(keep=False)]
        for v in sorted(set(dup.astype(str))):
            rows = [str(df.index.get_loc(i) + (2 if kind == "row" else 0)) for i in dup[dup == v].index]
            issues.append(Issue("error", file, f"{kind}s {', '.join(rows)}", f"duplicate {id_col} '{v}'"))
    return issues


def read_csv_checked(path: Path, spec: dict, id_col: str) -> tuple[pd.DataFrame, list[Issue]]:
    file = _rel(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    except FileNotFoundError:
        return pd.DataFrame(columns=list(spec)), [Issue("error", file, "file", "not found")]
    except (UnicodeDecodeError, pd.errors.ParserError) as e:
        return pd.DataFrame(columns=list(spec)), [Issue("error", file, "file", f"cannot be parsed as UTF-8 CSV: {e}")]
    return df, check_columns(df, spec, file, id_col)


def read_geojson_checked(path: Path, spec: dict, id_col: str) -> tuple[gpd.GeoDataFrame, list[Issue]]:
    file = _rel(path)
    empty = gpd.GeoDataFrame(columns=list(spec) + ["geometry"], geometry="geometry", crs=WGS84)
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return empty, [Issue("error", file, "file", "not found")]
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        return empty, [Issue("error", file, "file", f"is not valid JSON: {e}")]
    issues = []
    crs = (raw.get("crs") or {}).get("properties", {}).get("name", "")
    if crs and "4326" not in crs and "CRS84" not in crs:
        issues.append(Issue("error", file, "crs", f"declares {crs}; the shipped data must be WGS84 (EPSG:4326)"))
    feats = raw.get("features") if isinstance(raw, dict) else None
    if raw.get("type") != "FeatureCollection" or not isinstance(feats, list):
        return empty, [Issue("error", file, "file", "is not a GeoJSON FeatureCollection")]
    try:
        gdf = gpd.GeoDataFrame.from_features(feats, crs=WGS84) if feats else empty.copy()
    except Exception as e:  # malformed geometry objects
        return empty, [Issue("error", file, "features", f"cannot be read: {e}")]
    for c in spec:
        if c not in gdf.columns:
            gdf[c] = None
    issues += check_columns(gdf, spec, file, id_col, kind="feature")
    for i, g in enumerate(gdf.geometry):
        ident = gdf[id_col].iloc[i] if id_col in gdf.columns else i
        if g is None or g.is_empty:
            issues.append(Issue("error", file, f"feature {i} ({ident})", "has no geometry"))
            continue
        problem = extent.outside_study_area(g.bounds)
        if problem:
            issues.append(Issue("error", file, f"feature {i} ({ident})", problem))
        if not g.is_valid:
            from shapely.validation import explain_validity
            issues.append(Issue("error", file, f"feature {i} ({ident})", f"invalid geometry: {explain_validity(g)}"))
    return gdf, issues


def load_all(data_dir: Path | None = None, layers_dir: Path | None = None, strict: bool = True) -> PlanData:
    data_dir = Path(data_dir or paths.settings().data_dir)
    layers_dir = Path(layers_dir or paths.settings().layers_dir)
    issues: list[Issue] = []
    projects, i1 = read_csv_checked(data_dir / "projects.csv", schema.PROJECTS, "project_id")
    targets, i2 = read_csv_checked(data_dir / "targets.csv", schema.TARGETS, "target_id")
    sources, i3 = read_csv_checked(data_dir / "sources.csv", {"source_doc": ("str", True)}, "source_doc")
    parcels, i4 = read_geojson_checked(data_dir / "parcels.geojson", schema.PARCELS, "parcel_id")
    issues += i1 + i2 + i3 + i4
    manifest_path = layers_dir / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError) as e:
        issues.append(Issue("error", _rel(manifest_path), "file", f"cannot be read: {e}"))
        manifest = {"layers": []}
    frames, districts = [], gpd.GeoDataFrame(geometry=[], crs=WGS84)
    pois = gpd.GeoDataFrame(columns=["poi_id", "name_zh", "category", "geometry"], geometry="geometry", crs=WGS84)
    for layer in manifest.get("layers", []):
        miss = [k for k in schema.MANIFEST_LAYER_KEYS if k not in layer]
        if miss:
            issues.append(Issue("error", _rel(manifest_path), f"layer {layer.get('layer_id')}", f"missing {miss}"))
            continue
        path = layers_dir / layer["file"]
        if layer["layer_id"] == "districts" or layer["kind"] == "poi":  # reference layers: read as they are
            try:
                g = gpd.read_file(path)
            except Exception as e:
                issues.append(Issue("error", _rel(path), "file", f"cannot be read: {e}"))
                continue
            if layer["kind"] == "poi":
                pois = g
            else:
                districts = g
            continue
        gdf, li = read_geojson_checked(path, schema.ZONES, "zone_id")
        issues += li
        if layer["feature_count"] is not None and len(gdf) != layer["feature_count"]:
            issues.append(Issue("error", _rel(path), "file",
                                f"has {len(gdf)} features, manifest says {layer['feature_count']}"))
        frames.append(gdf)
    zones = (gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=WGS84)
             if frames else gpd.GeoDataFrame(columns=list(schema.ZONES) + ["geometry"], geometry="geometry", crs=WGS84))
    data = PlanData(projects, targets, zones, parcels, districts, manifest, sources, issues, pois)
    errors = [i for i in issues if i.level == "error"]
    if strict and errors:
        raise DataError(errors)
    return data



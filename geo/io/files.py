"""The file store's layout, and typed loading of its files with schema checks.

:class:`FileLayout` is the one place that knows the file names of the store (tables, parcels,
history, lock, layer manifest and layer files); everything else asks it. :func:`load_all` reads a
layout into a :class:`~geo.core.model.PlanData`: every problem is reported as an `Issue` naming the
file, the row or feature, and what is wrong; with ``strict`` it raises `DataError` listing them
rather than handing the app bad data. Geometry is checked by the one rule of
:mod:`geo.core.storable` that the importer and the store apply too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.geometry

from geo import config
from geo.core import schema, storable
from geo.core.crs import WGS84
from geo.core.model import DataError, Issue, PlanData


@dataclass(frozen=True)
class FileLayout:
    """Where the file store keeps what: the one definition of its file names.

    Parameters
    ----------
    data_dir : Path
        Folder of the tables, the parcel layer, the history and the lock (``data/``).
    layers_dir : Path
        Folder of the zone and reference layers and their manifest (``layers/``).

    Attributes
    ----------
    projects, targets, sources, checks : Path
        The tables (``projects.csv``, ``targets.csv``, ``sources.csv``, ``checks.csv``).
    parcels : Path
        The parcel layer (``parcels.geojson``).
    history : Path
        One JSON record per stored change (``history.jsonl``).
    lock : Path
        Held while a change is written (``.store.lock``).
    journal : Path
        The intent of a change being written (``.store.journal``): present only while a save is under
        way or was interrupted (:meth:`geo.io.store.FileStore.recover` finishes or rolls it back).
    manifest : Path
        The layer manifest (``layers/manifest.json``).
    src : Path
        The curated tables ``python -m geo build`` reads (``data/src/``).
    functional_areas : Path
        The districts and functional areas the plans name (``data/src/functional_areas.csv``), read
        as they are by :func:`load_all` (optional: without it there are no functional areas).
    """

    data_dir: Path
    layers_dir: Path

    PROJECTS: ClassVar[str] = "projects.csv"
    TARGETS: ClassVar[str] = "targets.csv"
    SOURCES: ClassVar[str] = "sources.csv"
    CHECKS: ClassVar[str] = "checks.csv"
    PARCELS: ClassVar[str] = "parcels.geojson"
    HISTORY: ClassVar[str] = "history.jsonl"
    LOCK: ClassVar[str] = ".store.lock"
    JOURNAL: ClassVar[str] = ".store.journal"
    MANIFEST: ClassVar[str] = "manifest.json"
    SRC: ClassVar[str] = "src"
    FUNCTIONAL_AREAS: ClassVar[str] = "functional_areas.csv"

    @classmethod
    def resolve(cls, data_dir: str | Path | None = None, layers_dir: str | Path | None = None) -> FileLayout:
        """The layout of two folders, each defaulting to the settings' (:func:`geo.config.settings`).

        Parameters
        ----------
        data_dir, layers_dir : str or Path, optional

        Returns
        -------
        FileLayout
        """
        s = config.settings() if data_dir is None or layers_dir is None else None
        return cls(Path(data_dir if data_dir is not None else s.data_dir),
                   Path(layers_dir if layers_dir is not None else s.layers_dir))

    projects = property(lambda self: self.data_dir / self.PROJECTS)
    targets = property(lambda self: self.data_dir / self.TARGETS)
    sources = property(lambda self: self.data_dir / self.SOURCES)
    checks = property(lambda self: self.data_dir / self.CHECKS)
    parcels = property(lambda self: self.data_dir / self.PARCELS)
    history = property(lambda self: self.data_dir / self.HISTORY)
    lock = property(lambda self: self.data_dir / self.LOCK)
    journal = property(lambda self: self.data_dir / self.JOURNAL)
    manifest = property(lambda self: self.layers_dir / self.MANIFEST)
    src = property(lambda self: self.data_dir / self.SRC)
    functional_areas = property(lambda self: self.src / self.FUNCTIONAL_AREAS)

    def layer(self, file: str) -> Path:
        """The path of a layer file named in the manifest.

        Parameters
        ----------
        file : str
            The manifest record's ``file`` (``towns.geojson``).

        Returns
        -------
        Path
        """
        return self.layers_dir / file

    def layer_files(self) -> list[Path]:
        """Every GeoJSON layer file, sorted by name.

        Returns
        -------
        list of Path
        """
        return sorted(self.layers_dir.glob("*.geojson"))

    def content_files(self) -> list[Path]:
        """The files whose bytes make up the data: tables, parcels, every layer file and the manifest.

        Returns
        -------
        list of Path
            Sorted within each folder; files that do not exist and hidden files (the store's own, such as
            a save's staged files) are left out.
        """
        files = (sorted(self.data_dir.glob("*.csv")) + [self.parcels, self.functional_areas]
                 + sorted(self.layers_dir.glob("*")))
        return [f for f in files if f.is_file() and not f.name.startswith(".")]


def _rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(config.ROOT))
    except ValueError:
        return str(path)


def check_columns(df: pd.DataFrame, spec: schema.Spec, file: str, id_col: str, kind: str = "row") -> list[Issue]:
    """Check presence, required values, types and enums; convert typed columns in place.

    Parameters
    ----------
    df : pandas.DataFrame
        Read as text; numeric columns become numbers (missing stays NaN, never 0), text columns "".
    spec : dict
        Column → (kind, required), see :mod:`geo.core.schema`.
    file : str
        How messages name the file.
    id_col : str
        The column that identifies a row in messages and must be unique.
    kind : {"row", "feature"}, default "row"
        CSV rows are counted from 2 (the header is line 1), features from 0.

    Returns
    -------
    list of Issue
    """
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


def read_csv_checked(path: Path, spec: schema.Spec, id_col: str) -> tuple[pd.DataFrame, list[Issue]]:
    """Read a UTF-8 CSV table and check it (:func:`check_columns`).

    Parameters
    ----------
    path : Path
    spec : dict
        The table's column contract.
    id_col : str

    Returns
    -------
    table : pandas.DataFrame
        Empty with the spec's columns when the file cannot be read.
    issues : list of Issue
    """
    file = _rel(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    except FileNotFoundError:
        return pd.DataFrame(columns=list(spec)), [Issue("error", file, "file", "not found")]
    except (UnicodeDecodeError, pd.errors.ParserError) as e:
        return pd.DataFrame(columns=list(spec)), [Issue("error", file, "file", f"cannot be parsed as UTF-8 CSV: {e}")]
    return df, check_columns(df, spec, file, id_col)


_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
"""A JSON text that may decode to lone surrogates (an undecodable byte of a file name kept as ``\\udcff``)."""


def printable(text: object) -> object:
    """Text that can be encoded and shown: lone surrogates as escapes (a file name's byte 0xff as ``\\xff``).

    Parameters
    ----------
    text : object
        Anything; only ``str`` is changed.

    Returns
    -------
    object
        ``text`` itself unless it is a string holding lone surrogates.
    """
    if not isinstance(text, str) or not _SURROGATE.search(text):
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _printable_object(obj: dict) -> dict:
    """A decoded JSON object with its text values printable (:func:`printable`)."""
    return {k: printable(v) for k, v in obj.items()}


def _crs_issues(crs: object, file: str) -> list[Issue]:
    """A layer file's ``crs`` member: absent, or a named WGS84 (a link or another CRS is an error)."""
    if crs is None:
        return []
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) and isinstance(crs.get("properties"),
                                                                                         dict) else None
    if not isinstance(name, str) or crs.get("type") != "name":
        return [Issue("error", file, "crs", "is not a named CRS; the shipped data must be WGS84 (EPSG:4326)")]
    if "4326" not in name and "CRS84" not in name:
        return [Issue("error", file, "crs", f"declares {name[:80]}; the shipped data must be WGS84 (EPSG:4326)")]
    return []


def _feature(feat: object) -> tuple[dict, object, str | None]:
    """A GeoJSON feature's properties and shapely geometry, and why it cannot be read (None when it can)."""
    if not isinstance(feat, dict):
        return {}, None, f"is a {type(feat).__name__}, not a GeoJSON feature"
    props = feat.get("properties") or {}
    if not isinstance(props, dict):
        return {}, None, "properties are not an object"
    raw = feat.get("geometry")
    if raw is None:
        return props, None, None  # the geometry rule names it ("has no geometry")
    try:
        geom = shapely.geometry.shape(raw)
        finite = bool(np.isfinite(shapely.get_coordinates(geom)).all())
    except Exception as e:  # noqa: BLE001 — any malformed geometry object (GEOS, type or key errors)
        return props, None, f"geometry cannot be read: {type(e).__name__}: {str(e)[:100]}"
    return (props, geom, None) if finite else (props, None, "geometry has coordinates that are not finite numbers")


def read_geojson_checked(path: Path, spec: schema.Spec, id_col: str) -> tuple[gpd.GeoDataFrame, list[Issue]]:
    """Read a WGS84 GeoJSON layer and check its properties and each geometry (:mod:`geo.core.storable`).

    Parameters
    ----------
    path : Path
    spec : dict
        The properties' column contract.
    id_col : str

    Returns
    -------
    layer : geopandas.GeoDataFrame
        Empty with the spec's columns when the file cannot be read.
    issues : list of Issue
    """
    file = _rel(path)
    empty = gpd.GeoDataFrame(columns=list(spec) + ["geometry"], geometry="geometry", crs=WGS84)
    try:
        text = Path(path).read_text(encoding="utf-8")
        raw = json.loads(text, object_hook=_printable_object if _ESCAPED_SURROGATE.search(text) else None)
    except FileNotFoundError:
        return empty, [Issue("error", file, "file", "not found")]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        return empty, [Issue("error", file, "file", f"is not valid JSON: {type(e).__name__}: {str(e)[:120]}")]
    feats = raw.get("features") if isinstance(raw, dict) else None
    if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection" or not isinstance(feats, list):
        return empty, [Issue("error", file, "file", "is not a GeoJSON FeatureCollection")]
    issues = _crs_issues(raw.get("crs"), file)
    rows, geoms = [], []
    for i, feat in enumerate(feats):
        props, geom, problem = _feature(feat)
        if problem:
            ident = props.get(id_col, "") if isinstance(props, dict) else ""
            issues.append(Issue("error", file, f"feature {i} ({str(ident)[:40]})", problem))
        rows.append(props)
        geoms.append(geom)
    gdf = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=WGS84) if feats else empty.copy()
    for c in spec:
        if c not in gdf.columns:
            gdf[c] = None
    issues += check_columns(gdf, spec, file, id_col, kind="feature")
    for i, g in enumerate(gdf.geometry):
        ident = gdf[id_col].iloc[i] if id_col in gdf.columns else i
        issues += [Issue("error", file, f"feature {i} ({ident})", p) for p in storable.problems(g)]
    return gdf, issues


def load_all(data_dir: str | Path | None = None, layers_dir: str | Path | None = None,
             strict: bool = True) -> PlanData:
    """Read a file store's tables and layers, checking each against its schema.

    Parameters
    ----------
    data_dir, layers_dir : str or Path, optional
        The store's folders (:class:`FileLayout`); default: the settings'.
    strict : bool, default True
        Raise on errors; with False the data comes back with its problems in ``issues``
        (what ``python -m geo validate`` reports).

    Returns
    -------
    PlanData

    Raises
    ------
    DataError
        With ``strict``, listing every error found.
    """
    lay = FileLayout.resolve(data_dir, layers_dir)
    issues: list[Issue] = []
    sources, i3 = read_csv_checked(lay.sources, schema.SOURCES, "source_doc")
    plans = [p for p in sources.get("source_doc", []) if isinstance(p, str) and p]  # the catalogue's plans
    projects, i1 = read_csv_checked(lay.projects, schema.for_plans(schema.PROJECTS, plans), "project_id")
    targets, i2 = read_csv_checked(lay.targets, schema.for_plans(schema.TARGETS, plans), "target_id")
    parcels, i4 = read_geojson_checked(lay.parcels, schema.PARCELS, "parcel_id")
    issues += i1 + i2 + i3 + i4
    manifest, zones, districts, pois, i5 = read_layers(lay, plans)
    issues += i5
    areas, i6 = _read_functional_areas(lay, plans)
    issues += i6
    data = PlanData(projects, targets, zones, parcels, districts, manifest, sources, issues, pois, areas)
    errors = [i for i in issues if i.level == "error"]
    if strict and errors:
        raise DataError(errors)
    return data




def _read_functional_areas(lay: FileLayout, plans: list[str]) -> tuple[pd.DataFrame, list[Issue]]:
    """The functional areas table, checked; an empty table (no issue) when the data has none."""
    spec = schema.for_plans(schema.FUNCTIONAL_AREAS, plans)
    if not lay.functional_areas.exists():
        return pd.DataFrame(columns=list(spec), dtype=str), []
    return read_csv_checked(lay.functional_areas, spec, "area_id")


_MANIFEST_TYPES = {"layer_id": str, "title_zh": str, "title_en": str, "kind": str, "file": str, "default_style": dict,
                   "source_docs": list, "geometry": str}


def _layer_problem(rec: object, seen: set[str]) -> str | None:
    """Why a manifest record cannot be used (None when it can): keys, types, a plain layer file name."""
    if not isinstance(rec, dict):
        return f"is a {type(rec).__name__}, not an object"
    miss = [k for k in schema.MANIFEST_LAYER_KEYS if k not in rec]
    if miss:
        return f"missing {', '.join(miss)}"
    wrong = [k for k, t in _MANIFEST_TYPES.items() if not isinstance(rec[k], t)]
    count = rec["feature_count"]
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        wrong.append("feature_count")
    if wrong:
        return f"wrong type of {', '.join(wrong)}"
    f = rec["file"]
    if Path(f).name != f or "\\" in f or f.startswith(".") or not f.endswith(".geojson"):
        return f"file {f[:80]!r} is not the name of a .geojson file in the layers folder"
    if rec["layer_id"] in seen:
        return f"duplicate layer_id {rec['layer_id']!r}"
    seen.add(rec["layer_id"])
    return None


def _read_manifest(lay: FileLayout) -> tuple[dict, list[Issue]]:
    """The manifest with the layer records that can be used; each one that cannot is an issue."""
    where = _rel(lay.manifest)
    try:
        raw = json.loads(lay.manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        return {"layers": []}, [Issue("error", where, "file", f"cannot be read: {type(e).__name__}: {str(e)[:120]}")]
    if not isinstance(raw, dict) or not isinstance(raw.get("layers"), list):
        return {"layers": []}, [Issue("error", where, "file", "is not an object with a list of layers")]
    layers, issues, seen = [], [], set()
    for i, rec in enumerate(raw["layers"]):
        if problem := _layer_problem(rec, seen):
            ident = rec.get("layer_id") if isinstance(rec, dict) else None
            issues.append(Issue("error", where, f"layer {i}" + (f" ({str(ident)[:40]})" if ident else ""), problem))
        else:
            layers.append(rec)
    return {**raw, "layers": layers}, issues


def read_layers(lay: FileLayout, plans: list[str]) -> tuple[dict, gpd.GeoDataFrame, gpd.GeoDataFrame,
                                                          gpd.GeoDataFrame, list[Issue]]:
    """Read the layer manifest and its layers: zones checked, reference layers as they are.

    Parameters
    ----------
    lay : FileLayout
    plans : list of str
        The plans' ids, which every zone's ``source_doc`` must be one of.

    Returns
    -------
    manifest : dict
    zones : geopandas.GeoDataFrame
        Every zone layer, concatenated.
    districts, pois : geopandas.GeoDataFrame
        The reference layers (the ``districts`` layer and the layer of kind ``poi``).
    issues : list of Issue
    """
    manifest, issues = _read_manifest(lay)
    frames, districts = [], gpd.GeoDataFrame(geometry=[], crs=WGS84)
    pois = gpd.GeoDataFrame(columns=["poi_id", "name_zh", "category", "geometry"], geometry="geometry", crs=WGS84)
    for layer in manifest["layers"]:  # records checked by _read_manifest
        path = lay.layer(layer["file"])
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
        gdf, li = read_geojson_checked(path, schema.for_plans(schema.ZONES, plans), "zone_id")
        issues += li
        if layer["feature_count"] is not None and len(gdf) != layer["feature_count"]:
            issues.append(Issue("error", _rel(path), "file",
                                f"has {len(gdf)} features, manifest says {layer['feature_count']}"))
        frames.append(gdf)
    zones = (gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=WGS84)
             if frames else gpd.GeoDataFrame(columns=list(schema.ZONES) + ["geometry"], geometry="geometry", crs=WGS84))
    return manifest, zones, districts, pois, issues

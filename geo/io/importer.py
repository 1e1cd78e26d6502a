"""Bring real boundaries in: read a file, find its CRS, match features to projects or zones, check.

Nothing here writes the stored data: :func:`review` reads a file and produces a report per feature
(match, CRS used, area against the plan, validity, overlaps, district) for the user to confirm; a
:class:`~geo.io.store.Store` saves the accepted ones atomically. Every failure is an
:class:`ImportFailed` naming the file and the problem — hostile or broken input never raises anything
else. A boundary is judged as it would be stored (repaired by :func:`geo.core.geometry.repair`, snapped
by :func:`geo.core.storable.snap`) against the loader's own rule (:func:`geo.core.storable.problems`),
so nothing the importer accepts can stop the data from loading.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo import config
from geo.config import WGS84
from geo.core import extent, geometry, storable
from geo.core.crs import areas_mu
from geo.core.gcj02 import geom_from_gcj02
from geo.core.model import PlanData
from geo.io import import_worker
from geo.io.upload import UploadRefused, refuse_remote, shown

READABLE = (".geojson", ".json", ".gpkg", ".shp", ".kml", ".kmz", ".csv", ".dxf", ".zip")
"""File types an upload may have (zip and kmz are unpacked safely)."""
DATASETS = import_worker.DATASETS
"""What is read from an archive, in this order of preference."""
ID_FIELDS = ("project_id", "parcel_id", "zone_id", "id", "编号", "Layer")  # Layer: CAD layer name (DXF)
"""Attribute columns that may hold a target's id, in this order of preference."""
NAME_FIELDS = ("name_zh", "name", "名称", "项目名称", "地块名称", "Name", "NAME", "name_en")
"""Attribute columns that may hold a target's name, in this order of preference."""


class ImportFailed(Exception):
    """The file cannot be imported; the message names the file and the problem."""


@dataclass
class Loaded:
    """A file read and converted to WGS84.

    Attributes
    ----------
    file : str
        The name the user knows the file by.
    gdf : geopandas.GeoDataFrame
        WGS84, 2D.
    crs_used : str
        ``EPSG:…``, ``GCJ02`` or ``swapped`` (longitude and latitude exchanged).
    crs_note : str
        Why that CRS (declared, guessed from the coordinates, chosen by the user).
    notes : list of str
        What else was done (heights dropped …).
    """

    file: str
    gdf: gpd.GeoDataFrame
    crs_used: str
    crs_note: str
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ reading

def _check_upload(path: Path, name: str, given: str) -> None:
    try:
        refuse_remote(given, name)
    except UploadRefused as e:
        raise ImportFailed(str(e)) from None
    if not path.is_file():
        raise ImportFailed(f"{name}: no such file")
    size = path.stat().st_size
    if size == 0:
        raise ImportFailed(f"{name}: the file is empty")
    if size > config.IMPORT_MAX_BYTES:
        raise ImportFailed(f"{name}: {size / 2**20:.0f} MB is over the {config.IMPORT_MAX_BYTES // 2**20} MB upload limit")
    if path.suffix.lower() not in READABLE:
        raise ImportFailed(f"{name}: unsupported file type '{path.suffix.lower()}' (use {', '.join(READABLE)})")


def _run_worker(path: Path, name: str, folder: Path) -> None:
    """Read in ``python -m geo.io.import_worker``, killed after :func:`geo.config.import_timeout_s` seconds."""
    job = folder / "job.json"
    job.write_text(import_worker.job_spec(path, name, import_worker.Limits.now()), encoding="utf-8")
    try:
        timeout = config.import_timeout_s()
        done = subprocess.run([sys.executable, "-m", "geo.io.import_worker", str(job)], cwd=config.ROOT,
                              env=config.worker_env(), stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:  # run() has killed the worker
        raise ImportFailed(f"{name}: took longer than {timeout:g} s to read: refused") from None
    except config.ConfigError as e:  # SCIMAP_IMPORT_TIMEOUT unusable: the message names it
        raise ImportFailed(str(e)) from None
    except OSError as e:
        raise ImportFailed(f"{name}: the reader could not be started ({shown(e, 120)})") from None
    error = folder / import_worker.ERROR
    if error.is_file():
        raise ImportFailed(error.read_text(encoding="utf-8")[:600])
    if done.returncode != 0 or not (folder / import_worker.RESULT).is_file():
        raise ImportFailed(f"{name}: the reader stopped unexpectedly (exit status {done.returncode}), perhaps out of its "
                           f"{config.IMPORT_MEMORY_MB} MB of memory: refused")


def _load_result(result: Path) -> gpd.GeoDataFrame:
    """The worker's Arrow file as a GeoDataFrame (CRS as declared, None when the file declares none)."""
    import pyarrow as pa

    with pa.OSFile(str(result), "rb") as src:  # read into memory: the folder is removed after this
        table = pa.ipc.open_file(src).read_all()
    crs = (table.schema.metadata or {}).get(b"crs", b"").decode() or None
    geoms = shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False))
    attrs = table.drop_columns(["geometry"]).to_pandas()
    return gpd.GeoDataFrame(attrs, geometry=geoms, crs=crs)


def read_file(path: str | Path, name: str | None = None) -> gpd.GeoDataFrame:
    """Read any supported vector file (zip/kmz unpacked safely) into a GeoDataFrame, CRS as declared.

    The reading runs in a worker process (:mod:`geo.io.import_worker`) that is killed after
    :data:`geo.config.IMPORT_TIMEOUT_S` and may use :data:`geo.config.IMPORT_MEMORY_MB`; the caps on
    layers, features and vertices are checked batch by batch while it reads.

    Parameters
    ----------
    path : str or Path
    name : str, optional
        How messages name the file (an upload's original name); default: the file's name.

    Returns
    -------
    geopandas.GeoDataFrame

    Raises
    ------
    ImportFailed
        Missing, empty, too large, unsupported, remote, unsafe (zip traversal, zip bomb, duplicate,
        encrypted or lying members), unreadable, too slow or large to read, non-finite coordinates, no
        features or too many (:data:`geo.config.IMPORT_MAX_FEATURES`), too many layers or vertices.
    """
    given = str(path)  # as given: Path() would fold "http://" into "http:/"
    path = Path(path)
    name = name or path.name
    _check_upload(path, name, given)
    with tempfile.TemporaryDirectory(prefix="scimap-import-") as tmp:
        _run_worker(path.resolve(), name, Path(tmp))
        try:
            gdf = _load_result(Path(tmp) / import_worker.RESULT)
        except (OSError, ValueError, shapely.errors.GEOSException) as e:
            raise ImportFailed(f"{name}: cannot be read ({shown(e, 120)})") from e
    if len(gdf) == 0:
        raise ImportFailed(f"{name}: holds no features")
    if len(gdf) > config.IMPORT_MAX_FEATURES:
        raise ImportFailed(f"{name}: {len(gdf)} features is over the {config.IMPORT_MAX_FEATURES} limit of one import")
    return gdf


# ------------------------------------------------------------------ CRS

def guess_crs(gdf: gpd.GeoDataFrame) -> tuple[str, str]:
    """The CRS of a file that does not declare one, judged from its coordinate ranges.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame

    Returns
    -------
    crs : str
        ``EPSG:…``, ``swapped`` (latitude, longitude) or "" when no known CRS fits.
    note : str
        Why, for the user.
    """
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


def _crs_of(g: gpd.GeoDataFrame, name: str, crs_override: str | None) -> tuple[str, str]:
    """The CRS to read a file in, and why: the user's, the declared one (axes checked), or a guess."""
    if crs_override:
        return (crs_override.upper() if crs_override.upper() == "GCJ02" else crs_override), "chosen by the user"
    if g.crs is not None:
        if g.crs.to_epsg() in (4326, 4490, 4979) or g.crs.is_geographic:
            b = g.geometry.total_bounds
            if 72 <= b[1] and b[3] <= 137 and 0 <= b[0] and b[2] <= 56:
                return "swapped", "declared geographic but the values look like (latitude, longitude): axes swapped"
        return g.crs.to_string(), "declared in the file"
    crs, note = guess_crs(g)
    if not crs:
        raise ImportFailed(f"{name}: guessed: {note}; choose the CRS explicitly")
    return crs, "guessed: " + note


def _to_wgs84(g: gpd.GeoDataFrame, crs: str, name: str) -> gpd.GeoDataFrame:
    try:
        if crs == "swapped":
            g["geometry"] = shapely.transform(g.geometry.values, lambda xy: xy[:, ::-1])
            return g.set_crs(WGS84, allow_override=True)
        if crs == "GCJ02":
            g["geometry"] = geom_from_gcj02(np.asarray(g.geometry.values, dtype=object))
            return g.set_crs(WGS84, allow_override=True)
        return g.set_crs(crs, allow_override=True).to_crs(WGS84)
    except Exception as e:
        raise ImportFailed(f"{name}: cannot transform from {crs} to WGS84 ({shown(e, 120)})") from e


def to_wgs84(gdf: gpd.GeoDataFrame, name: str, crs_override: str | None = None) -> Loaded:
    """Convert a file's features to 2D WGS84 and refuse them unless they lie in the study area.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        As read (:func:`read_file`).
    name : str
        How messages name the file.
    crs_override : str, optional
        The user's CRS (``EPSG:…`` or ``GCJ02``), winning over the file's.

    Returns
    -------
    Loaded

    Raises
    ------
    ImportFailed
        When no CRS can be determined or transformed, or the features lie outside the study area
        (:mod:`geo.core.extent`; the message names it).
    """
    notes = []
    g = gdf.copy()
    if g.geometry.has_z.any():
        g["geometry"] = shapely.force_2d(g.geometry.values)
        notes.append("3D coordinates: heights dropped")
    crs, note = _crs_of(g, name, crs_override)
    g = _to_wgs84(g, crs, name)
    geoms = g.geometry[g.geometry.notna() & ~g.geometry.is_empty]
    if len(geoms):
        bounds = tuple(geoms.total_bounds)
        if not extent.in_study_area(bounds):
            raise ImportFailed(f"{name}: after reading as {crs} the features lie at "
                               f"{tuple(round(float(v), 3) for v in bounds)}, outside Chongqing's study area "
                               f"({extent.describe()}): wrong CRS?")
    return Loaded(name, g, crs, note, notes)


# ------------------------------------------------------------------ matching

def _norm(s: object) -> str:
    return re.sub(r"[\s·()（）\-_]+", "", unicodedata.normalize("NFKC", str(s or ""))).lower()


@dataclass(frozen=True)
class _Targets:
    """What features may match: ids, alternative ids (parcel → project) and normalised names → ids."""

    ids: set
    alt_ids: dict
    by_name: dict

    @classmethod
    def of(cls, data: PlanData, layer: str) -> _Targets:
        if layer == "parcels":
            targets = data.projects[["project_id", "name_zh", "name_en"]].rename(columns={"project_id": "id"})
            alt_ids = dict(zip(data.parcels.parcel_id, data.parcels.project_id, strict=False))
        else:
            targets = data.zones[["zone_id", "name_zh", "name_en"]].rename(columns={"zone_id": "id"})
            alt_ids = {}
        by_name: dict[str, list[str]] = {}
        for r in targets.itertuples():
            for n in (r.name_zh, r.name_en):
                if n:
                    by_name.setdefault(_norm(n), []).append(r.id)
        return cls(set(targets.id), alt_ids, by_name)

    def match(self, raw_id: str, name: str) -> tuple[str, str, list[str]]:
        """(match id, method, candidates): by id, else by exact name, else by a unique partial name."""
        if raw_id and (raw_id in self.ids or raw_id in self.alt_ids):
            return self.alt_ids.get(raw_id, raw_id), "id", []
        if not name:
            return "", "none", []
        exact = self.by_name.get(_norm(name), [])
        if len(exact) == 1:
            return exact[0], "name", []
        if exact:
            return "", "ambiguous", sorted(set(exact))
        n = _norm(name)
        near = sorted({t for k, v in self.by_name.items() if k and (k in n or n in k) for t in v})
        if len(near) == 1:
            return near[0], "name (partial)", []
        return "", ("ambiguous" if near else "none"), near


def _pick_column(g: gpd.GeoDataFrame, fields: tuple[str, ...]) -> str | None:
    """The first column, in our order of preference, that holds values."""
    for c in fields:
        if c in g.columns and g[c].notna().any() and (g[c].astype(str).str.strip() != "").any():
            return c
    return None


def _cell(v: object) -> str:
    return "" if v is None or not isinstance(v, str | int | float) or str(v) in ("", "nan", "None") else str(v)


def match_features(loaded: Loaded, data: PlanData, layer: str) -> pd.DataFrame:
    """One row per imported feature: what it matches (by id, else by name), or why not.

    Parameters
    ----------
    loaded : Loaded
    data : PlanData
    layer : {"parcels", "zones"}
        Parcels match projects (or their parcel ids), zones match zones.

    Returns
    -------
    pandas.DataFrame
        ``feature, source_id, source_name, match_id, match_method, candidates``; ``match_method`` is
        id, name, name (partial), ambiguous or none.
    """
    g = loaded.gdf
    targets = _Targets.of(data, layer)
    id_col, name_col = _pick_column(g, ID_FIELDS), _pick_column(g, NAME_FIELDS)
    rows = []
    for i, r in g.iterrows():
        raw_id = _cell(r[id_col]).strip() if id_col else ""
        name = _cell(r[name_col]) if name_col else ""
        match_id, method, candidates = targets.match(raw_id, name)
        rows.append({"feature": int(i), "source_id": raw_id, "source_name": name, "match_id": match_id,
                     "match_method": method, "candidates": ";".join(candidates)})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ checks

@dataclass
class Boundary:
    """A feature's geometry as it would be stored, and what stands in the way.

    Attributes
    ----------
    geometry : shapely geometry or None
        Repaired and snapped to the store's grid; None when nothing storable is left.
    problems : list of str
        In the report's words (``invalid geometry: …``, ``a LineString cannot be a parcel …``).
    blocking : bool
        Whether the feature cannot be stored at all (a repaired one can, when confirmed).
    repaired : bool
    """

    geometry: BaseGeometry | None
    problems: list[str]
    blocking: bool
    repaired: bool = False


def storable_boundary(geom: BaseGeometry | None, layer: str) -> Boundary:
    """A feature as the store would hold it, judged by the loader's rule (:func:`geo.core.storable.problems`).

    Parameters
    ----------
    geom : shapely geometry or None
        WGS84.
    layer : {"parcels", "zones"}
        Parcels must be polygons; zones may be any geometry.

    Returns
    -------
    Boundary
    """
    if geom is None or geom.is_empty:
        return Boundary(None, ["empty geometry"], True)
    fixed, note = geometry.repair(geom)
    problems = [note] if note else []
    if fixed is None:
        kind = [] if layer != "parcels" or geom.geom_type in geometry.POLYGONAL else \
            [f"a {geom.geom_type} cannot be a parcel (polygons only)"]
        return Boundary(None, problems + kind, True)
    if layer == "parcels" and fixed.geom_type not in geometry.POLYGONAL:
        return Boundary(None, problems + [f"a {fixed.geom_type} cannot be a parcel (polygons only)"], True)
    stored = storable.snap(fixed)
    left = storable.problems(stored)
    if left:
        return Boundary(None, problems + [f"as stored (on a {storable.GRID_DEG:g}° grid) it {p}" if p.startswith("has")
                                          else f"as stored: {p}" for p in left], True)
    return Boundary(stored, problems, False, repaired=bool(note))


@dataclass(frozen=True)
class _Context:
    """What a feature is checked against."""

    plan_mu: dict
    expected_district: dict
    proj_zone: dict
    districts: gpd.GeoDataFrame | None
    existing: gpd.GeoSeries | None

    @classmethod
    def of(cls, data: PlanData, layer: str) -> _Context:
        plan_mu = data.projects.set_index("project_id").land_mu.to_dict() if layer == "parcels" else \
            data.zones.set_index("zone_id").area_mu_plan.to_dict()
        return cls(plan_mu, data.zones.set_index("zone_id").district_pip.to_dict(),
                   data.projects.set_index("project_id").zone_id.to_dict(),
                   data.districts[["name_zh", "geometry"]] if len(data.districts) else None,
                   data.parcels.set_index("project_id").geometry if layer == "parcels" else None)


def _area(geom: BaseGeometry | None) -> float:
    return float(areas_mu([geom])[0]) if geom is not None and geom.geom_type in geometry.POLYGONAL else math.nan


def _placement(geom: BaseGeometry, match_id: str, layer: str, ctx: _Context) -> tuple[list[str], str]:
    """Overlaps with stored parcels and the district the boundary falls in (against the expected one)."""
    problems = []
    if ctx.existing is not None:
        others = ctx.existing.drop(index=match_id, errors="ignore")
        hits = others[others.intersects(geom)]
        overlap_with = [pid for pid, og in hits.items() if geom.intersection(og).area > 0]
        if overlap_with:
            problems.append(f"overlaps stored parcel(s) {', '.join(overlap_with)}")
    district = ""
    if ctx.districts is not None:
        hit = ctx.districts[ctx.districts.contains(geom.representative_point())]
        district = hit.name_zh.iloc[0] if len(hit) else ""
    zone_id = ctx.proj_zone.get(match_id, match_id) if layer == "parcels" else match_id
    expected = ctx.expected_district.get(zone_id, "")
    if expected and district and expected != district:
        problems.append(f"lies in {district}, expected {expected}")
    return problems, district


def _check_one(m: object, b: Boundary, layer: str, ctx: _Context, duplicated: set) -> dict:
    """The report row of one matched feature."""
    problems, blocking = list(b.problems), b.blocking
    mu = _area(b.geometry)
    pm = ctx.plan_mu.get(m.match_id, math.nan) if m.match_id else math.nan
    diff = (mu - pm) / pm if pm and not math.isnan(pm) and not math.isnan(mu) and pm > 0 else math.nan
    if not math.isnan(diff) and abs(diff) > config.IMPORT_AREA_FLAG_REL:
        problems.append(f"area {mu:.1f} 亩 differs from the plan's {pm:g} 亩 by {diff:+.0%}")
    if m.match_id in duplicated:
        problems.append(f"{m.match_id} appears more than once in the file")
        blocking = True
    district = ""
    if b.geometry is not None:
        more, district = _placement(b.geometry, m.match_id, layer, ctx)
        problems += more
    if m.match_method in ("none", "ambiguous"):
        problems.append("no match" if m.match_method == "none" else f"ambiguous: {m.candidates}")
        blocking = True
    return {"feature": m.feature, "area_mu": round(mu, 3) if not math.isnan(mu) else math.nan, "plan_mu": pm,
            "area_diff": diff, "district": district, "repaired": b.repaired, "problems": "; ".join(problems),
            "acceptable": not blocking, "flagged": bool(problems) and not blocking}


def check_features(loaded: Loaded, matches: pd.DataFrame, data: PlanData,
                   layer: str) -> tuple[pd.DataFrame, dict[int, BaseGeometry]]:
    """Per feature: geometry problems (and repair), area against the plan, overlaps, district, duplicates.

    Parameters
    ----------
    loaded : Loaded
    matches : pandas.DataFrame
        From :func:`match_features`.
    data : PlanData
    layer : {"parcels", "zones"}

    Returns
    -------
    report : pandas.DataFrame
        ``matches`` with ``area_mu, plan_mu, area_diff, district, repaired, problems, acceptable,
        flagged``. Not acceptable: no storable geometry, no or an ambiguous match, a duplicate.
        Flagged (stored only when the user confirms): area more than
        :data:`geo.config.IMPORT_AREA_FLAG_REL` off the plan, overlaps, another district, repaired.
    geometries : dict of int to shapely geometry
        The storable geometry of each feature that has one, by feature number.
    """
    ctx = _Context.of(data, layer)
    duplicated = set(matches.match_id[(matches.match_id != "") & matches.match_id.duplicated(keep=False)])
    rows, geoms = [], {}
    for m in matches.itertuples():
        b = storable_boundary(loaded.gdf.geometry.iloc[m.feature], layer)
        if b.geometry is not None:
            geoms[m.feature] = b.geometry
        rows.append(_check_one(m, b, layer, ctx, duplicated))
    return matches.merge(pd.DataFrame(rows), on="feature"), geoms


@dataclass
class Review:
    """An imported file, checked feature by feature, ready for the user to confirm.

    Attributes
    ----------
    loaded : Loaded
    layer : {"parcels", "zones"}
    report : pandas.DataFrame
        One row per feature (:func:`check_features`).
    geometries : dict of int to shapely geometry
        What would be stored for each feature (repaired, snapped to the store's grid).
    """

    loaded: Loaded
    layer: str
    report: pd.DataFrame
    geometries: dict[int, BaseGeometry] = field(default_factory=dict)

    def accepted(self, include_flagged: bool = False, features: list[int] | None = None) -> gpd.GeoDataFrame:
        """The matched, acceptable features with their storable geometry, ready for a store's ``save``.

        Parameters
        ----------
        include_flagged : bool, default False
            Include flagged features (area far from the plan, overlaps, other district, repaired):
            only when the user confirms them.
        features : list of int, optional
            Only these feature numbers (the ones the user ticked).

        Returns
        -------
        geopandas.GeoDataFrame
            ``target_id`` and WGS84 geometry.
        """
        ok = self.report[self.report.acceptable & (include_flagged | ~self.report.flagged)]
        if features is not None:
            ok = ok[ok.feature.isin(features)]
        return gpd.GeoDataFrame({"target_id": ok.match_id.to_numpy()},
                                geometry=[self.geometries[f] for f in ok.feature], crs=WGS84)


def review(path: str | Path, data: PlanData, layer: str = "parcels", crs: str | None = None,
           name: str | None = None) -> Review:
    """Read a boundary file, convert it to WGS84, match its features and check them.

    Parameters
    ----------
    path : str or Path
    data : PlanData
        The stored data the features are matched and checked against.
    layer : {"parcels", "zones"}, default "parcels"
    crs : str, optional
        Override the file's CRS (``EPSG:…`` or ``GCJ02``).
    name : str, optional
        How messages name the file (default: its name).

    Returns
    -------
    Review

    Raises
    ------
    ImportFailed
        Naming the file and the problem; never anything else for a hostile or broken file.
    """
    if layer not in ("parcels", "zones"):
        raise ImportFailed(f"unknown layer '{layer}': parcels or zones")
    name = name or Path(path).name
    gdf = read_file(path, name)
    try:
        loaded = to_wgs84(gdf, name, crs)
        report, geoms = check_features(loaded, match_features(loaded, data, layer), data, layer)
    except (shapely.errors.GEOSException, ValueError, TypeError, OverflowError, RecursionError, MemoryError) as e:
        raise ImportFailed(f"{name}: cannot be checked ({e.__class__.__name__}: {shown(e, 120)})") from e
    return Review(loaded, layer, report, geoms)

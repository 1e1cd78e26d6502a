"""Read one upload within bounds — the part of an import that runs in a worker process.

:func:`geo.io.importer.read_file` runs ``python -m geo.io.import_worker JOB`` with a time limit
(:data:`geo.config.IMPORT_TIMEOUT_S`, the process is killed after it); the worker limits its own
address space (:data:`geo.config.IMPORT_MEMORY_MB`), unpacks an archive (:mod:`geo.io.upload`),
pre-scans a GeoJSON (depth, NaN, linked CRS members) and reads the features in batches of
:data:`geo.config.IMPORT_READ_BATCH` (``pyogrio.raw.open_arrow``), checking after every batch the
caps on layers, features, vertices per feature (:data:`geo.config.MAX_FEATURE_VERTICES`) and in all,
and that every coordinate is a finite number. The features go back as an Arrow IPC file (WKB geometry
and the attributes); a refusal as a message naming the file (and row, feature or member).
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from geo import config
from geo.io.upload import UploadRefused, safe_extract, shown

DATASETS = (".shp", ".gpkg", ".geojson", ".json", ".kml", ".csv", ".dxf")
"""What is read from an archive, in this order of preference."""
RESULT, ERROR = "result.arrow", "error.txt"
"""The files a worker leaves in its job's folder: the features, or the message."""
_GEOMETRY_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
                   "GeometryCollection", "Feature", "FeatureCollection"}


@dataclass(frozen=True)
class Limits:
    """The caps one read is held to.

    Attributes
    ----------
    features, layers, feature_vertices, vertices, batch, json_depth, memory : int
    """

    features: int = config.IMPORT_MAX_FEATURES
    layers: int = config.IMPORT_MAX_LAYERS
    feature_vertices: int = config.MAX_FEATURE_VERTICES
    vertices: int = config.IMPORT_MAX_VERTICES
    batch: int = config.IMPORT_READ_BATCH
    json_depth: int = config.IMPORT_MAX_JSON_DEPTH
    memory: int = config.IMPORT_MEMORY_MB * 2**20

    @classmethod
    def now(cls) -> Limits:
        """The limits of :mod:`geo.config` as they are now (a test may lower them).

        Returns
        -------
        Limits
        """
        return cls(config.IMPORT_MAX_FEATURES, config.IMPORT_MAX_LAYERS, config.MAX_FEATURE_VERTICES,
                   config.IMPORT_MAX_VERTICES, config.IMPORT_READ_BATCH, config.IMPORT_MAX_JSON_DEPTH,
                   config.IMPORT_MEMORY_MB * 2**20)


class _Counter:
    """Features and vertices read so far, checked batch by batch."""

    def __init__(self, name: str, lim: Limits) -> None:
        self.name, self.lim, self.features, self.vertices = name, lim, 0, 0

    def check(self, geoms: np.ndarray, rows: bool = False) -> None:
        first, self.features = self.features, self.features + len(geoms)
        where = (lambda i: f"row {first + i + 2}") if rows else (lambda i: f"feature {first + i + 1}")
        if self.features > self.lim.features:
            raise UploadRefused(f"{self.name}: more than {self.lim.features} features: over the limit of one import")
        counts = shapely.get_num_coordinates(geoms)
        if (big := np.flatnonzero(counts > self.lim.feature_vertices)).size:
            raise UploadRefused(f"{self.name}: {where(big[0])} has {counts[big[0]]} vertices, over the limit of "
                                f"{self.lim.feature_vertices} for one boundary")
        self.vertices += int(counts.sum())
        if self.vertices > self.lim.vertices:
            raise UploadRefused(f"{self.name}: more than {self.lim.vertices} vertices in all: over the limit of one "
                                f"import")
        xy, idx = shapely.get_coordinates(geoms, return_index=True)
        if (bad := np.flatnonzero(~np.isfinite(xy).all(axis=1))).size:
            raise UploadRefused(f"{self.name}: {where(idx[bad[0]])} has coordinates that are not numbers (NaN or "
                                f"infinity)")


# ------------------------------------------------------------------ archives

def pick_dataset(files: list[Path], name: str) -> Path:
    """The one dataset of an unpacked archive (shapefiles with their parts).

    Parameters
    ----------
    files : list of Path
    name : str
        How messages name the file.

    Returns
    -------
    Path

    Raises
    ------
    UploadRefused
        No dataset, several of the preferred kind, or a shapefile without its ``.dbf`` or ``.shx``.
    """
    for ext in DATASETS:
        hits = sorted(f for f in files if f.suffix.lower() == ext)
        if not hits:
            continue
        if len(hits) > 1:
            names = ", ".join(shown(f.name, 40) for f in hits[:5])
            raise UploadRefused(f"{name}: the archive holds several {ext} files ({names}): import one at a time")
        if ext == ".shp":
            stem = hits[0].with_suffix("")
            have = {f.suffix.lower() for f in files if f.with_suffix("") == stem}
            missing = [e for e in (".dbf", ".shx") if e not in have]
            if missing:
                raise UploadRefused(f"{name}: the Shapefile {hits[0].name} comes without {', '.join(missing)}")
        return hits[0]
    raise UploadRefused(f"{name}: the archive holds no GeoJSON, GeoPackage, Shapefile, KML, CSV or DXF")


# ------------------------------------------------------------------ JSON pre-scan

def _no_constant(token: str) -> float:
    raise ValueError(f"{token} is not a number JSON allows")


def _finite(token: str) -> float:
    """A JSON number that fits a float (``1e999`` would silently become infinity)."""
    x = float(token)
    if not math.isfinite(x):
        raise ValueError(f"{shown(token, 40)} is not a finite number")
    return x


def _check_crs_member(crs: object, name: str) -> None:
    """A GeoJSON ``crs`` member must name its CRS; a link (or a URL as the name) is never followed."""
    props = crs.get("properties") if isinstance(crs, dict) else None
    value = props.get("name") if isinstance(props, dict) else None
    if not (isinstance(crs, dict) and crs.get("type") == "name" and isinstance(value, str) and len(value) < 200
            and "://" not in value and "/vsi" not in value.lower()):
        kind = crs.get("type") if isinstance(crs, dict) else type(crs).__name__
        raise UploadRefused(f"{name}: its CRS member is not a CRS name (type '{shown(kind, 40)}'): linked CRS are "
                            f"not followed; choose the CRS instead")


def _is_position(obj: object) -> bool:
    return isinstance(obj, list) and bool(obj) and isinstance(obj[0], int | float)


def _scan(root: object, depth0: int, where: str, name: str, lim: Limits, top: bool = False) -> int:
    """Check one feature's JSON (depth, CRS members) and count its positions, without recursion."""
    stack, positions = [(root, depth0)], 0
    while stack:
        obj, depth = stack.pop()
        if depth > lim.json_depth:
            raise UploadRefused(f"{name}: nested more than {lim.json_depth} levels deep: refused")
        if isinstance(obj, dict):
            if "crs" in obj and (top or obj.get("type") in _GEOMETRY_TYPES):
                _check_crs_member(obj["crs"], name)
            stack += [(v, depth + 1) for k, v in obj.items() if isinstance(v, dict | list)
                      and not (top and k == "features")]
        elif _is_position(obj):
            positions += 1
        elif obj and _is_position(obj[0]):  # a ring or line: its positions counted, not walked
            positions += len(obj)
        else:
            stack += [(v, depth + 1) for v in obj if isinstance(v, dict | list)]
        if positions > lim.feature_vertices:
            raise UploadRefused(f"{name}: {where} has more than {lim.feature_vertices} vertices: over the limit "
                                f"for one boundary")
    return positions


def scan_json(path: Path, name: str, lim: Limits) -> None:
    """Refuse a GeoJSON that is not strict JSON, nests too deeply, links its CRS or holds too many vertices,
    before GDAL reads it.

    Parameters
    ----------
    path : Path
    name : str
        How messages name the file.
    lim : Limits

    Raises
    ------
    UploadRefused
    """
    try:
        doc = json.loads(path.read_bytes().decode("utf-8"), parse_constant=_no_constant, parse_float=_finite)
    except RecursionError as e:
        raise UploadRefused(f"{name}: nested more than {lim.json_depth} levels deep: refused") from e
    except (UnicodeDecodeError, ValueError) as e:  # JSONDecodeError is a ValueError
        raise UploadRefused(f"{name}: not valid JSON ({e.__class__.__name__}: {shown(e)})") from e
    features = doc.get("features") if isinstance(doc, dict) else None
    total = _scan(doc, 1, "feature 1", name, lim, top=True)
    for i, f in enumerate(features if isinstance(features, list) else []):
        total += _scan(f, 3, f"feature {i + 1}", name, lim)
        if total > lim.vertices:
            raise UploadRefused(f"{name}: more than {lim.vertices} vertices in all: over the limit of one import")


# ------------------------------------------------------------------ reading

def _unreadable(target: Path, name: str, e: Exception) -> UploadRefused:
    first = (str(e).splitlines() or [e.__class__.__name__])[0].replace(str(target), target.name)
    msg = shown(first, 160)  # the worker's own path (a temporary folder of the server) is not shown
    return UploadRefused(f"{name}: cannot be read as a {target.suffix.lstrip('.').upper()} file ({msg})")


def _layer_batches(target: Path, layer: str, lim: Limits) -> Iterator[tuple[str | None, pa.RecordBatch]]:
    """One layer's CRS and batches, the geometry column named ``geometry`` (nothing for a table without one)."""
    from pyogrio.raw import open_arrow

    with open_arrow(target, layer=layer, batch_size=lim.batch, use_pyarrow=True) as (meta, reader):
        gcol = meta["geometry_name"] or "wkb_geometry"
        if gcol not in reader.schema.names:
            return
        for batch in reader:
            yield meta["crs"], batch.rename_columns(["geometry" if n == gcol else n for n in batch.schema.names])


def read_vector(target: Path, name: str, lim: Limits) -> pa.Table:
    """Every layer of a GDAL-readable file, batch by batch within the caps.

    Parameters
    ----------
    target : Path
        A local file (absolute: GDAL never sees a relative name it could take for a connection string).
    name : str
        How messages name the file.
    lim : Limits

    Returns
    -------
    pyarrow.Table
        Attributes and WKB ``geometry``; the CRS (of the first layer) in the schema metadata ``crs``.

    Raises
    ------
    UploadRefused
    """
    import pyogrio

    counter, tables, crs = _Counter(name, lim), [], None
    try:
        layers = pyogrio.list_layers(target)
        if len(layers) > lim.layers:
            raise UploadRefused(f"{name}: more than {lim.layers} layers: over the limit of one import")
        for lname, _ in layers:
            for layer_crs, batch in _layer_batches(target, lname, lim):
                crs = crs or layer_crs
                counter.check(shapely.from_wkb(batch.column("geometry").to_numpy(zero_copy_only=False)))
                tables.append(pa.Table.from_batches([batch]))
    except UploadRefused:
        raise
    except Exception as e:  # GDAL: truncated, wrong format, unsupported, invalid WKB …
        raise _unreadable(target, name, e) from e
    if not tables or not sum(t.num_rows for t in tables):
        raise UploadRefused(f"{name}: holds no features")
    return _with_crs(_concat(tables), crs)


def _concat(tables: list[pa.Table]) -> pa.Table:
    """Tables of several layers as one; attribute types that do not unify become text."""
    try:
        return pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        frames = [t.drop_columns(["geometry"]).to_pandas().astype(str).assign(geometry=t.column("geometry").to_pylist())
                  for t in tables]
        return pa.Table.from_pandas(pd.concat(frames, ignore_index=True), preserve_index=False)


def _with_crs(table: pa.Table, crs: str | None) -> pa.Table:
    return table.replace_schema_metadata({"crs": crs or ""})


def _first_column(cols: dict[str, str], candidates: tuple[str, ...]) -> str | None:
    return next((cols[c] for c in candidates if c in cols), None)


_NON_FINITE = re.compile(r"(?i)(?<![a-z])(nan|inf|infinity)(?![a-z])")


def _wkt_geoms(values: pd.Series, first: int, name: str) -> np.ndarray:
    geoms = []
    for i, v in enumerate(values):
        if v and _NON_FINITE.search(v):  # GEOS would only say a ring does not close (NaN ≠ NaN)
            raise UploadRefused(f"{name}: row {first + i + 2} has coordinates that are not numbers (NaN or infinity)")
        try:
            geoms.append(shapely.from_wkt(v) if v else None)
        except shapely.errors.GEOSException as e:
            raise UploadRefused(f"{name}: row {first + i + 2}: '{shown(v, 40)}' is not WKT ({shown(e)})") from e
    return np.array(geoms, dtype=object)


def _xy_geoms(df: pd.DataFrame, xk: str, yk: str, name: str) -> np.ndarray:
    x = pd.to_numeric(df[xk], errors="coerce")
    y = pd.to_numeric(df[yk], errors="coerce")
    bad = (x.isna() | y.isna()) & ((df[xk] != "") | (df[yk] != ""))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise UploadRefused(f"{name}: row {i + 2}: '{shown(df[xk].iloc[i], 40)}', '{shown(df[yk].iloc[i], 40)}' are not numbers")
    return shapely.points(x.to_numpy(), y.to_numpy())


def read_csv(path: Path, name: str, lim: Limits) -> pa.Table:
    """A CSV with a WKT column or lon/lat columns, within the caps (rows parsed batch by batch).

    Parameters
    ----------
    path : Path
    name : str
        How messages name the file.
    lim : Limits

    Returns
    -------
    pyarrow.Table
        Text attributes and WKB ``geometry``; no CRS.

    Raises
    ------
    UploadRefused
    """
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as e:
        raise UploadRefused(f"{name}: cannot be read as a UTF-8 CSV ({shown(e, 120)})") from e
    counter = _Counter(name, lim)
    if len(df) > lim.features:
        raise UploadRefused(f"{name}: more than {lim.features} features: over the limit of one import")
    cols = {str(c).lower().strip(): c for c in df.columns}
    if wkt := _first_column(cols, ("wkt", "geometry", "geom", "the_geom")):
        parts = []
        for start in range(0, len(df), lim.batch):
            parts.append(_wkt_geoms(df[wkt].iloc[start:start + lim.batch], start, name))
            counter.check(parts[-1], rows=True)
        geoms, drop = (np.concatenate(parts) if parts else np.array([], dtype=object)), [wkt]
    else:
        xk = _first_column(cols, ("lon", "lng", "longitude", "x", "经度"))
        yk = _first_column(cols, ("lat", "latitude", "y", "纬度"))
        if not (xk and yk):
            raise UploadRefused(f"{name}: a CSV needs a WKT column or lon/lat (x/y, 经度/纬度) columns")
        geoms, drop = _xy_geoms(df, xk, yk, name), [xk, yk]
        counter.check(geoms, rows=True)
    if not len(df):
        raise UploadRefused(f"{name}: holds no features")
    out = pa.Table.from_pandas(df.drop(columns=drop).rename(columns=str), preserve_index=False)
    return _with_crs(out.append_column("geometry", pa.array(shapely.to_wkb(geoms), type=pa.binary())), None)


def read(path: Path, name: str, tmp: Path, lim: Limits) -> pa.Table:
    """Read an upload (a zip or kmz unpacked into ``tmp``) within the limits.

    Parameters
    ----------
    path : Path
        Absolute, local.
    name : str
        How messages name the file.
    tmp : Path
        An empty folder of our own for unpacking.
    lim : Limits

    Returns
    -------
    pyarrow.Table
        Attributes and WKB ``geometry``; the declared CRS (or "") in the schema metadata ``crs``.

    Raises
    ------
    UploadRefused
        Naming the file and the problem.
    """
    target = path
    if path.suffix.lower() in (".zip", ".kmz"):
        target = pick_dataset(safe_extract(path, tmp, name), name)
    suffix = target.suffix.lower()
    if suffix == ".csv":
        return read_csv(target, name, lim)
    if suffix in (".geojson", ".json"):
        scan_json(target, name, lim)
    return read_vector(target.resolve(), name, lim)


# ------------------------------------------------------------------ the worker process

def _limit_memory(limit: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # not on this platform: the time limit still holds
        pass


def _write(table: pa.Table, out: Path) -> None:
    with pa.OSFile(str(out), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def run(job: Path) -> int:
    """Do one job (``job.json``: path, name, limits) and leave its result or message beside it.

    Parameters
    ----------
    job : Path
        JSON with ``path``, ``name`` and ``limits`` (:class:`Limits` as a mapping).

    Returns
    -------
    int
        0 with :data:`RESULT` written, 3 with :data:`ERROR` written.
    """
    spec = json.loads(job.read_text(encoding="utf-8"))
    lim, name, folder = Limits(**spec["limits"]), spec["name"], job.parent
    _limit_memory(lim.memory)
    try:
        unpacked = folder / "unpacked"
        unpacked.mkdir()
        _write(read(Path(spec["path"]), name, unpacked, lim), folder / RESULT)
        return 0
    except UploadRefused as e:
        msg = str(e)
    except MemoryError:
        msg = f"{name}: needs more than {lim.memory // 2**20} MB of memory to read: refused"
    except RecursionError:
        msg = f"{name}: nested more than {lim.json_depth} levels deep: refused"
    except Exception as e:  # noqa: BLE001 - a hostile file must end in a message, never a traceback
        msg = f"{name}: cannot be read ({e.__class__.__name__}: {shown(e, 120)})"
    (folder / ERROR).write_text(msg, encoding="utf-8")
    return 3


def job_spec(path: Path, name: str, lim: Limits) -> str:
    """The JSON of one job for :func:`run`.

    Parameters
    ----------
    path : Path
    name : str
    lim : Limits

    Returns
    -------
    str
    """
    return json.dumps({"path": str(path), "name": name, "limits": asdict(lim)}, ensure_ascii=False)


if __name__ == "__main__":
    sys.exit(run(Path(sys.argv[1])))

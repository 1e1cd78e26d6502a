"""Layer snapshots: exactly the current selection, in the formats staff use, losslessly.

A snapshot has three layers — parcels (polygons with their project's attributes), zones (the
selected zones: polygons, lines, points) and projects (every selected project, located at its
parcel or zone, ``geom_basis`` says which) — written in one format and one CRS, with metadata
(time, filter, CRS, data version, counts, totals) inside the file where the format allows and
always in a sidecar JSON. Everything is written in a temporary folder and renamed into place:
a failure leaves nothing behind.

The formats are a registry (:mod:`geo.io.export.base`): each is one module of this package holding
``FORMAT = ExportFormat(...)`` (geojson, gpkg, shp, kml, csv_zip, xlsx, html), registered when the
package is imported. To add a format, add a module; a format defined elsewhere calls :func:`register`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import os
import pkgutil
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd

from geo.core.filter import Filter, apply_filter
from geo.core.model import PlanData
from geo.io import open_store
from geo.io.export.base import (
    CRS_CHOICES,
    FORMAT_LABELS,
    FORMATS,
    ID_COLUMN,
    LAYERS,
    ExportError,
    ExportFormat,
    Job,
    Snapshot,
    get,
    register,
    registered,
    unregister,
)
from geo.io.export.common import file_stem, from_crs, layers_of, metadata, metadata_json, to_crs
from geo.io.export.readback import SIDECAR, check_archive, check_size, read_metadata

_SHARED = ("base", "common", "readback")  # modules of this package that are not formats


def _discover() -> None:
    """Register the ``FORMAT`` of every format module of this package."""
    for mod in pkgutil.iter_modules(__path__):
        if mod.name not in _SHARED:
            fmt = getattr(importlib.import_module(f"{__name__}.{mod.name}"), "FORMAT", None)
            if isinstance(fmt, ExportFormat):
                register(fmt)


_discover()


def _out_dir(out_dir: str | os.PathLike) -> Path:
    """The output folder, created; refused with a clear message when it cannot be written."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ExportError(f"cannot create the output folder {out}: {e.strerror}") from e
    if not os.access(out, os.W_OK):
        raise ExportError(f"the output folder {out} is not writable")
    return out


def _target(path: Path) -> Path:
    """``path`` if a file may be renamed onto it: refused when a folder, a link or anything but a file stands there."""
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise ExportError(f"cannot write {path}: a folder or another non-file is in the way")
    return path


def _publish(fmt: ExportFormat, job: Job, out_dir: Path) -> Snapshot:
    """Write the file and its sidecar in the job's folder, then rename both into ``out_dir``."""
    made = fmt.write(job)
    meta = job.meta | {"file": made.name, "sha256": hashlib.sha256(made.read_bytes()).hexdigest()}
    side = job.folder / (made.name + SIDECAR)
    side.write_text(metadata_json(meta), encoding="utf-8")
    final, final_side = _target(out_dir / made.name), _target(out_dir / side.name)
    try:
        os.replace(made, final)
    except OSError as e:
        raise ExportError(f"cannot write {final}: {e.strerror}") from None
    try:
        os.replace(side, final_side)
    except OSError as e:
        final.unlink(missing_ok=True)  # a snapshot without its sidecar is not left behind
        raise ExportError(f"cannot write {final_side}: {e.strerror}") from None
    return Snapshot(final, final_side, meta)


def export(data: PlanData, f: Filter, fmt: str, out_dir: str | os.PathLike, crs: str = "EPSG:4326", lang: str = "zh",
           when: dt.datetime | None = None, view: dict | None = None) -> Snapshot:
    """Write a snapshot of the selection ``f`` into ``out_dir``.

    Parameters
    ----------
    data : PlanData
    f : Filter
        The selection (as in the app).
    fmt : str
        A registered format (:data:`FORMATS`).
    out_dir : str or path-like
        Created if needed.
    crs : str, default "EPSG:4326"
        A key of :data:`CRS_CHOICES`.
    lang : {"zh", "en"}, default "zh"
    when : datetime.datetime, optional
        The snapshot's time (default: now).
    view : dict, optional
        The app's map view, for formats that draw a map.

    Returns
    -------
    Snapshot
        The file, its sidecar JSON and the metadata.

    Raises
    ------
    ExportError
        Unknown format or CRS, unwritable folder, empty selection, or what the format cannot hold;
        nothing is left behind.
    """
    writer = get(fmt)
    if crs not in CRS_CHOICES:
        raise ExportError(f"unknown CRS {crs!r}: choose one of {', '.join(CRS_CHOICES)}")
    out = _out_dir(out_dir)
    sel = apply_filter(data, f)
    if len(sel.projects) == 0 and len(sel.zones) == 0:
        raise ExportError("the selection is empty: nothing to export (loosen the filter)")
    meta = metadata(data, f, sel, fmt, crs, lang, when or dt.datetime.now().astimezone(), open_store().data_version())
    layers = {k: to_crs(v, crs) for k, v in layers_of(sel).items()}
    try:
        tmp = Path(tempfile.mkdtemp(prefix=".scimap-export-", dir=out))
    except OSError as e:
        raise ExportError(f"the output folder {out} is not writable: {e.strerror}") from e
    try:
        return _publish(writer, Job(data, sel, layers, meta, tmp, file_stem(meta), lang, view or {}), out)
    except ExportError:
        raise
    except OSError as e:
        raise ExportError(f"{fmt} export failed: {e.strerror or e} ({e.filename or out})") from e
    except Exception as e:
        raise ExportError(f"{fmt} export failed: {e}") from e
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def read_snapshot(path: str | os.PathLike) -> dict[str, gpd.GeoDataFrame]:
    """Read an exported snapshot back into WGS84 layers with the original column names.

    The sidecar is read and checked (:func:`geo.io.export.readback.read_metadata`) and the file is
    checked for size and, when zipped, unpacked and counted member by member before a reader opens it
    (:func:`geo.io.export.readback.check_archive`).

    Parameters
    ----------
    path : str or path-like
        The snapshot file; its sidecar ``<file>.metadata.json`` must be beside it.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        The layers the snapshot holds (of :data:`LAYERS`).

    Raises
    ------
    ExportError
        ``<file>: <why>`` when the sidecar or the file is unusable, too large, or not a format that is
        read back (the HTML map).
    """
    path = Path(path)
    try:
        meta = read_metadata(Path(str(path) + SIDECAR))
    except ExportError as e:
        raise ExportError(f"{path.name}{SIDECAR}: {e}") from None
    fmt = next((f for f in registered() if f.name == meta.get("format") and path.name.endswith(f.suffix)), None)
    if fmt is None or fmt.read is None or meta["crs"] not in CRS_CHOICES:
        raise ExportError(f"{path.name}: not a snapshot this tool reads back")
    try:
        if path.is_symlink() or not path.is_file():
            raise ExportError("is not a regular file")
        check_size(path)  # a GeoPackage or KML is read whole by its reader: its size is the bound
        check_archive(path)
        layers = fmt.read(path, meta["crs"])
    except ExportError as e:
        raise ExportError(f"{path.name}: {e}") from None
    except Exception as e:  # noqa: BLE001 — a file of the folder that its reader cannot read
        raise ExportError(f"{path.name}: cannot be read back ({str(e)[:200]})") from None
    return {k: from_crs(v, meta["crs"]) for k, v in layers.items()}


__all__ = ["export", "read_snapshot", "register", "unregister", "registered", "get", "layers_of", "ExportError",
           "ExportFormat", "Job", "Snapshot", "FORMATS", "FORMAT_LABELS", "CRS_CHOICES", "LAYERS", "ID_COLUMN"]

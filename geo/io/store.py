"""The store boundary: load the plan data, save accepted geometry changes with a version check, undo, history.

:class:`Store` is the protocol the app, the CLI and the importer's callers use; :func:`geo.io.open_store`
picks the implementation (one place: a PostGIS store would be chosen there by its URL).
:class:`FileStore` is today's store, the files of a :class:`~geo.io.files.FileLayout`, and it loses
nothing: every change rewrites ``parcels.geojson`` (or the zone's layer file) through a temp file and a
rename, appends a record to ``history.jsonl`` (who, when, what, the previous geometry) and stamps
``geometry_source`` (surveyed / digitised). A save names the version of the layer it was based on
(:meth:`Store.version`); if another session saved in between, the save is refused rather than silently
overwriting. :meth:`Store.undo` restores the previous geometry the same way. A geometry the loader would
reject (:mod:`geo.core.storable`) is refused before anything is written.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, runtime_checkable

import geopandas as gpd
import pandas as pd
from shapely.geometry import mapping, shape

from geo.core import storable
from geo.core.crs import areas_mu
from geo.core.model import PlanData
from geo.io import atomic
from geo.io.files import FileLayout, load_all

SOURCES = ("surveyed", "digitised")
"""What a stored boundary is: a survey's, or drawn on the map."""
LAYERS = ("parcels", "zones")
"""What a change replaces: a project's parcel (by ``project_id``) or a zone (by ``zone_id``)."""
HISTORY_COLUMNS = ["change_id", "when", "who", "action", "layer", "target_id", "geometry_source", "area_mu",
                   "undoes", "note"]


class ConflictError(Exception):
    """The stored layer changed since the user loaded it."""


class StoreError(Exception):
    """A change that cannot be stored or undone; the message says why. Nothing was written."""


@runtime_checkable
class Store(Protocol):
    """Where the plan data lives: what the app reads and where accepted boundaries are written."""

    def load(self, strict: bool = True) -> PlanData:
        """The plan data, checked against the schema.

        Parameters
        ----------
        strict : bool, default True
            Raise :class:`~geo.core.model.DataError` on errors; else return them in ``issues``.

        Returns
        -------
        PlanData
        """
        ...

    def version(self, layer: str) -> str:
        """An optimistic-concurrency token of a layer: it changes whenever the layer does.

        Parameters
        ----------
        layer : {"parcels", "zones"}

        Returns
        -------
        str
        """
        ...

    def save(self, changes: gpd.GeoDataFrame, layer: str, who: str, source: str, based_on: str | None,
             note: str = "") -> list[str]:
        """Store new geometries for existing projects (parcels) or zones, all or nothing.

        Parameters
        ----------
        changes : geopandas.GeoDataFrame
            ``target_id`` (project id for parcels, zone id for zones) and WGS84 geometry.
        layer : {"parcels", "zones"}
        who : str
            Recorded in the history.
        source : {"surveyed", "digitised"}
            Stamped as the features' ``geometry_source``.
        based_on : str or None
            The :meth:`version` the user reviewed against; None skips the check (scripted use).
        note : str, default ""
            Recorded in the history (e.g. the imported file).

        Returns
        -------
        list of str
            The change ids written to the history, one per feature.

        Raises
        ------
        ConflictError
            When the layer's version is no longer ``based_on``.
        StoreError
            When a change cannot be stored (unknown target, a geometry the loader would reject …).
        """
        ...

    def undo(self, change_id: str, who: str) -> str:
        """Restore the geometry and properties a change replaced; recorded as its own change.

        Parameters
        ----------
        change_id : str
        who : str

        Returns
        -------
        str
            The id of the undo record.

        Raises
        ------
        StoreError
            Unknown or already undone change, or the target was changed again later.
        """
        ...

    def history(self) -> pd.DataFrame:
        """Every stored change, oldest first.

        Returns
        -------
        pandas.DataFrame
            Columns :data:`HISTORY_COLUMNS`.
        """
        ...

    def data_version(self) -> str:
        """A content hash of all the data (12 hex digits), recorded in exported snapshots.

        Returns
        -------
        str
        """
        ...


def _digest(files: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for f in files:
        if f.is_file():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _mu(geom: object) -> float:
    return round(float(areas_mu([geom])[0]), 3)


def _key(layer: str) -> str:
    return "project_id" if layer == "parcels" else "zone_id"


def _find(features: list[dict], key: str, target_id: str) -> dict | None:
    return next((f for f in features if f["properties"].get(key) == target_id), None)


class FileStore:
    """The store in files: the tables, layers and history of a :class:`~geo.io.files.FileLayout`.

    Parameters
    ----------
    data_dir, layers_dir : str or Path
        The store's folders (``data/``, ``layers/``).

    Attributes
    ----------
    layout : FileLayout
    """

    def __init__(self, data_dir: str | Path, layers_dir: str | Path) -> None:
        self.layout = FileLayout(Path(data_dir), Path(layers_dir))

    def __repr__(self) -> str:
        return f"FileStore({str(self.layout.data_dir)!r}, {str(self.layout.layers_dir)!r})"

    # ------------------------------------------------------------------ reading

    def load(self, strict: bool = True) -> PlanData:
        """The plan data, read and checked by :func:`geo.io.files.load_all`.

        Parameters
        ----------
        strict : bool, default True

        Returns
        -------
        PlanData
        """
        return load_all(self.layout.data_dir, self.layout.layers_dir, strict=strict)

    def version(self, layer: str) -> str:
        """SHA-256 (16 hex digits) of the layer's files: ``parcels.geojson``, or every zone layer file.

        Parameters
        ----------
        layer : {"parcels", "zones"}

        Returns
        -------
        str
        """
        _check_layer(layer)
        files = [self.layout.parcels] if layer == "parcels" else self.layout.layer_files()
        return _digest(files)[:16]

    def history(self) -> pd.DataFrame:
        """Every stored change, oldest first (``history.jsonl``).

        Returns
        -------
        pandas.DataFrame
            Columns :data:`HISTORY_COLUMNS`.
        """
        rows = self._records()
        return pd.DataFrame([{k: r.get(k) for k in HISTORY_COLUMNS} for r in rows], columns=HISTORY_COLUMNS)

    def data_version(self) -> str:
        """SHA-256 (12 hex digits) of the tables, the parcels, the layer files and the manifest.

        Returns
        -------
        str
        """
        return _digest(self.layout.content_files())[:12]

    # ------------------------------------------------------------------ writing

    def save(self, changes: gpd.GeoDataFrame, layer: str, who: str, source: str, based_on: str | None,
             note: str = "") -> list[str]:
        """Store new geometries for projects (parcels) or zones; see :meth:`Store.save`.

        Parameters
        ----------
        changes : geopandas.GeoDataFrame
        layer : {"parcels", "zones"}
        who : str
        source : {"surveyed", "digitised"}
        based_on : str or None
        note : str, default ""

        Returns
        -------
        list of str
        """
        _check_layer(layer)
        if source not in SOURCES:
            raise StoreError(f"geometry_source must be one of {SOURCES}, not {source!r}")
        if not len(changes):
            raise StoreError("nothing to save")
        with self._locked():
            if based_on is not None and (current := self.version(layer)) != based_on:
                name = self.layout.PARCELS if layer == "parcels" else "the zone layers"
                raise ConflictError(f"{name} was changed by someone else since you loaded it "
                                    f"(version {current}, you had {based_on}): reload and review again")
            stamp = {"when": _now(), "who": who, "source": source, "note": note}
            files, records = self._apply(changes, layer, stamp)
            for path, fc in files.items():  # every change was checked: now write them all
                atomic.write_text(path, json.dumps(fc, ensure_ascii=False))
            self._append(records)
        return [r["change_id"] for r in records]

    def _apply(self, changes: gpd.GeoDataFrame, layer: str, stamp: dict) -> tuple[dict[Path, dict], list[dict]]:
        """The changed feature collections (in memory) and their history records."""
        files: dict[Path, dict] = {}
        records = []
        for r in changes.itertuples():
            geom = storable.snap(r.geometry)
            problems = storable.problems(geom)
            if problems:
                raise StoreError(f"{r.target_id}: {'; '.join(problems)}")
            path = self._file_of(layer, r.target_id)
            fc = files.setdefault(path, json.loads(path.read_text(encoding="utf-8")))
            records.append(self._replace(fc["features"], layer, r.target_id, geom, stamp) | {"file": path.name})
        if layer == "parcels":
            for fc in files.values():
                fc["features"].sort(key=lambda f: f["properties"]["parcel_id"])
        return files, records

    def _replace(self, features: list[dict], layer: str, target_id: str, geom: object, stamp: dict) -> dict:
        """Put ``geom`` on the target's feature (a new parcel if the project has none); its history record."""
        mu = _mu(geom)
        feat = _find(features, _key(layer), target_id)
        previous = json.loads(json.dumps({"geometry": feat["geometry"], "properties": feat["properties"]})) \
            if feat else None
        source = stamp["source"]
        if layer == "parcels":
            if feat is None:
                feat = self._new_parcel(target_id)
                features.append(feat)
            feat["properties"].update({"area_mu": mu, "geometry_source": source,
                                       "placement_note": f"{source} boundary stored {stamp['when']} by {stamp['who']}"})
        else:
            feat["properties"].update({"geometry_source": source, "extent_method": f"{source} boundary"})
        feat["geometry"] = mapping(geom)
        return {"change_id": uuid.uuid4().hex[:12], "when": stamp["when"], "who": stamp["who"], "action": "save",
                "layer": layer, "target_id": target_id, "geometry_source": source, "area_mu": mu,
                "note": stamp["note"], "previous": previous}

    def _new_parcel(self, project_id: str) -> dict:
        projects = pd.read_csv(self.layout.projects, dtype=str, keep_default_na=False)
        zone = projects.set_index("project_id").zone_id.get(project_id)
        if zone is None:
            raise StoreError(f"project {project_id} does not exist")
        return {"type": "Feature", "properties": {"parcel_id": f"P-{project_id}", "project_id": project_id,
                                                  "zone_id": zone}, "geometry": None}

    def undo(self, change_id: str, who: str) -> str:
        """Restore what a change replaced; see :meth:`Store.undo`.

        Parameters
        ----------
        change_id : str
        who : str

        Returns
        -------
        str
        """
        with self._locked():
            rec = self._undoable(change_id)
            path = self.layout.parcels.parent / rec["file"] if rec["layer"] == "parcels" \
                else self.layout.layer(rec["file"])
            fc = json.loads(path.read_text(encoding="utf-8"))
            feats = fc["features"]
            cur = _find(feats, _key(rec["layer"]), rec["target_id"])
            prev = rec["previous"]
            if prev is None:
                feats.remove(cur)
            else:
                cur["geometry"], cur["properties"] = prev["geometry"], prev["properties"]
            atomic.write_text(path, json.dumps(fc, ensure_ascii=False))
            cid = uuid.uuid4().hex[:12]
            self._append([{"change_id": cid, "when": _now(), "who": who, "action": "undo", "layer": rec["layer"],
                           "target_id": rec["target_id"],
                           "geometry_source": prev["properties"].get("geometry_source") if prev else None,
                           "area_mu": _mu(shape(prev["geometry"])) if prev else None,
                           "undoes": change_id, "note": "", "file": rec["file"], "previous": None}])
        return cid

    def _undoable(self, change_id: str) -> dict:
        """The history record of a change that may be undone now."""
        recs = self._records()
        i = next((i for i, r in enumerate(recs) if r["change_id"] == change_id), None)
        if i is None:
            raise StoreError(f"no change {change_id} in the history")
        rec = recs[i]
        if any(r.get("undoes") == change_id for r in recs):
            raise StoreError(f"change {change_id} was already undone")
        later = [r for r in recs[i + 1:] if r["target_id"] == rec["target_id"] and r.get("undoes") is None]
        if later:
            raise StoreError(f"{rec['target_id']} was changed again later ({later[-1]['change_id']}): undo that first")
        return rec

    # ------------------------------------------------------------------ files

    def _file_of(self, layer: str, target_id: str) -> Path:
        """The file holding a target: the parcel layer, or the zone layer that has the zone."""
        if layer == "parcels":
            return self.layout.parcels
        for f in self.layout.layer_files():
            fc = json.loads(f.read_text(encoding="utf-8"))
            if _find(fc.get("features", []), "zone_id", target_id) is not None:
                return f
        raise StoreError(f"zone {target_id} is in no layer file")

    def _records(self) -> list[dict]:
        p = self.layout.history
        text = p.read_text(encoding="utf-8") if p.exists() else ""
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def _append(self, records: list[dict]) -> None:
        p = self.layout.history
        old = p.read_text(encoding="utf-8") if p.exists() else ""
        atomic.write_text(p, old + "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the store's lock file (one writer at a time, across processes)."""
        with open(self.layout.lock, "w") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)


def _check_layer(layer: str) -> None:
    if layer not in LAYERS:
        raise StoreError(f"unknown layer {layer!r}: one of {', '.join(LAYERS)}")

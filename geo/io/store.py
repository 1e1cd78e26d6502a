"""The store boundary: load the plan data, save accepted geometry changes with a version check, undo, history.

:class:`Store` is the protocol the app, the CLI and the importer's callers use; :func:`geo.io.open_store`
picks the implementation (one place: a PostGIS store would be chosen there by its URL).
:class:`FileStore` is today's store, the files of a :class:`~geo.io.files.FileLayout`, and it loses
nothing: a change of ``parcels.geojson`` (or of a zone's layer file) and its records in ``history.jsonl``
(who, when, what, the previous geometry) are one step. A save

1. checks everything and encodes every byte it will write (nothing written yet: a refusal changes nothing);
2. writes the new files beside the old ones (hidden *staged* files, fsynced);
3. writes a journal (``.store.journal``: the files, the SHA-256 of their old and new content, the history
   text) atomically;
4. appends the records to ``history.jsonl`` (append mode, on a fresh line, fsynced — never rewritten);
5. renames the staged files into place and removes the journal.

Every write that needs disk space comes before the first rename: a failure there (a full disk, anything)
removes what was written — history cut back, staged files and journal deleted — and changes nothing. A
crash (kill -9, power) after the journal leaves it, and :meth:`FileStore.recover` — run by every change and
when the app loads its data — finishes the save (the staged files hold the new content, the journal the
history text) or, when it cannot and no file had been replaced, rolls it back, and says which it did.
Until then :meth:`FileStore.history` leaves the journal's records out, so no record claims a change that
has not landed.

The history is read tolerantly: a damaged line (cut off by a crash, garbage) is skipped and reported
(:meth:`FileStore.history_problems`), never fatal. An undo touches only the store's own files (the parcel
layer, or a layer file by its plain name in the layers folder). A save names the version of the layer it
was based on (:meth:`Store.version`); if another session saved in between, the save is refused
(:class:`ConflictError`) rather than silently overwriting. A geometry the loader would reject
(:mod:`geo.core.storable`) is refused before anything is written. One change is written at a time (the
lock file): a change waits at most :data:`geo.config.STORE_LOCK_WAIT_S` for another and is then refused
(:class:`StoreBusy`), and recovery on load does not wait for a live writer, so a stuck process never hangs
the app. Every failure is a :class:`StoreError` or :class:`ConflictError` whose message names the file,
line or target and the problem.

Text: the files are UTF-8 JSON; a lone surrogate (a file name's undecodable byte) is written as a JSON
``\\uXXXX`` escape, so the bytes stay valid UTF-8. The ``who`` and ``note`` of a record are made printable
first (``\\xff`` for such a byte), since they are shown on pages.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import geopandas as gpd
import pandas as pd
from shapely.geometry import mapping, shape

from geo import config
from geo.core import storable
from geo.core.crs import areas_mu
from geo.core.model import PlanData
from geo.io.files import FileLayout, load_all, printable

SOURCES = ("surveyed", "digitised")
"""What a stored boundary is: a survey's, or drawn on the map."""
LAYERS = ("parcels", "zones")
"""What a change replaces: a project's parcel (by ``project_id``) or a zone (by ``zone_id``)."""
HISTORY_COLUMNS = ["change_id", "when", "who", "action", "layer", "target_id", "geometry_source", "area_mu",
                   "undoes", "note"]
ACTIONS = ("save", "undo")
"""What a history record did."""


class _Message(Exception):
    """An exception whose message can always be encoded and shown: lone surrogates (an id or a file name's
    undecodable byte) are escaped (:func:`printable`)."""

    def __init__(self, message: object = "") -> None:
        super().__init__(printable(str(message)))


class ConflictError(_Message):
    """The stored layer changed since the user loaded it."""


class StoreError(_Message):
    """A change that cannot be stored or undone; the message says why. Nothing was written."""


class StoreBusy(StoreError):
    """The store's lock is held by another change for longer than a change waits for it; nothing was written."""


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
            When a change cannot be stored (unknown target, a geometry the loader would reject, a full
            disk …); nothing was changed.
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
            Unknown or already undone change, the target was changed again later, or the record names
            something that is not the store's.
        """
        ...

    def history(self) -> pd.DataFrame:
        """Every stored change, oldest first (damaged records left out, see :meth:`history_problems`).

        Returns
        -------
        pandas.DataFrame
            Columns :data:`HISTORY_COLUMNS`.
        """
        ...

    def history_problems(self) -> list[str]:
        """What is wrong with the stored history: each damaged record that :meth:`history` skips.

        Returns
        -------
        list of str
            Messages naming the file and the line.
        """
        ...

    def recover(self) -> list[str]:
        """Finish or roll back a change that was interrupted (a crash, a kill) and say what was done.

        Returns
        -------
        list of str
            One message per thing done; empty when there was nothing to do.
        """
        ...

    def data_version(self) -> str:
        """A content hash of all the data (12 hex digits), recorded in exported snapshots.

        Returns
        -------
        str
        """
        ...


# ------------------------------------------------------------------ bytes and text

_SURROGATE = re.compile("[\ud800-\udfff]")
_STAGED = re.compile(r"^\.(?P<name>.+)\.(?P<txid>[0-9a-f]{12})\.staged$")


def _json_bytes(obj: object) -> bytes:
    """Compact JSON as UTF-8 bytes; lone surrogates become ``\\uXXXX`` escapes (the bytes stay valid UTF-8)."""
    text = json.dumps(obj, ensure_ascii=False)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode("utf-8")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha_file(path: Path) -> str | None:
    try:
        return _sha(path.read_bytes())
    except FileNotFoundError:
        return None


def _digest(files: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for f in files:
        if f.is_file():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def _why(e: BaseException) -> str:
    """An OS error in words (``No space left on device``), else the exception's kind and text."""
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return f"{type(e).__name__}: {str(e)[:120]}"


# ------------------------------------------------------------------ durable writes (the fault tests wrap these)

def _write_bytes(fd: int, data: bytes, path: Path) -> None:
    """Write all of ``data`` to an open file descriptor (``path`` names it, for fault injection)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _write_new(path: Path, data: bytes) -> None:
    """Create ``path`` (it must not exist) with ``data``, fsynced."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        _write_bytes(fd, data, path)
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_journal(path: Path, data: bytes) -> None:
    """Write the journal atomically: a temp file, fsynced, renamed into place, the folder fsynced."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    try:
        _write_new(tmp, data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def _append_history(path: Path, data: bytes, offset: int) -> None:
    """Append ``data`` to the history at ``offset`` (its size), fsynced; on failure cut it back to ``offset``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        _write_bytes(fd, data, path)
        os.fsync(fd)
    except BaseException:
        os.ftruncate(fd, offset)
        raise
    finally:
        os.close(fd)


def _install(staged: Path, target: Path) -> None:
    """Rename a staged file over its target."""
    os.replace(staged, target)


def _drop_if_new(history: Path, existed: bool) -> None:
    """Remove a history file a failed change created (it is empty again)."""
    if not existed and history.exists() and history.stat().st_size == 0:
        history.unlink()


def _remove_journal(path: Path) -> None:
    path.unlink(missing_ok=True)
    _fsync_dir(path.parent)


# ------------------------------------------------------------------ the history file

@dataclass(frozen=True)
class Checkout:
    """The data with the versions it was read at (:meth:`FileStore.checkout`).

    Attributes
    ----------
    data : PlanData
    versions : dict of str to str
        :meth:`FileStore.version` of each layer (``parcels``, ``zones``), read before the data: the
        ``based_on`` of a save of what was reviewed against ``data``.
    recovered : list of str
        What recovery did first (an interrupted change finished or rolled back); empty when nothing.
    """

    data: PlanData
    versions: dict[str, str]
    recovered: list[str]


@dataclass
class _History:
    """``history.jsonl`` read tolerantly: the good records, what is wrong with the others, its size."""

    records: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    size: int = 0
    ends_with_newline: bool = True


def _record_problem(rec: object) -> str | None:
    """Why a parsed line is not a change record (None when it is)."""
    if not isinstance(rec, dict):
        return f"is a JSON {type(rec).__name__}, not a change record"
    wrong = [k for k, ok in (("change_id", isinstance(rec.get("change_id"), str) and rec.get("change_id")),
                             ("action", rec.get("action") in ACTIONS), ("layer", rec.get("layer") in LAYERS),
                             ("target_id", isinstance(rec.get("target_id"), str)),
                             ("file", isinstance(rec.get("file"), str)),
                             ("previous", rec.get("previous") is None or isinstance(rec.get("previous"), dict)),
                             ("undoes", rec.get("undoes") is None or isinstance(rec.get("undoes"), str))) if not ok]
    return f"is not a change record (missing or wrong {', '.join(wrong)})" if wrong else None


def _parse_line(raw: bytes, last: bool) -> tuple[dict | None, str | None]:
    """One history line: the record, or why it is skipped."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "is not UTF-8 text"
    try:
        rec = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        if last or getattr(e, "pos", -1) >= len(text.rstrip()):  # the text ends where JSON wanted more
            return None, "is cut off (a write was interrupted)"
        return None, f"is not JSON ({getattr(e, 'msg', type(e).__name__)})"
    problem = _record_problem(rec)
    return (None, problem) if problem else (rec, None)


def _read_history(path: Path) -> _History:
    """Every good record of the history, and a message per line that is skipped (never raises)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return _History()
    except OSError as e:
        return _History(problems=[f"{path.name} cannot be read ({_why(e)}): no history shown"])
    out = _History(size=len(data), ends_with_newline=data.endswith(b"\n") or not data)
    lines = data.split(b"\n")
    seen: set[str] = set()
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        rec, problem = _parse_line(raw, last=n == len(lines))
        if rec is not None and rec["change_id"] in seen:
            problem = f"repeats change {str(rec['change_id'])[:40]}"
        if problem:
            out.problems.append(f"{path.name} line {n} {problem}: skipped")
            continue
        seen.add(rec["change_id"])
        out.records.append(rec)
    return out


# ------------------------------------------------------------------ features

def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _mu(geom: object) -> float:
    return round(float(areas_mu([geom])[0]), 3)


def _key(layer: str) -> str:
    return "project_id" if layer == "parcels" else "zone_id"


def _find(features: list, key: str, target_id: str) -> dict | None:
    return next((f for f in features if isinstance(f, dict) and isinstance(f.get("properties"), dict)
                 and f["properties"].get(key) == target_id), None)


def _plain_layer_name(name: object) -> bool:
    """Whether ``name`` is a plain ``.geojson`` file name (no folder, no separator, not hidden)."""
    return (isinstance(name, str) and Path(name).name == name and "/" not in name and "\\" not in name
            and not name.startswith(".") and name.endswith(".geojson") and "\x00" not in name)


def _read_fc(path: Path) -> dict:
    """A layer file as a FeatureCollection; a :class:`StoreError` naming it when it cannot be read."""
    try:
        fc = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise StoreError(f"{path.name} cannot be read ({_why(e)}): nothing was changed") from None
    if not isinstance(fc, dict) or not isinstance(fc.get("features"), list):
        raise StoreError(f"{path.name} is not a GeoJSON FeatureCollection: nothing was changed")
    return fc


def _ids(ids: list[str]) -> str:
    return ", ".join(ids[:5]) + (f" … (+{len(ids) - 5})" if len(ids) > 5 else "")


# ------------------------------------------------------------------ the file store

class FileStore:
    """The store in files: the tables, layers and history of a :class:`~geo.io.files.FileLayout`.

    Parameters
    ----------
    data_dir, layers_dir : str or Path
        The store's folders (``data/``, ``layers/``).

    Attributes
    ----------
    layout : FileLayout
    recovered : list of str
        What the recovery run by this store's changes did (:meth:`recover` returns its own), for callers
        that report it (the CLI).
    """

    def __init__(self, data_dir: str | Path, layers_dir: str | Path) -> None:
        self.layout = FileLayout(Path(data_dir), Path(layers_dir))
        self.recovered: list[str] = []

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
        """Every stored change, oldest first (``history.jsonl``); see :meth:`Store.history`.

        Damaged lines are left out (:meth:`history_problems` names them), and so are the records of a
        change still under way or interrupted (in the journal): they claim nothing until it has landed.
        Text is :func:`printable`.

        Returns
        -------
        pandas.DataFrame
            Columns :data:`HISTORY_COLUMNS`.
        """
        pending = self._pending()
        rows = [{k: printable(r.get(k)) for k in HISTORY_COLUMNS} for r in self._records()
                if r["change_id"] not in pending]
        return pd.DataFrame(rows, columns=HISTORY_COLUMNS)

    def history_problems(self) -> list[str]:
        """Each damaged line of ``history.jsonl`` that :meth:`history` skips, and an unfinished change.

        Returns
        -------
        list of str
            ``"history.jsonl line 7 is cut off (a write was interrupted): skipped"`` …
        """
        problems = _read_history(self.layout.history).problems
        if self.layout.journal.exists():
            problems.append(f"a change was interrupted and is not finished yet ({self.layout.JOURNAL}): "
                            "reload to finish it")
        return [printable(p) for p in problems]

    def data_version(self) -> str:
        """SHA-256 (12 hex digits) of the tables, the parcels, the layer files and the manifest.

        Returns
        -------
        str
        """
        return _digest(self.layout.content_files())[:12]

    def checkout(self, strict: bool = True) -> Checkout:
        """What a review and its save need, read in the safe order: recovery, the versions, then the data.

        An interrupted change is finished or rolled back first (:meth:`recover`; what it did is in
        ``recovered``). The versions are read before the data, so a change stored by someone else while
        the data is read makes the later save a :class:`ConflictError`, never a silent overwrite. The CLI
        and the app review against ``data`` and save with ``based_on=versions[layer]``.

        Parameters
        ----------
        strict : bool, default True
            As in :meth:`load`.

        Returns
        -------
        Checkout
        """
        recovered = self.recover()
        versions = {layer: self.version(layer) for layer in LAYERS}
        return Checkout(self.load(strict=strict), versions, recovered)

    def _records(self) -> list[dict]:
        return _read_history(self.layout.history).records

    def _pending(self) -> set[str]:
        """The change ids of the journal (a change not landed yet), if there is one."""
        try:
            journal = json.loads(self.layout.journal.read_bytes())
            return {c for c in journal.get("changes", []) if isinstance(c, str)}
        except (OSError, ValueError, AttributeError, RecursionError):
            return set()

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
        check_changes(changes, layer, source)
        with self._locked():
            self._ready()
            if based_on is not None and (current := self.version(layer)) != based_on:
                name = self.layout.PARCELS if layer == "parcels" else "the zone layers"
                raise ConflictError(f"{name} was changed by someone else since you loaded it "
                                    f"(version {current}, you had {based_on}): reload and review again")
            stamp = {"when": _now(), "who": printable(str(who)), "source": source, "note": printable(str(note))}
            files, records = self._apply(changes, layer, stamp)
            self._commit(files, records)
        return [r["change_id"] for r in records]

    def _apply(self, changes: gpd.GeoDataFrame, layer: str, stamp: dict) -> tuple[dict[Path, dict], list[dict]]:
        """The changed feature collections (in memory) and their history records."""
        files: dict[Path, dict] = {}
        records = []
        for target_id, raw in zip(changes["target_id"], changes.geometry, strict=True):
            target_id = str(target_id)
            geom = storable.snap(raw)
            problems = storable.problems(geom, layer)
            if problems and raw is not None and not raw.is_empty and geom.is_empty:  # a sliver collapsed
                problems = [f"as stored (on a {storable.GRID_DEG:g}° grid) it has no geometry"]
            if problems:
                raise StoreError(f"{target_id}: {'; '.join(problems)}")
            path = self._file_of(layer, target_id)
            fc = files.setdefault(path, _read_fc(path))
            records.append(self._replace(fc["features"], layer, target_id, geom, stamp) | {"file": path.name})
        if layer == "parcels":
            for fc in files.values():
                fc["features"].sort(key=lambda f: str(f["properties"].get("parcel_id", "")))
        return files, records

    def _replace(self, features: list, layer: str, target_id: str, geom: object, stamp: dict) -> dict:
        """Put ``geom`` on the target's feature (a new parcel if the project has none); its history record."""
        mu = _mu(geom)
        feat = _find(features, _key(layer), target_id)
        previous = json.loads(json.dumps({"geometry": feat.get("geometry"), "properties": feat["properties"]})) \
            if feat else None
        source = stamp["source"]
        if layer == "parcels":
            if feat is None:
                feat = self._new_parcel(target_id)
                features.append(feat)
            feat["properties"].update({"area_mu": mu, "geometry_source": source,
                                       "placement_note": f"{source} boundary stored {stamp['when']} by {stamp['who']}"})
        else:
            if feat is None:
                raise StoreError(f"zone {target_id} is in no layer file")
            feat["properties"].update({"geometry_source": source, "extent_method": f"{source} boundary"})
        feat["geometry"] = mapping(geom)
        return {"change_id": uuid.uuid4().hex[:12], "when": stamp["when"], "who": stamp["who"], "action": "save",
                "layer": layer, "target_id": target_id, "geometry_source": source, "area_mu": mu,
                "note": stamp["note"], "previous": previous}

    def _new_parcel(self, project_id: str) -> dict:
        try:
            projects = pd.read_csv(self.layout.projects, dtype=str, keep_default_na=False)
            zone = projects.set_index("project_id").zone_id.get(project_id)
        except (OSError, ValueError, KeyError, pd.errors.ParserError) as e:
            raise StoreError(f"{self.layout.PROJECTS} cannot be read ({_why(e)}): nothing was changed") from None
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
            self._ready()
            rec = self._undoable(change_id)
            path = self._record_file(rec)
            fc = _read_fc(path)
            prev = _previous(rec)
            feats = fc["features"]
            cur = _find(feats, _key(rec["layer"]), rec["target_id"])
            if cur is None and (prev is None or rec["layer"] == "zones"):
                raise StoreError(f"{rec['target_id']} is no longer in {path.name}: change {change_id} not undone")
            if prev is None:
                feats.remove(cur)
            elif cur is None:
                feats.append({"type": "Feature", "properties": prev["properties"], "geometry": prev["geometry"]})
            else:
                cur["geometry"], cur["properties"] = prev["geometry"], prev["properties"]
            cid = uuid.uuid4().hex[:12]
            self._commit({path: fc}, [{
                "change_id": cid, "when": _now(), "who": printable(str(who)), "action": "undo",
                "layer": rec["layer"], "target_id": rec["target_id"],
                "geometry_source": prev["properties"].get("geometry_source") if prev else None,
                "area_mu": _mu(shape(prev["geometry"])) if prev else None,
                "undoes": change_id, "note": "", "file": path.name, "previous": None}])
        return cid

    def _undoable(self, change_id: str) -> dict:
        """The history record of a change that may be undone now."""
        recs = self._records()
        i = next((i for i, r in enumerate(recs) if r["change_id"] == change_id), None)
        if i is None:
            raise StoreError(f"no change {change_id} in the history")
        rec = recs[i]
        if rec["action"] != "save":
            raise StoreError(f"change {change_id} is an undo: it cannot be undone")
        if any(r.get("undoes") == change_id for r in recs):
            raise StoreError(f"change {change_id} was already undone")
        undone = {r.get("undoes") for r in recs}
        later = [r for r in recs[i + 1:] if r["target_id"] == rec["target_id"] and r["action"] == "save"
                 and r["change_id"] not in undone]  # a later change that was undone itself is out of the way
        if later:
            raise StoreError(f"{rec['target_id']} was changed again later ({later[-1]['change_id']}): undo that first")
        return rec

    def _record_file(self, rec: dict) -> Path:
        """The store file a history record names: the parcel layer, or a zone layer file by its plain name."""
        name = rec.get("file")
        if rec["layer"] == "parcels":
            path = self.layout.parcels if name == self.layout.PARCELS else None
        else:
            path = self.layout.layer(name) if _plain_layer_name(name) else None
            folder = self.layout.layers_dir.resolve()
            if path is not None and (path.resolve().parent != folder or path.name == self.layout.MANIFEST):
                path = None
        if path is None or not path.is_file():
            shown = printable(str(name)[:80])
            raise StoreError(f"change {rec['change_id']} names the file {shown}, which is not a file of the "
                             "store: not undone")
        return path

    # ------------------------------------------------------------------ files

    def _file_of(self, layer: str, target_id: str) -> Path:
        """The file holding a target: the parcel layer, or the zone layer that has the zone."""
        if layer == "parcels":
            return self.layout.parcels
        for f in self.layout.layer_files():
            try:
                fc = _read_fc(f)
            except StoreError:
                continue
            if _find(fc["features"], "zone_id", target_id) is not None:
                return f
        raise StoreError(f"zone {target_id} is in no layer file")

    def _commit(self, files: dict[Path, dict], records: list[dict]) -> None:
        """Write changed files and their records as one step (module docstring: stage, journal, history, rename).

        Everything is encoded before the first byte is written; a failure before the history is appended
        removes what was written (nothing changed); after it, the change is finished (or, failing that,
        left for :meth:`recover`).
        """
        txid = uuid.uuid4().hex[:12]
        contents = {path: _json_bytes(fc) for path, fc in files.items()}
        hist = _read_history(self.layout.history)
        text = (b"" if hist.ends_with_newline else b"\n") + b"".join(_json_bytes(r) + b"\n" for r in records)
        entries = [{"folder": "data" if path.parent == self.layout.data_dir else "layers", "name": path.name,
                    "staged": f".{path.name}.{txid}.staged", "old": _sha_file(path), "new": _sha(data)}
                   for path, data in contents.items()]
        existed = self.layout.history.exists()
        journal = {"txid": txid, "action": records[0]["action"], "changes": [r["change_id"] for r in records],
                   "files": entries, "history_offset": hist.size, "history_text": text.decode("utf-8"),
                   "history_existed": existed}
        journal_bytes = _json_bytes(journal)
        staged = [path.with_name(e["staged"]) for path, e in zip(contents, entries, strict=True)]
        step = "the new content"
        try:
            for path, data in zip(staged, contents.values(), strict=True):
                _write_new(path, data)
            for folder in {p.parent for p in staged}:
                _fsync_dir(folder)
            step = self.layout.JOURNAL
            _write_journal(self.layout.journal, journal_bytes)
            step = self.layout.HISTORY
            _append_history(self.layout.history, text, hist.size)
        except BaseException as e:  # a full disk, an encoding bug, an interrupt: undo what was written
            for p in staged:
                p.unlink(missing_ok=True)
            self.layout.journal.unlink(missing_ok=True)
            _drop_if_new(self.layout.history, existed)
            if not isinstance(e, Exception):
                raise
            what = ", ".join(p.name for p in contents)
            raise StoreError(f"{what}: cannot write {step} ({_why(e)}): nothing was changed") from None
        try:
            for path, st in zip(contents, staged, strict=True):
                _install(st, path)
            for folder in {p.parent for p in contents} | {self.layout.data_dir}:
                _fsync_dir(folder)
            _remove_journal(self.layout.journal)
        except OSError as e:
            done = self._recover_locked()
            raise StoreError("; ".join([f"the change was interrupted ({_why(e)})", *done])) from None

    # ------------------------------------------------------------------ recovery

    def recover(self) -> list[str]:
        """Finish or roll back a change that was interrupted; see :meth:`Store.recover`.

        With a journal: when every changed file is either in place or staged intact, the change is
        finished (history made exactly the journal's, staged files renamed into place); when it cannot be
        and no file was replaced, it is rolled back (history cut back, staged files removed); otherwise the
        journal is kept and the message says which file was changed outside the store. Without one,
        staged files left by a save killed before its journal are removed.

        Returns
        -------
        list of str
            What was done, one message each (empty: nothing to do).
        """
        try:
            with self._locked(config.STORE_RECOVER_WAIT_S):
                return self._recover_locked()
        except StoreBusy:  # another process is writing a change: it finishes it or, killed, releases the lock
            return []

    def _ready(self) -> None:
        """Recover before a change; refuse it while an interrupted change cannot be resolved."""
        done = self._recover_locked()
        self.recovered += done
        if self.layout.journal.exists():
            raise StoreError("; ".join(done) or f"{self.layout.JOURNAL}: an interrupted change is unresolved")

    def _recover_locked(self) -> list[str]:
        try:
            return self._resolve()
        except OSError as e:  # a full disk, a read-only folder: the journal stays, the next change or load tries again
            return [f"an interrupted change cannot be finished now ({_why(e)}): {self.layout.JOURNAL} is kept and "
                    "tried again on the next change or load"]

    def _resolve(self) -> list[str]:
        lay = self.layout
        if not lay.journal.exists():
            return self._sweep_staged()
        try:
            journal = json.loads(lay.journal.read_bytes().decode("utf-8"))
            plan = self._journal_plan(journal)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as e:
            bad = lay.journal.with_name(lay.JOURNAL + ".bad")
            os.replace(lay.journal, bad)
            return [f"{lay.JOURNAL} cannot be read ({_why(e)}): set aside as {bad.name}"] + self._sweep_staged()
        ids = _ids(journal["changes"])
        names = ", ".join(e["name"] for e in journal["files"])
        if all(landed or intact for _, _, _, landed, intact, _ in plan):
            self._finish(journal, plan)
            return [f"an interrupted change ({ids}) of {names} was finished: data and history agree"]
        if not any(landed for _, _, _, landed, _, _ in plan):
            self._roll_back(journal, plan)
            return [f"an interrupted change ({ids}) of {names} was rolled back: nothing was changed"]
        stray = next(target.name for _, target, _, landed, intact, untouched in plan
                     if not (landed or intact or untouched))
        return [f"an interrupted change ({ids}) cannot be finished: {stray} was changed outside the store, "
                f"{lay.JOURNAL} is kept for an administrator"]

    def _journal_plan(self, journal: dict) -> list[tuple[dict, Path, Path, bool, bool, bool]]:
        """Per file of a journal: (entry, target, staged, replaced already, staged intact, untouched)."""
        if not isinstance(journal["changes"], list) or not isinstance(journal["history_text"], str) or \
                not isinstance(journal["history_offset"], int) or journal["action"] not in ACTIONS:
            raise ValueError("not a journal of this store")
        plan = []
        for e in journal["files"]:
            folder = {"data": self.layout.data_dir, "layers": self.layout.layers_dir}[e["folder"]]
            m = _STAGED.match(e["staged"])
            if not (_plain_layer_name(e["name"]) and m and m["name"] == e["name"]):
                raise ValueError(f"names {str(e['name'])[:80]}, which is not a file of the store")
            target, staged = folder / e["name"], folder / e["staged"]
            cur = _sha_file(target)
            plan.append((e, target, staged, cur == e["new"], _sha_file(staged) == e["new"], cur == e["old"]))
        return plan

    def _finish(self, journal: dict, plan: list) -> None:
        """Make the history exactly the journal's text at its offset, rename staged files, drop the journal."""
        h = self.layout.history
        text = journal["history_text"].encode("utf-8")
        offset = journal["history_offset"]
        existed = h.exists()
        data = h.read_bytes() if existed else b""
        if data[offset:] != text:
            if len(data) < offset:  # cut behind our back: append on a fresh line
                offset, text = len(data), (b"\n" if data and not data.endswith(b"\n") else b"") + text.lstrip(b"\n")
            if existed:
                with open(h, "r+b") as f:
                    f.truncate(offset)
            try:
                _append_history(h, text, offset)
            except BaseException:
                _drop_if_new(h, existed)
                raise
        for _, target, staged, landed, _, _ in plan:
            if not landed:
                _install(staged, target)
        for folder in {t.parent for _, t, *_ in plan}:
            _fsync_dir(folder)
        _remove_journal(self.layout.journal)

    def _roll_back(self, journal: dict, plan: list) -> None:
        """Cut the history back to before the journal's text (if any of it was written), drop staged files."""
        h = self.layout.history
        offset = journal["history_offset"]
        data = h.read_bytes() if h.exists() else b""
        if len(data) > offset and journal["history_text"].encode("utf-8").startswith(data[offset:]):
            with open(h, "r+b") as f:
                f.truncate(offset)
                os.fsync(f.fileno())
        for _, _, staged, *_ in plan:
            staged.unlink(missing_ok=True)
        _drop_if_new(h, journal.get("history_existed", True))
        _remove_journal(self.layout.journal)

    def _sweep_staged(self) -> list[str]:
        """Remove staged files of a save that was killed before its journal was written (nothing had changed)."""
        stray = [p for folder in (self.layout.data_dir, self.layout.layers_dir) if folder.is_dir()
                 for p in folder.iterdir() if _STAGED.match(p.name)]
        for p in stray:
            p.unlink(missing_ok=True)
        if not stray:
            return []
        names = ", ".join(sorted({_STAGED.match(p.name)["name"] for p in stray}))
        return [f"a save of {names} was interrupted before it began: its unfinished files were removed, "
                "nothing was changed"]

    @contextmanager
    def _locked(self, wait: float | None = None) -> Iterator[None]:
        """Hold the store's lock file (one writer at a time, across processes), waiting at most ``wait`` seconds
        (default :data:`geo.config.STORE_LOCK_WAIT_S`) for it: then :class:`StoreBusy`, never a hang."""
        wait = config.STORE_LOCK_WAIT_S if wait is None else wait
        try:
            f = open(self.layout.lock, "a")  # noqa: SIM115 — held for the block below
        except OSError as e:
            raise StoreError(f"{self.layout.LOCK} cannot be opened ({_why(e)}): nothing was changed") from None
        with f:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise StoreBusy(f"{self.layout.LOCK} is held by another change for more than {wait:g} s: "
                                        "nothing was changed, try again") from None
                    time.sleep(0.05)
                except OSError as e:
                    raise StoreError(f"{self.layout.LOCK} cannot be locked ({_why(e)}): nothing was changed") from None
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)


def _previous(rec: dict) -> dict | None:
    """The record's previous feature, checked: None (the parcel was new) or a storable geometry and properties."""
    prev = rec.get("previous")
    if prev is None:
        return None
    where = f"change {rec['change_id']}"
    if not isinstance(prev.get("properties"), dict) or not isinstance(prev.get("geometry"), dict):
        raise StoreError(f"{where} holds no previous feature to restore: not undone")
    try:
        geom = shape(prev["geometry"])
    except Exception as e:  # noqa: BLE001 — any malformed geometry object (GEOS, type or key errors)
        raise StoreError(f"{where}: its previous geometry cannot be read ({_why(e)}): not undone") from None
    problems = storable.problems(geom, rec["layer"])
    if problems:
        raise StoreError(f"{where}: its previous geometry {'; '.join(problems)}: not undone")
    return prev


def _check_layer(layer: str) -> None:
    if layer not in LAYERS:
        raise StoreError(f"unknown layer {layer!r}: one of {', '.join(LAYERS)}")


def check_changes(changes: gpd.GeoDataFrame, layer: str, source: str) -> None:
    """The one check of a save's input, for every store: a known layer and geometry source, a frame with
    ``target_id`` and a geometry, at least one row.

    Raises
    ------
    StoreError
        Naming what is wrong; nothing was written.
    """
    _check_layer(layer)
    if source not in SOURCES:
        raise StoreError(f"geometry_source must be one of {SOURCES}, not {source!r}")
    if not isinstance(changes, gpd.GeoDataFrame) or "target_id" not in changes.columns or \
            changes._geometry_column_name not in changes.columns:
        raise StoreError("the changes need a target_id and a geometry column")
    if not len(changes):
        raise StoreError("nothing to save")


__all__ = ["ACTIONS", "Checkout", "ConflictError", "FileStore", "HISTORY_COLUMNS", "LAYERS", "SOURCES", "Store",
           "StoreBusy", "StoreError", "printable"]

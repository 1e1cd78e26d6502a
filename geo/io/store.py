"""Storage that loses nothing: accepted geometry changes, atomically, with history and undo.

Every change rewrites data/parcels.geojson (or the zone's layer file) through a temp file and a
rename, appends a record to data/history.jsonl (who, when, what, the previous geometry) and
stamps `geometry_source` (surveyed / digitised). A save names the version of the file it was
based on (a SHA-256 of its bytes); if another session saved in between, the save is refused
rather than silently overwriting. `undo(change_id)` restores the previous geometry the same way.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import uuid
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import mapping, shape

from geo import config as paths
from geo.core.crs import areas_mu
from geo.io import atomic as gio

SOURCES = ("surveyed", "digitised")


class ConflictError(Exception):
    """The stored file changed since the user loaded it."""


class StoreError(Exception):
    pass


def version(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16] if Path(path).exists() else ""


@contextmanager
def _lock(data_dir: Path):
    lock = Path(data_dir) / ".store.lock"
    with open(lock, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _layer_file(layer: str, target_id: str, data_dir: Path, layers_dir: Path) -> Path:
    if layer == "parcels":
        return data_dir / "parcels.geojson"
    for f in sorted(layers_dir.glob("*.geojson")):
        fc = json.loads(f.read_text(encoding="utf-8"))
        if any(ft["properties"].get("zone_id") == target_id for ft in fc.get("features", [])):
            return f
    raise StoreError(f"zone {target_id} is in no layer file")


def _history(data_dir: Path) -> Path:
    return Path(data_dir) / "history.jsonl"


def history(data_dir: Path | None = None) -> pd.DataFrame:
    p = _history(Path(data_dir or paths.settings().data_dir))
    rows = [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()] if p.exists() else []
    cols = ["change_id", "when", "who", "action", "layer", "target_id", "geometry_source", "area_mu", "undoes", "note"]
    return pd.DataFrame([{k: r.get(k) for k in cols} for r in rows], columns=cols)


def save(changes: gpd.GeoDataFrame, layer: str, who: str, source: str, based_on: str | None,
         note: str = "", data_dir: Path | None = None, layers_dir: Path | None = None, data=None) -> list[str]:
    """Store geometries for `target_id`s (project ids for parcels, zone ids for zones).

    based_on: the version() of the target file the user reviewed against (None skips the check,
    for scripted use). Returns the change ids written to the history."""
    if source not in SOURCES:
        raise StoreError(f"geometry_source must be one of {SOURCES}, not {source!r}")
    data_dir = Path(data_dir or paths.settings().data_dir)
    layers_dir = Path(layers_dir or paths.settings().layers_dir)
    if not len(changes):
        raise StoreError("nothing to save")
    ids = []
    with _lock(data_dir):
        groups: dict[Path, list] = {}
        for r in changes.itertuples():
            groups.setdefault(_layer_file(layer, r.target_id, data_dir, layers_dir), []).append(r)
        for path in groups:
            if based_on is not None and version(path) != based_on:
                raise ConflictError(f"{path.name} was changed by someone else since you loaded it "
                                    f"(version {version(path)}, you had {based_on}): reload and review again")
        now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        records = []
        for path, rows in groups.items():
            fc = json.loads(path.read_text(encoding="utf-8"))
            feats = fc["features"]
            key = "project_id" if layer == "parcels" else "zone_id"
            for r in rows:
                geom = shapely.set_precision(r.geometry, 1e-7)
                mu = round(float(areas_mu([geom])[0]), 3)
                old = next((f for f in feats if f["properties"].get(key) == r.target_id), None)
                prev = json.loads(json.dumps({"geometry": old["geometry"], "properties": old["properties"]})) if old else None
                if layer == "parcels":
                    if old is None:
                        if data is None or r.target_id not in set(data.projects.project_id):
                            raise StoreError(f"project {r.target_id} does not exist")
                        zone = data.projects.set_index("project_id").loc[r.target_id, "zone_id"]
                        old = {"type": "Feature", "properties": {"parcel_id": f"P-{r.target_id}", "project_id": r.target_id,
                                                                 "zone_id": zone}, "geometry": None}
                        feats.append(old)
                    old["properties"].update({"area_mu": mu, "geometry_source": source,
                                              "placement_note": f"{source} boundary stored {now} by {who}"})
                else:
                    if old is None:
                        raise StoreError(f"zone {r.target_id} not found in {path.name}")
                    old["properties"].update({"geometry_source": source, "extent_method": f"{source} boundary"})
                old["geometry"] = mapping(geom)
                cid = uuid.uuid4().hex[:12]
                ids.append(cid)
                records.append({"change_id": cid, "when": now, "who": who, "action": "save", "layer": layer,
                                "target_id": r.target_id, "geometry_source": source, "area_mu": mu, "note": note,
                                "file": path.name, "previous": prev})
            if layer == "parcels":
                feats.sort(key=lambda f: f["properties"]["parcel_id"])
            gio.write_text(path, json.dumps(fc, ensure_ascii=False))
        _append_history(data_dir, records)
    return ids


def _append_history(data_dir: Path, records: list[dict]) -> None:
    p = _history(data_dir)
    old = p.read_text(encoding="utf-8") if p.exists() else ""
    gio.write_text(p, old + "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def undo(change_id: str, who: str, data_dir: Path | None = None, layers_dir: Path | None = None) -> str:
    """Restore the geometry (and properties) a change replaced; recorded as its own change."""
    data_dir = Path(data_dir or paths.settings().data_dir)
    layers_dir = Path(layers_dir or paths.settings().layers_dir)
    with _lock(data_dir):
        p = _history(data_dir)
        recs = [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()] if p.exists() else []
        rec = next((r for r in recs if r["change_id"] == change_id), None)
        if rec is None:
            raise StoreError(f"no change {change_id} in the history")
        if any(r.get("undoes") == change_id for r in recs):
            raise StoreError(f"change {change_id} was already undone")
        later = [r for r in recs if r["target_id"] == rec["target_id"] and r["when"] >= rec["when"]
                 and r["change_id"] != change_id and r.get("undoes") is None and recs.index(r) > recs.index(rec)]
        if later:
            raise StoreError(f"{rec['target_id']} was changed again later ({later[-1]['change_id']}): undo that first")
        path = (data_dir if rec["layer"] == "parcels" else layers_dir) / rec["file"]
        fc = json.loads(path.read_text(encoding="utf-8"))
        key = "project_id" if rec["layer"] == "parcels" else "zone_id"
        feats = fc["features"]
        cur = next((f for f in feats if f["properties"].get(key) == rec["target_id"]), None)
        now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        if rec["previous"] is None:
            feats.remove(cur)
        else:
            cur["geometry"] = rec["previous"]["geometry"]
            cur["properties"] = rec["previous"]["properties"]
        gio.write_text(path, json.dumps(fc, ensure_ascii=False))
        cid = uuid.uuid4().hex[:12]
        prev_geom = shape(rec["previous"]["geometry"]) if rec["previous"] else None
        _append_history(data_dir, [{"change_id": cid, "when": now, "who": who, "action": "undo", "layer": rec["layer"],
                                    "target_id": rec["target_id"], "geometry_source": rec["previous"]["properties"].get(
                                        "geometry_source") if rec["previous"] else None,
                                    "area_mu": round(float(areas_mu([prev_geom])[0]), 3) if prev_geom is not None else None,
                                    "undoes": change_id, "note": "", "file": rec["file"], "previous": None}])
        return cid

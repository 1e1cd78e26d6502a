"""The store cannot lose a change: kill -9 at every step of a save, a full disk (injected and a real tmpfs), an
exception while writing the history, a damaged history, an undo record naming a file outside the store, a stale
version, and geometries the one storable rule refuses. Each checks the message and that the stored bytes are
unchanged, or that recovery made data and history agree (and said so)."""

from __future__ import annotations

import errno
import json
import math
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, Polygon, box, mapping, shape

from geo import config, i18n
from geo.core import storable
from geo.core.crs import WGS84, own_zone, project
from geo.core.model import DataError
from geo.io import importer
from geo.io import store as S
from geo.io.files import load_all
from geo.io.store import ConflictError, FileStore, StoreError
from tests.io.stored import data_files

ROOT = Path(__file__).resolve().parents[2]
TARGET = "HTS-T4-01"


# ------------------------------------------------------------------ helpers

def parcel(fs: FileStore, pid: str = TARGET) -> Polygon:
    return fs.load().parcels.set_index("project_id").geometry[pid]


def moved(fs: FileStore, pid: str = TARGET, d: float = 0.0004) -> gpd.GeoDataFrame:
    """A change of the parcel: its boundary grown by `d` degrees."""
    return gpd.GeoDataFrame({"target_id": [pid]}, geometry=[parcel(fs, pid).buffer(d, quad_segs=2)], crs=WGS84)


def square(lon: float, lat: float, mu: float) -> Polygon:
    zone = own_zone(Point(lon, lat))
    c = project(Point(lon, lat), zone)
    h = math.sqrt(mu * 10000 / 15) / 2
    return project(box(c.x - h, c.y - h, c.x + h, c.y + h), WGS84, src=zone)


def assert_consistent(fs: FileStore) -> None:
    """Data loads strictly, the history has no problems, nothing is pending, and each target's last record
    describes what the data holds (a save's area is the stored parcel's)."""
    data = fs.load(strict=True)
    assert fs.history_problems() == []
    assert not fs.layout.journal.exists()
    assert not [p for p in (*fs.layout.data_dir.iterdir(), *fs.layout.layers_dir.iterdir()) if p.name.endswith(".staged")]
    h = fs.history()
    parcels = data.parcels.set_index("project_id")
    for target, rows in h[h.layer == "parcels"].groupby("target_id"):
        last = rows.iloc[-1]
        if last.action == "save":
            assert parcels.loc[target, "geometry_source"] == last.geometry_source
            assert abs(parcels.loc[target, "area_mu"] - last.area_mu) < 1e-6
    assert fs.recover() == []  # nothing left to do


def zone_pair(lay: Path) -> list[tuple[str, str]]:
    """Two zones in two different layer files: (zone id, file name)."""
    out, seen = [], set()
    for f in sorted(lay.glob("*.geojson")):
        if f.name in ("districts.geojson", "poi.geojson"):
            continue
        for feat in json.loads(f.read_text(encoding="utf-8"))["features"]:
            g = shape(feat["geometry"])
            if g.geom_type in ("Polygon", "MultiPolygon") and f.name not in seen:
                out.append((feat["properties"]["zone_id"], f.name))
                seen.add(f.name)
                break
        if len(out) == 2:
            return out
    raise AssertionError("the shipped layers have fewer than two polygon zone files")


# ------------------------------------------------------------------ kill -9 at every step

CHILD = r"""
import json, sys, time
sys.path.insert(0, {root!r})
import geopandas as gpd
from shapely.geometry import shape
from geo.io import store as S
point, d, lay, layer, changes = sys.argv[1:6]

def hang():
    sys.stdout.write("ready\n"); sys.stdout.flush(); time.sleep(120)

def after(fn, nth=1):
    calls = [0]
    def wrapped(*a, **k):
        out = fn(*a, **k)
        calls[0] += 1
        if calls[0] == nth:
            hang()
        return out
    return wrapped

if point == "staged":
    S._write_new = after(S._write_new)
elif point == "journal":
    S._write_journal = after(S._write_journal)
elif point == "torn_history":
    write = S._write_bytes
    def torn(fd, data, path):
        if path.name == "history.jsonl":
            write(fd, data[: len(data) // 2], path); hang()
        write(fd, data, path)
    S._write_bytes = torn
elif point == "history":
    S._append_history = after(S._append_history)
elif point == "between_renames":
    S._install = after(S._install, 1)
elif point == "renamed":
    remove = S._remove_journal
    def late(path):
        hang(); remove(path)
    S._remove_journal = late
fs = S.FileStore(d, lay)
rows = json.loads(changes)
g = gpd.GeoDataFrame({{"target_id": [r[0] for r in rows]}}, geometry=[shape(r[1]) for r in rows], crs=4326)
fs.save(g, layer, "killed", "surveyed", None, note="kill test")
print("done")
"""


def kill_during_save(d: Path, lay: Path, point: str, layer: str, changes: gpd.GeoDataFrame) -> None:
    """Run a save in a child process, stop it at `point` and kill -9 it there."""
    rows = [[t, mapping(g)] for t, g in zip(changes.target_id, changes.geometry, strict=True)]
    child = subprocess.Popen([sys.executable, "-c", CHILD.format(root=str(ROOT)), point, str(d), str(lay), layer,
                              json.dumps(rows)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        line = child.stdout.readline()
        assert line.strip() == "ready", (line, child.stderr.read() if child.poll() is not None else "")
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL


@pytest.mark.parametrize("point", ["staged", "journal", "torn_history", "history", "renamed"])
def test_kill_9_during_a_parcel_save_is_recovered(data_copy, point):
    d, lay = data_copy
    fs = FileStore(d, lay)
    before = data_files(d, lay)
    change = moved(fs)
    kill_during_save(d, lay, point, "parcels", change)
    done = fs.recover()
    assert len(done) == 1
    if point == "staged":  # killed before the journal: nothing had changed, the staged file is removed
        assert "interrupted before it began" in done[0] and "nothing was changed" in done[0]
        assert data_files(d, lay) == before
    else:  # the journal was complete: the save is finished, data and history agree
        assert "was finished: data and history agree" in done[0] and "parcels.geojson" in done[0]
        h = fs.history()
        assert list(h.who) == ["killed"] and h.note.iloc[0] == "kill test"
        stored = parcel(fs)
        assert stored.equals_exact(storable.snap(change.geometry.iloc[0]), 1e-9)
    assert "：" in i18n.message(done[0], "zh") and i18n.message(done[0], "zh") != done[0]
    assert_consistent(fs)
    # and the store works on: the next save and its undo
    [cid] = fs.save(moved(fs, d=0.0002), "parcels", "next", "digitised", fs.version("parcels"))
    fs.undo(cid, "next")
    assert_consistent(fs)


@pytest.mark.parametrize("point", ["journal", "between_renames", "renamed"])
def test_kill_9_during_a_save_of_two_zone_files_is_recovered(data_copy, point):
    d, lay = data_copy
    fs = FileStore(d, lay)
    (z1, f1), (z2, f2) = zone_pair(lay)
    zones = fs.load().zones.set_index("zone_id").geometry
    change = gpd.GeoDataFrame({"target_id": [z1, z2]}, geometry=[zones[z1].buffer(0.001, quad_segs=2),
                                                                 zones[z2].buffer(0.001, quad_segs=2)], crs=WGS84)
    kill_during_save(d, lay, point, "zones", change)
    [msg] = fs.recover()
    assert "was finished" in msg and f1 in msg and f2 in msg
    after = fs.load().zones.set_index("zone_id")
    for z, g in zip(change.target_id, change.geometry, strict=True):
        assert after.geometry[z].equals_exact(storable.snap(g), 1e-9) and after.geometry_source[z] == "surveyed"
    assert list(fs.history().target_id) == [z1, z2]
    assert_consistent(fs)


def test_a_journal_whose_staged_file_is_lost_is_rolled_back(data_copy, monkeypatch):
    """Killed after the journal and a torn history append; the staged file is then lost: nothing had been
    replaced, so the change is rolled back (history cut back to its bytes before) and said so."""
    d, lay = data_copy
    fs = FileStore(d, lay)
    fs.save(moved(fs, d=0.0002), "parcels", "first", "surveyed", None)
    before = data_files(d, lay)
    kill_during_save(d, lay, "torn_history", "parcels", moved(fs))
    for p in d.glob(".*.staged"):
        p.unlink()
    assert fs.history_problems()[-1].startswith("a change was interrupted")  # seen, not yet resolved
    assert list(fs.history().who) == ["first"]  # the pending record claims nothing
    [msg] = fs.recover()
    assert "was rolled back: nothing was changed" in msg
    assert data_files(d, lay) == before
    assert_consistent(fs)


def test_a_file_changed_outside_the_store_keeps_the_journal_and_refuses_changes(data_copy):
    d, lay = data_copy
    fs = FileStore(d, lay)
    (z1, _), (z2, f2) = zone_pair(lay)
    zones = fs.load().zones.set_index("zone_id").geometry
    change = gpd.GeoDataFrame({"target_id": [z1, z2]}, geometry=[zones[z1].buffer(0.001), zones[z2].buffer(0.001)],
                              crs=WGS84)
    kill_during_save(d, lay, "between_renames", "zones", change)
    for p in lay.glob(".*.staged"):
        p.unlink()  # the second file's new content is lost …
    (lay / f2).write_bytes((lay / f2).read_bytes() + b" ")  # … and its old content changed by hand
    [msg] = fs.recover()
    assert "cannot be finished" in msg and f2 in msg and "kept for an administrator" in msg
    assert fs.layout.journal.exists()
    with pytest.raises(StoreError, match="cannot be finished"):
        fs.save(moved(fs), "parcels", "t", "surveyed", None)


# ------------------------------------------------------------------ a full disk, an exception while writing

def _enospc_at(monkeypatch, name: str, partial: bool = True) -> None:
    """The first write to a file whose name contains `name` writes half its bytes, then the disk is full."""
    write = S._write_bytes

    def full(fd, data, path):
        if name in path.name:
            if partial:
                os.write(fd, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        write(fd, data, path)

    monkeypatch.setattr(S, "_write_bytes", full)


@pytest.mark.parametrize("where", [".staged", ".store.journal", "history.jsonl"])
def test_a_full_disk_at_any_write_changes_nothing(data_copy, monkeypatch, where):
    d, lay = data_copy
    fs = FileStore(d, lay)
    fs.save(moved(fs, d=0.0002), "parcels", "first", "surveyed", None)  # a history to append to
    change = moved(fs)
    before = data_files(d, lay)
    _enospc_at(monkeypatch, where)
    with pytest.raises(StoreError, match="No space left on device") as e:
        fs.save(change, "parcels", "t", "surveyed", fs.version("parcels"))
    assert "parcels.geojson" in str(e.value) and "nothing was changed" in str(e.value)
    assert i18n.message(str(e.value), "zh") == "parcels.geojson：无法写入" + (
        "新内容" if where == ".staged" else f" {where}") + "（磁盘空间不足）：未做任何修改"
    assert data_files(d, lay) == before
    monkeypatch.undo()
    assert_consistent(fs)


def test_an_exception_while_writing_the_history_changes_nothing(data_copy, monkeypatch):
    d, lay = data_copy
    fs = FileStore(d, lay)
    before = data_files(d, lay)
    write = S._write_bytes

    def boom(fd, data, path):
        if path.name == "history.jsonl":
            raise UnicodeEncodeError("utf-8", "\udcff", 0, 1, "surrogates not allowed")
        write(fd, data, path)

    monkeypatch.setattr(S, "_write_bytes", boom)
    with pytest.raises(StoreError, match="cannot write history.jsonl .*UnicodeEncodeError.*nothing was changed"):
        fs.save(moved(fs), "parcels", "t", "surveyed", None)
    assert data_files(d, lay) == before


def test_a_real_full_disk(data_copy, tmp_path, monkeypatch):
    """The data folder on a small tmpfs, filled so that only 0…N pages are free: every save either is refused
    with a message and changes nothing, or is stored whole. (Where no tmpfs can be mounted, the disk is full
    by injection at each write instead.)"""
    d0, lay = data_copy
    mnt = tmp_path / "small"
    mnt.mkdir()
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)],
                                 capture_output=True).returncode == 0
    except OSError:
        mounted = False
    if not mounted:
        for where in (".staged", ".store.journal", "history.jsonl"):
            test_a_full_disk_at_any_write_changes_nothing(data_copy, monkeypatch, where)
            monkeypatch.undo()
        return
    try:
        d = mnt / "data"
        shutil.copytree(d0, d)
        fs = FileStore(d, lay)
        refused = 0
        for free_pages in range(0, 12):
            filler = mnt / "filler.bin"
            _fill(filler, free_pages * 4096)
            before = data_files(d, lay)
            try:
                fs.save(moved(fs, d=0.0001 * (free_pages + 1)), "parcels", "t", "surveyed", fs.version("parcels"))
            except StoreError as e:
                refused += 1
                assert "No space left on device" in str(e) and "nothing was changed" in str(e)
                assert data_files(d, lay) == before
            filler.unlink()
            assert_consistent(fs)
        assert refused >= 2
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(filler: Path, leave: int) -> None:
    """Fill the disk, then free about `leave` bytes."""
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        chunk = b"\0" * 65536
        while True:
            try:
                os.write(fd, chunk)
            except OSError:
                break
        size = os.fstat(fd).st_size
        os.ftruncate(fd, max((size - leave) // 4096 * 4096, 0))
    finally:
        os.close(fd)


# ------------------------------------------------------------------ text that cannot be encoded

def test_lone_surrogates_in_a_note_or_name_are_stored_as_printable_text(data_copy):
    d, lay = data_copy
    fs = FileStore(d, lay)
    name = b"import \xff\xfe.geojson".decode("utf-8", "surrogateescape")
    [cid] = fs.save(moved(fs), "parcels", "\udcffwho", "surveyed", None, note=name)
    raw = (d / "history.jsonl").read_bytes()
    raw.decode("utf-8")  # valid UTF-8, strictly
    (d / "parcels.geojson").read_bytes().decode("utf-8")
    h = fs.history()
    assert h.note.iloc[-1] == "import \\xff\\xfe.geojson" and h.who.iloc[-1] == "\\xffwho"
    assert "\\xffwho" in fs.load().parcels.set_index("project_id").placement_note[TARGET]
    fs.undo(cid, "\udcfe")
    assert_consistent(fs)


def test_lone_surrogates_already_in_a_layer_file_survive_a_save(data_copy):
    """Text the store does not write itself is kept exactly: a lone surrogate as a JSON escape."""
    d, lay = data_copy
    fs = FileStore(d, lay)
    change = moved(fs)
    fc = json.loads((d / "parcels.geojson").read_text(encoding="utf-8"))
    other = next(f for f in fc["features"] if f["properties"]["project_id"] != TARGET)
    other["properties"]["placement_note"] = "odd \udcff"
    (d / "parcels.geojson").write_text(json.dumps(fc, ensure_ascii=True), encoding="utf-8")
    fs.save(change, "parcels", "t", "surveyed", None)
    after = json.loads((d / "parcels.geojson").read_bytes().decode("utf-8"))
    kept = next(f for f in after["features"] if f["properties"]["parcel_id"] == other["properties"]["parcel_id"])
    assert kept["properties"]["placement_note"] == "odd \udcff"


# ------------------------------------------------------------------ a damaged history

def test_a_truncated_last_line_does_not_swallow_the_next_record(data_copy):
    d, lay = data_copy
    fs = FileStore(d, lay)
    [first] = fs.save(moved(fs, d=0.0002), "parcels", "a", "surveyed", None)
    hist = d / "history.jsonl"
    good = hist.read_bytes()
    hist.write_bytes(good + good[: len(good) // 2].rstrip(b"\n"))  # a record cut off mid-line
    [second] = fs.save(moved(fs, d=0.0003), "parcels", "b", "surveyed", None)
    assert list(fs.history().change_id) == [first, second]
    assert fs.history_problems() == ["history.jsonl line 2 is cut off (a write was interrupted): skipped"]
    assert i18n.message(fs.history_problems()[0], "zh") == "history.jsonl 第 2 行被截断（写入中断）：已跳过"
    fs.undo(second, "b")
    fs.undo(first, "a")
    assert parcel(fs).equals(load_all(ROOT / "data", ROOT / "layers").parcels.set_index("project_id").geometry[TARGET])


@pytest.mark.parametrize("garbage,problem", [
    (b"{not json\n", "line 2 is not JSON"),
    (b"\xff\xfe\x00garbage\n", "line 2 is not UTF-8 text"),
    (b"[1, 2, 3]\n", "line 2 is a JSON list, not a change record"),
    (b'{"change_id": 5, "action": "delete"}\n', "line 2 is not a change record (missing or wrong change_id, action"),
    (b"[" * 100000 + b"\n", "line 2 is not JSON"),
])
def test_a_bad_history_line_is_skipped_and_reported(data_copy, garbage, problem):
    d, lay = data_copy
    fs = FileStore(d, lay)
    [first] = fs.save(moved(fs, d=0.0002), "parcels", "a", "surveyed", None)
    hist = d / "history.jsonl"
    hist.write_bytes(hist.read_bytes() + garbage)
    [second] = fs.save(moved(fs, d=0.0003), "parcels", "b", "surveyed", None)
    assert list(fs.history().change_id) == [first, second]
    [msg] = fs.history_problems()
    assert msg.startswith(f"history.jsonl {problem}") and msg.endswith(": skipped")
    zh = i18n.message(msg, "zh")
    assert zh.startswith("history.jsonl 第 2 行") and zh.endswith("：已跳过")
    fs.undo(second, "b")  # undo still works around the damage


def test_a_repeated_change_id_is_reported_once_and_kept_once(data_copy):
    d, lay = data_copy
    fs = FileStore(d, lay)
    fs.save(moved(fs), "parcels", "a", "surveyed", None)
    hist = d / "history.jsonl"
    hist.write_bytes(hist.read_bytes() * 2)
    assert len(fs.history()) == 1
    assert fs.history_problems()[0].startswith("history.jsonl line 2 repeats change")


# ------------------------------------------------------------------ undo confined to the store's files

def _forge(d: Path, rec: dict) -> None:
    with open(d / "history.jsonl", "ab") as f:
        f.write(json.dumps(rec).encode() + b"\n")


@pytest.mark.parametrize("layer,file", [
    ("zones", "../victim.json"), ("zones", "../data/parcels.geojson"), ("zones", "/tmp/victim.geojson"),
    ("zones", "manifest.json"), ("zones", ".hidden.geojson"), ("zones", "sub/towns.geojson"),
    ("zones", "..\\victim.geojson"), ("parcels", "../victim.json"), ("parcels", "projects.csv"),
    ("zones", "evil.geojson"),  # a symbolic link out of the layers folder
])
def test_undo_touches_only_the_stores_own_data_files(data_copy, tmp_path, layer, file):
    d, lay = data_copy
    victim = tmp_path / "victim.json"
    victim.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
                      '{"zone_id": "town_jinfeng", "project_id": "HTS-T4-01"}, "geometry": null}]}')
    (lay / "evil.geojson").symlink_to(victim)
    fs = FileStore(d, lay)
    prev = {"geometry": mapping(box(106.3, 29.5, 106.31, 29.51)), "properties": {"zone_id": "town_jinfeng"}}
    _forge(d, {"change_id": "forged000001", "when": "2026-01-01T00:00:00+08:00", "who": "x", "action": "save",
               "layer": layer, "target_id": "town_jinfeng" if layer == "zones" else TARGET, "file": file,
               "previous": prev, "undoes": None, "note": ""})
    before = data_files(d, lay) | {"victim": victim.read_bytes()}
    with pytest.raises(StoreError, match="forged000001 names the file .*which is not a file of the store: not undone"):
        fs.undo("forged000001", "x")
    assert data_files(d, lay) | {"victim": victim.read_bytes()} == before


def test_undo_refuses_a_previous_geometry_the_loader_would_reject(data_copy):
    d, lay = data_copy
    fs = FileStore(d, lay)
    prev = {"geometry": mapping(square(108.2, 29.5, 100)), "properties": {"zone_id": "town_jinfeng"}}
    _forge(d, {"change_id": "forged000002", "action": "save", "layer": "zones", "target_id": "town_jinfeng",
               "file": "towns.geojson", "previous": prev, "undoes": None})
    before = data_files(d, lay)
    with pytest.raises(StoreError, match="forged000002: its previous geometry lies outside Chongqing's study area"):
        fs.undo("forged000002", "x")
    assert data_files(d, lay) == before


# ------------------------------------------------------------------ versions

def test_a_stale_version_is_a_conflict_and_overwrites_nothing(data_copy):
    d, lay = data_copy
    fs = FileStore(d, lay)
    for layer in ("parcels", "zones"):
        reviewed = fs.version(layer)
        if layer == "parcels":
            fs.save(moved(fs, d=0.0002), "parcels", "other", "surveyed", reviewed)  # someone else, in between
            change = moved(fs)
        else:
            z = fs.load().zones.set_index("zone_id").geometry["town_jinfeng"]
            fs.save(gpd.GeoDataFrame({"target_id": ["town_jinfeng"]}, geometry=[z.buffer(0.001)], crs=WGS84),
                    "zones", "other", "surveyed", reviewed)
            change = gpd.GeoDataFrame({"target_id": ["town_jinfeng"]}, geometry=[z.buffer(0.002)], crs=WGS84)
        before = data_files(d, lay)
        with pytest.raises(ConflictError, match=f"changed by someone else .*you had {reviewed}"):
            fs.save(change, layer, "me", "surveyed", reviewed)
        assert data_files(d, lay) == before
    assert_consistent(fs)


# ------------------------------------------------------------------ the one storable rule

def test_a_million_vertex_parcel_is_refused_and_the_loader_reports_one(data_copy):
    d, lay = data_copy
    fs = FileStore(d, lay)
    c = parcel(fs).centroid
    t = np.linspace(0, 2 * np.pi, 999_999, endpoint=False)
    huge = Polygon(np.c_[c.x + 0.001 * np.cos(t), c.y + 0.001 * np.sin(t)])  # 1,000,000 with the closing vertex
    before = data_files(d, lay)
    with pytest.raises(StoreError, match=f"{TARGET}: has 1000000 vertices, more than the "
                                         f"{config.MAX_FEATURE_VERTICES} a stored feature may have"):
        fs.save(gpd.GeoDataFrame({"target_id": [TARGET]}, geometry=[huge], crs=WGS84), "parcels", "t", "surveyed",
                fs.version("parcels"))
    assert data_files(d, lay) == before
    big = Polygon(np.c_[c.x + 0.001 * np.cos(t[::40]), c.y + 0.001 * np.sin(t[::40])])  # 25,001: over the cap
    fc = json.loads((d / "parcels.geojson").read_text(encoding="utf-8"))  # written behind the store's back
    next(f for f in fc["features"] if f["properties"]["project_id"] == TARGET)["geometry"] = mapping(big)
    (d / "parcels.geojson").write_text(json.dumps(fc), encoding="utf-8")
    with pytest.raises(DataError, match=rf"P-{TARGET}.*has 25001 vertices, more than the"):
        load_all(d, lay)
    assert config.MAX_FEATURE_VERTICES >= 50 * _shipped_max_vertices()  # generous above the shipped data


def _shipped_max_vertices() -> int:
    import shapely
    out = 0
    for f in [ROOT / "data" / "parcels.geojson", *sorted((ROOT / "layers").glob("*.geojson"))]:
        for feat in json.loads(f.read_text(encoding="utf-8"))["features"]:
            if feat.get("geometry"):
                out = max(out, int(shapely.get_num_coordinates(shape(feat["geometry"]))))
    return out


@pytest.mark.parametrize("geom", [box(106.33, 29.5, 106.33 + 3e-8, 29.51),
                                  Polygon([(106.33, 29.5), (106.33 + 3e-8, 29.5 + 3e-8), (106.33 + 3e-8, 29.5),
                                           (106.33, 29.5 + 3e-8)])],
                         ids=["sliver", "tiny_bow_tie"])
def test_a_sliver_that_collapses_on_the_grid_is_a_message(data_copy, geom):
    d, lay = data_copy
    fs = FileStore(d, lay)
    before = data_files(d, lay)
    with pytest.raises(StoreError) as e:
        fs.save(gpd.GeoDataFrame({"target_id": [TARGET]}, geometry=[geom], crs=WGS84), "parcels", "t", "surveyed",
                fs.version("parcels"))
    assert str(e.value) == f"{TARGET}: as stored (on a 1e-07° grid) it has no geometry"
    assert i18n.message(str(e.value), "zh") == f"{TARGET}：按存储精度（1e-07° 网格）没有几何图形"
    assert data_files(d, lay) == before
    b = importer.storable_boundary(geom, "parcels")
    assert b.blocking and b.geometry is None and b.problems  # the importer's check: a message, not a traceback


def test_non_finite_coordinates_are_a_message(data_copy):
    d, lay = data_copy
    fs = FileStore(d, lay)
    before = data_files(d, lay)
    bad = Polygon([(106.33, 29.5), (float("nan"), 29.5), (106.34, 29.51)])
    with pytest.raises(StoreError, match=f"{TARGET}: has coordinates that are not finite numbers"):
        fs.save(gpd.GeoDataFrame({"target_id": [TARGET]}, geometry=[bad], crs=WGS84), "parcels", "t", "surveyed", None)
    assert data_files(d, lay) == before


def test_108_2E_is_refused_by_the_rule_the_loader_applies(data_copy):
    """Store, loader and importer speak the same sentence about a boundary at 108.2°E: it is one rule."""
    d, lay = data_copy
    fs = FileStore(d, lay)
    east = square(108.2, 29.5, 100)
    [rule] = storable.problems(storable.snap(east))
    assert rule.startswith("lies outside Chongqing's study area")
    before = data_files(d, lay)
    for layer, target in (("parcels", TARGET), ("zones", "town_jinfeng")):
        with pytest.raises(StoreError) as e:
            fs.save(gpd.GeoDataFrame({"target_id": [target]}, geometry=[east], crs=WGS84), layer, "t", "surveyed",
                    fs.version(layer))
        assert str(e.value) == f"{target}: {rule}"
    assert data_files(d, lay) == before
    assert importer.storable_boundary(east, "parcels").problems == [f"as stored: {rule}"]
    fc = json.loads((d / "parcels.geojson").read_text(encoding="utf-8"))
    next(f for f in fc["features"] if f["properties"]["project_id"] == TARGET)["geometry"] = mapping(
        storable.snap(east))
    (d / "parcels.geojson").write_text(json.dumps(fc), encoding="utf-8")
    issues = [i for i in load_all(d, lay, strict=False).issues if i.level == "error"]
    assert [i.problem for i in issues] == [rule]


def test_recovery_on_a_full_disk_keeps_the_journal_and_finishes_later(data_copy, monkeypatch):
    d, lay = data_copy
    fs = FileStore(d, lay)
    change = moved(fs)
    kill_during_save(d, lay, "journal", "parcels", change)  # the history is not written yet
    before = data_files(d, lay)
    _enospc_at(monkeypatch, "history.jsonl")
    [msg] = fs.recover()
    assert msg.startswith("an interrupted change cannot be finished now (No space left on device)")
    assert i18n.message(msg, "zh").startswith("一次中断的修改暂时无法完成（磁盘空间不足）")
    assert data_files(d, lay) == before and fs.layout.journal.exists()
    with pytest.raises(StoreError, match="cannot be finished now"):  # no change while it is unresolved
        fs.save(moved(fs, d=0.0002), "parcels", "t", "surveyed", None)
    monkeypatch.undo()
    [msg] = fs.recover()
    assert "was finished" in msg
    assert parcel(fs).equals_exact(storable.snap(change.geometry.iloc[0]), 1e-9)
    assert_consistent(fs)


RACER = r"""
import sys
sys.path.insert(0, {root!r})
import geopandas as gpd
from geo.io.store import ConflictError, FileStore
d, lay, based, grow = sys.argv[1:5]
fs = FileStore(d, lay)
g = fs.load().parcels.set_index("project_id").geometry["HTS-T4-01"].buffer(float(grow), quad_segs=2)
try:
    fs.save(gpd.GeoDataFrame({{"target_id": ["HTS-T4-01"]}}, geometry=[g], crs=4326), "parcels", grow, "surveyed", based)
    print("stored")
except ConflictError:
    print("conflict")
"""


def test_two_processes_saving_on_the_same_review_one_wins_one_is_told(data_copy):
    d, lay = data_copy
    fs = FileStore(d, lay)
    based = fs.version("parcels")
    racers = [subprocess.Popen([sys.executable, "-c", RACER.format(root=str(ROOT)), str(d), str(lay), based, grow],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
              for grow in ("0.0002", "0.0003", "0.0004")]
    outcomes = sorted(r.communicate(timeout=120)[0].strip() for r in racers)
    assert outcomes == ["conflict", "conflict", "stored"], outcomes
    assert len(fs.history()) == 1
    assert_consistent(fs)

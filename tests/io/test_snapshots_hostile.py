"""The snapshot history over a hostile folder (geo.io.snapshots): every unusable sidecar is a Problem naming it,
nothing it names is listed or served, a download re-checks the file as it reads it, and comparing snapshots of
an odd shape is a message. (The sidecar and archive checks themselves: tests/io/test_snapshot_readback.py.)
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from geo import i18n
from geo.core.filter import Filter
from geo.io import export, snapshots
from geo.io.export.base import ExportError


@pytest.fixture(scope="module")
def real(data, tmp_path_factory):
    return export.export(data, Filter(sectors=["检验检测"]), "geojson", tmp_path_factory.mktemp("real"))


@pytest.fixture()
def folder(real, tmp_path):
    d = tmp_path / "snapshots"
    d.mkdir()
    shutil.copy(real.path, d / real.path.name)
    shutil.copy(real.metadata_path, d / real.metadata_path.name)
    return d


def _side(folder: Path, real, own: str, **change) -> str:
    meta = json.loads(real.metadata_path.read_text(encoding="utf-8")) | {"file": own} | change
    (folder / (own + ".metadata.json")).write_text(json.dumps(meta), encoding="utf-8")
    return own + ".metadata.json"


def test_every_unusable_sidecar_is_a_problem_and_the_rest_is_listed(folder, real, tmp_path):
    (tmp_path / "secret").write_text("top secret", encoding="utf-8")
    (folder / "link.geojson.zip").symlink_to(tmp_path / "secret")
    (folder / "dir.geojson.zip").mkdir()
    names = [_side(folder, real, "a.geojson.zip", file="../secret"),
             _side(folder, real, "b.geojson.zip", file="/etc/hostname"),
             _side(folder, real, "link.geojson.zip"),
             _side(folder, real, "dir.geojson.zip"),
             _side(folder, real, "gone.geojson.zip"),
             _side(folder, real, "odd.geojson.zip", counts=[1, 2])]
    (folder / "nested.metadata.json").write_bytes(b"[" * 200_000)
    (folder / "folder.metadata.json").mkdir()  # a directory that looks like a sidecar
    names += ["nested.metadata.json", "folder.metadata.json"]
    table, problems = snapshots.scan_snapshots(folder)
    assert table.file.tolist() == [real.path.name]
    assert sorted(p.sidecar for p in problems) == sorted(names)
    for p in problems:
        assert p.why and "Traceback" not in p.why and str(p).startswith(p.sidecar + ": ")
        assert i18n.message(p.why, "zh") != p.why, p.why  # each problem reads in Chinese too
    assert snapshots.list_snapshots(folder).file.tolist() == [real.path.name]


def test_a_folder_of_many_sidecars_reads_the_newest_and_counts_the_rest(folder, real, monkeypatch):
    import os

    from geo import config
    monkeypatch.setattr(config, "SNAPSHOT_LIST_MAX", 5)
    for k in range(12):
        (folder / f"junk{k}.metadata.json").write_text("[]", encoding="utf-8")
        os.utime(folder / f"junk{k}.metadata.json", (1, 1))  # older than the real snapshot
    table, problems = snapshots.scan_snapshots(folder)
    assert table.file.tolist() == [real.path.name]  # the newest sidecar is read first
    assert len(problems) == 5 and problems[0].sidecar == "8 × *.metadata.json"
    assert i18n.message(problems[0].why, "zh").startswith("未读取")


def test_a_missing_folder_lists_nothing(tmp_path):
    table, problems = snapshots.scan_snapshots(tmp_path / "nope")
    assert len(table) == 0 and problems == []


def test_a_download_reads_a_listed_snapshot_and_nothing_else(folder, real, tmp_path):
    assert snapshots.snapshot_bytes(real.path.name, folder) == real.path.read_bytes()
    for name in ("../secret", "/etc/hostname", "", "..", "a/b"):
        with pytest.raises(ExportError):
            snapshots.snapshot_bytes(name, folder)
    # listed, then swapped for a link to a secret before the download: refused as it is read
    (tmp_path / "secret").write_text("top secret", encoding="utf-8")
    (folder / real.path.name).unlink()
    (folder / real.path.name).symlink_to(tmp_path / "secret")
    with pytest.raises(ExportError, match=real.path.name):
        snapshots.snapshot_bytes(real.path.name, folder)


def test_a_download_without_its_sidecar_is_refused(folder, real):
    (folder / real.metadata_path.name).unlink()
    with pytest.raises(ExportError):
        snapshots.snapshot_bytes(real.path.name, folder)


def test_comparing_an_odd_snapshot_is_a_message(folder, real, data, tmp_path):
    other = export.export(data, Filter(sectors=["检验检测"]), "geojson", tmp_path / "b")
    with zipfile.ZipFile(other.path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    fc = json.loads(members["projects.geojson"])
    for f in fc["features"]:
        f["properties"].pop("project_id")
    members["projects.geojson"] = json.dumps(fc)
    with zipfile.ZipFile(other.path, "w") as zf:
        for n, c in members.items():
            zf.writestr(n, c)
    with pytest.raises(ExportError, match="the projects layer cannot be compared") as e:
        snapshots.compare(real.path, other.path)
    assert i18n.message(str(e.value), "zh").startswith(other.path.name)


def test_comparing_a_file_no_reader_can_read_is_a_message(folder, real):
    broken = folder / "broken.geojson.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    _side(folder, real, broken.name)
    with pytest.raises(ExportError, match="broken.geojson.zip"):
        snapshots.compare(real.path, broken)

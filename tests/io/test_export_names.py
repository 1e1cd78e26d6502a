"""Exports that cannot be written as asked say so: a filter long enough to overflow a file name is cut to 255
bytes (sidecar included) at a character boundary with a hash, and a target in the way or an unwritable folder
is an ExportError naming the path — never an OSError traceback, never a half-written snapshot."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from geo import config
from geo.core.filter import Filter
from geo.io import export, snapshots
from geo.io.export import common
from geo.io.export.readback import SIDECAR

LONG = "一个非常非常长的规划片区名称用于测试"  # 18 characters, 54 bytes


def _longest_suffix() -> int:
    return max(len(f.suffix.encode()) for f in export.registered())


def test_fit_name_cuts_at_a_character_and_keeps_names_apart():
    a, b = LONG * 20 + "甲", LONG * 20 + "乙"
    fa, fb = common.fit_name(a, 100), common.fit_name(b, 100)
    assert len(fa.encode()) <= 100 and len(fb.encode()) <= 100 and fa != fb
    assert fa.encode().decode("utf-8") == fa and "\ufffd" not in fa  # whole characters only
    assert fa.startswith(LONG[:10]) and "~" in fa
    assert common.fit_name("short", 100) == "short"


@pytest.mark.parametrize("summary", [LONG * 10, "x" * 400, "a/b\\c:d*?\"<>|\x00e", "../../etc/passwd", "。" * 200])
def test_the_stem_leaves_room_for_suffix_and_sidecar(summary):
    meta = {"created": "2026-12-03T11:00:00+08:00", "crs": "EPSG:4544", "filter_summary": summary}
    stem = common.file_stem(meta)
    assert len(stem.encode()) <= common.stem_max_bytes()
    assert len((stem + ".geojson.zip" + SIDECAR).encode()) <= config.FILE_NAME_MAX_BYTES
    assert len(stem.encode()) + _longest_suffix() + len(SIDECAR) <= config.FILE_NAME_MAX_BYTES
    assert "/" not in stem and "\\" not in stem and "\x00" not in stem
    assert stem.startswith("scimap_20261203T110000_") and stem.endswith("_epsg4544")


def _long_filter(tail: str = "") -> Filter:
    """A filter whose summary is as long as summaries get (80 Chinese characters, 240 bytes). Its zones do not
    exist, so the tests below select the sector's projects instead (``apply_filter`` patched): the file name is
    made from this filter, the content from a real selection."""
    return Filter(sectors=["检验检测"], zones=[LONG + str(k) + tail for k in range(12)])


@pytest.mark.parametrize("fmt", ["geojson", "shp", "gpkg", "csv"])
def test_a_very_long_filter_still_exports(data, tmp_path, fmt, monkeypatch):
    monkeypatch.setattr(export, "apply_filter", lambda d, f: _sel(d))
    snap = export.export(data, _long_filter(), fmt, tmp_path)
    assert len(snap.path.name.encode()) <= 255 and len(snap.metadata_path.name.encode()) <= 255
    assert snap.path.is_file() and snap.metadata_path.is_file()
    assert snapshots.list_snapshots(tmp_path).file.tolist() == [snap.path.name]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary folder left


def _sel(d):
    from geo.core.filter import apply_filter
    return apply_filter(d, Filter(sectors=["检验检测"]))


def test_two_long_filters_that_differ_at_the_end_get_two_names(data, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "apply_filter", lambda d, f: _sel(d))
    when = dt.datetime(2026, 12, 3, 11, 0, tzinfo=dt.UTC)
    a = export.export(data, _long_filter("甲"), "geojson", tmp_path, when=when)
    b = export.export(data, _long_filter("乙"), "geojson", tmp_path, when=when)
    assert a.path != b.path and len(snapshots.list_snapshots(tmp_path)) == 2


def test_a_folder_where_the_file_goes_is_a_message(data, tmp_path):
    when = dt.datetime(2026, 12, 3, 11, 0, tzinfo=dt.UTC)
    first = export.export(data, Filter(sectors=["检验检测"]), "csv", tmp_path / "probe", when=when)
    target = tmp_path / first.path.name
    target.mkdir()
    with pytest.raises(export.ExportError, match=r"cannot write .*: a folder or another non-file is in the way") as e:
        export.export(data, Filter(sectors=["检验检测"]), "csv", tmp_path, when=when)
    assert str(target) in str(e.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["probe", first.path.name])  # nothing else left
    assert target.is_dir() and not any(target.iterdir())


def test_a_folder_where_the_sidecar_goes_leaves_no_snapshot_behind(data, tmp_path):
    when = dt.datetime(2026, 12, 3, 11, 0, tzinfo=dt.UTC)
    first = export.export(data, Filter(sectors=["检验检测"]), "csv", tmp_path / "probe", when=when)
    (tmp_path / first.metadata_path.name).mkdir()
    with pytest.raises(export.ExportError, match="in the way"):
        export.export(data, Filter(sectors=["检验检测"]), "csv", tmp_path, when=when)
    assert not (tmp_path / first.path.name).exists()


def test_an_output_path_that_is_a_file_is_a_message(data, tmp_path):
    f = tmp_path / "a-file"
    f.write_text("x")
    with pytest.raises(export.ExportError, match="cannot create the output folder"):
        export.export(data, Filter(sectors=["检验检测"]), "geojson", f)


def _read_only_folder(path, monkeypatch):
    """A folder nobody may write: a read-only tmpfs when we may mount one (root ignores mode bits), else mode 500
    for a user, else (root without mount) the kernel's answer injected."""
    path.mkdir()
    if os.geteuid() != 0:
        path.chmod(0o500)
        return lambda: path.chmod(0o700)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(path)], capture_output=True).returncode == 0:
        return lambda: subprocess.run(["umount", str(path)], check=False)
    monkeypatch.setattr(os, "access", lambda p, mode, *a, **k: False if Path(p) == path else True)
    return lambda: None


def test_a_read_only_folder_is_a_message(data, tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    undo = _read_only_folder(ro, monkeypatch)
    try:
        with pytest.raises(export.ExportError, match="not writable"):
            export.export(data, Filter(sectors=["检验检测"]), "geojson", ro)
        assert list(ro.iterdir()) == []
    finally:
        undo()


def test_the_messages_read_in_chinese():
    from geo import i18n
    assert i18n.message("cannot write /x/y.zip: a folder or another non-file is in the way", "zh").startswith("无法写入")

"""Exports end in a file or a message: names within 255 bytes however long the filter, and targets that
cannot be written (a folder in the way, a file where the folder should be, a folder that cannot be made)
are ExportErrors naming the path — never an OSError traceback, never a half-written snapshot.
"""

import datetime as dt

import pytest

from geo import config
from geo.core.filter import Filter
from geo.io import export, snapshots
from geo.io.export.base import ExportError
from geo.io.export.common import fit_name

WHEN = dt.datetime(2026, 11, 22, 0, 15, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _sectors(data) -> list[str]:
    return sorted({s for v in data.projects.sector_zh.dropna() for s in str(v).split(";") if s})


def _left_over(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".scimap-export-"))


@pytest.mark.parametrize("fmt", ["geojson", "csv", "shp", "xlsx"])
def test_a_long_chinese_filter_makes_a_name_within_255_bytes(data, tmp_path, fmt):
    names = _sectors(data)
    a = export.export(data, Filter(sectors=names), fmt, tmp_path, when=WHEN)
    b = export.export(data, Filter(sectors=names[1:]), fmt, tmp_path, when=WHEN)
    for snap in (a, b):
        for f in (snap.path, snap.metadata_path):
            raw = f.name.encode("utf-8")
            assert len(raw) <= config.FILE_NAME_MAX_BYTES, f.name
            assert raw.decode("utf-8") == f.name  # cut at a character boundary
        assert snap.path.is_file() and snap.metadata_path.is_file()
    assert a.path.name != b.path.name  # the hash keeps two long filters apart
    assert set(snapshots.list_snapshots(tmp_path).file) == {a.path.name, b.path.name}
    assert _left_over(tmp_path) == []


@pytest.mark.parametrize("limit", [9, 10, 20, 64, 255])
def test_fit_name_cuts_at_a_character_boundary(limit):
    name = "西部科学城金凤实验室" * 30 + "x"
    out = fit_name(name, limit)
    assert len(out.encode("utf-8")) <= limit and out.encode("utf-8").decode("utf-8") == out
    assert fit_name("short", limit) == "short"
    assert fit_name(name, limit) != fit_name(name[:-1] + "y", limit)


def test_a_folder_in_the_way_of_the_file_is_a_message(data, tmp_path):
    first = export.export(data, Filter(sectors=["检验检测"]), "geojson", tmp_path, when=WHEN)
    name = first.path.name
    first.path.unlink()
    first.metadata_path.unlink()
    (tmp_path / name).mkdir()
    with pytest.raises(ExportError) as e:
        export.export(data, Filter(sectors=["检验检测"]), "geojson", tmp_path, when=WHEN)
    assert name in str(e.value)
    assert not (tmp_path / (name + ".metadata.json")).exists()  # no sidecar without its file
    assert (tmp_path / name).is_dir() and _left_over(tmp_path) == []


def test_a_folder_in_the_way_of_the_sidecar_is_a_message(data, tmp_path):
    first = export.export(data, Filter(sectors=["检验检测"]), "csv", tmp_path, when=WHEN)
    name, side = first.path.name, first.metadata_path.name
    first.path.unlink()
    first.metadata_path.unlink()
    (tmp_path / side).mkdir()
    with pytest.raises(ExportError) as e:
        export.export(data, Filter(sectors=["检验检测"]), "csv", tmp_path, when=WHEN)
    assert side in str(e.value)
    assert not (tmp_path / name).exists()  # no snapshot without its sidecar
    assert _left_over(tmp_path) == []


def test_a_file_where_the_folder_should_be_is_a_message(data, tmp_path):
    blocked = tmp_path / "snapshots"
    blocked.write_text("not a folder", encoding="utf-8")
    with pytest.raises(ExportError) as e:
        export.export(data, Filter(sectors=["检验检测"]), "gpkg", blocked)
    assert str(blocked) in str(e.value)
    with pytest.raises(ExportError) as e:
        export.export(data, Filter(sectors=["检验检测"]), "gpkg", blocked / "inner")
    assert "inner" in str(e.value)


def test_a_folder_that_cannot_be_made_is_a_message(data):
    with pytest.raises(ExportError) as e:  # /proc refuses new folders, even to root
        export.export(data, Filter(sectors=["检验检测"]), "geojson", "/proc/scimap-snapshots")
    assert "/proc/scimap-snapshots" in str(e.value)

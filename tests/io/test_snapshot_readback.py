"""Snapshots are read back within bounds: hostile sidecars are problems naming themselves, never files served.

Each case is a copy of a real snapshot folder with one crafted sidecar or file: traversal, an absolute
path, a symbolic link out of the folder, malformed metadata of every shape, a huge sidecar, a zip bomb.
"""

import json
import os
import zipfile
from pathlib import Path

import pytest

from geo import config, i18n
from geo.core.filter import Filter
from geo.io import export, snapshots
from geo.io.export import readback
from geo.io.export.base import ExportError


@pytest.fixture(scope="module")
def snapdir(data, tmp_path_factory):
    """A folder with two real snapshots (GeoJSON and CSV) of the same selection."""
    d = tmp_path_factory.mktemp("snaps")
    a = export.export(data, Filter(sectors=["检验检测"]), "geojson", d)
    b = export.export(data, Filter(sectors=["检验检测"]), "csv", d)
    return d, a, b


def _copy(snapdir, tmp_path) -> Path:
    d, _a, _b = snapdir
    out = tmp_path / "snapshots"
    out.mkdir()
    for f in d.iterdir():
        (out / f.name).write_bytes(f.read_bytes())
    return out


def _sidecar(folder: Path, own: str, **change) -> Path:
    """A sidecar copied from a real one, named for ``own`` (its file unless changed), with ``change`` applied
    (None deletes a key)."""
    real = json.loads(next(folder.glob("scimap_*.geojson.zip.metadata.json")).read_text(encoding="utf-8"))
    real["file"] = own
    for k, v in change.items():
        if v is None:
            real.pop(k, None)
        else:
            real[k] = v
    side = folder / (own + readback.SIDECAR)
    side.write_text(json.dumps(real), encoding="utf-8")
    return side


def test_real_snapshots_are_listed_read_and_served(snapdir, tmp_path):
    folder = _copy(snapdir, tmp_path)
    table = snapshots.list_snapshots(folder)
    assert len(table) == 2
    for side in folder.glob("*" + readback.SIDECAR):
        path, meta = readback.snapshot_file(side)
        assert path.parent == folder and meta["file"] == path.name
        assert readback.read_bytes(path) == path.read_bytes()
        readback.check_archive(path)


@pytest.mark.parametrize("target", ["../../secret", "/etc/hostname", "..", "sub/x.zip", "a\\b.zip", "x\x00.zip"])
def test_a_sidecar_naming_a_file_elsewhere_is_refused(snapdir, tmp_path, target):
    folder = _copy(snapdir, tmp_path)
    (tmp_path / "secret").write_text("top secret", encoding="utf-8")
    side = _sidecar(folder, "evil.geojson.zip", file=target)
    with pytest.raises(ExportError) as e:
        readback.snapshot_file(side)
    assert str(e.value).startswith("evil.geojson.zip.metadata.json: ")
    with pytest.raises(ExportError):
        readback.confined(folder, target)
    listed = snapshots.list_snapshots(folder)
    assert len(listed) == 2 and "secret" not in " ".join(listed.path) and "/etc/hostname" not in list(listed.path)


def test_a_symlink_out_of_the_folder_is_not_served(snapdir, tmp_path):
    folder = _copy(snapdir, tmp_path)
    secret = tmp_path / "secret.geojson.zip"
    secret.write_text("top secret", encoding="utf-8")
    (folder / "link.geojson.zip").symlink_to(secret)
    side = _sidecar(folder, "link.geojson.zip", file="link.geojson.zip")
    with pytest.raises(ExportError, match="symbolic link"):
        readback.snapshot_file(side)
    (folder / "linked.metadata.json").symlink_to(side)
    with pytest.raises(ExportError, match="symbolic link"):
        readback.read_metadata(folder / "linked.metadata.json")
    assert "link.geojson.zip" not in set(snapshots.list_snapshots(folder).file)


def test_a_directory_in_place_of_the_file_is_refused(snapdir, tmp_path):
    folder = _copy(snapdir, tmp_path)
    (folder / "dir.geojson.zip").mkdir()
    side = _sidecar(folder, "dir.geojson.zip", file="dir.geojson.zip")
    with pytest.raises(ExportError, match="not a regular file"):
        readback.snapshot_file(side)


MALFORMED = {
    "not json": b"{not json",
    "not utf-8": b"\xff\xfe{}",
    "a list": b"[1, 2, 3]",
    "a text": b'"scimap"',
    "null": b"null",
    "deep": b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_sidecars_are_problems_not_crashes(snapdir, tmp_path, case):
    folder = _copy(snapdir, tmp_path)
    side = folder / "bad.geojson.zip.metadata.json"
    side.write_bytes(MALFORMED[case])
    with pytest.raises(ExportError) as e:
        readback.read_metadata(side)
    assert "Traceback" not in str(e.value)
    assert len(snapshots.list_snapshots(folder)) == 2


@pytest.mark.parametrize("change", [
    {"file": None}, {"created": None}, {"counts": None}, {"file": 3}, {"created": "yesterday"}, {"crs": "EPSG:9999"},
    {"format": ["geojson"]}, {"counts": "many"}, {"counts": {"parcels": -1, "zones": 0, "projects": 0}},
    {"counts": {"parcels": True, "zones": 0, "projects": 0}}, {"totals": {"land_mu": "lots", "output_target_yi": 1}},
    {"totals": []}, {"file": "other.geojson.zip"},
])
def test_sidecars_of_the_wrong_shape_are_problems(snapdir, tmp_path, change):
    folder = _copy(snapdir, tmp_path)
    side = _sidecar(folder, "odd.geojson.zip", **change)
    (folder / "odd.geojson.zip").write_bytes(next(folder.glob("*.geojson.zip")).read_bytes())
    with pytest.raises(ExportError) as e:
        readback.read_metadata(side)
    # the message reads in Chinese too (its template is known to geo.i18n)
    assert i18n.message(str(e.value), "zh") != str(e.value), str(e.value)
    assert "odd.geojson.zip" not in set(snapshots.list_snapshots(folder).file)


def test_a_huge_sidecar_is_not_read(snapdir, tmp_path, monkeypatch):
    folder = _copy(snapdir, tmp_path)
    monkeypatch.setattr(config, "SNAPSHOT_METADATA_MAX_BYTES", 1000)
    side = _sidecar(folder, "big.geojson.zip", notes="x" * 5000)
    with pytest.raises(ExportError, match="larger than"):
        readback.read_metadata(side)


def _bomb(path: Path, members: int = 1, size: int = 50 * 2**20) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for k in range(members):
            name = "parcels.geojson" if k == 0 else f"m{k}.txt"
            with zf.open(name, "w", force_zip64=True) as fh:
                block = b"\0" * 2**20
                for _ in range(size // 2**20):
                    fh.write(block)


def test_a_zip_bomb_is_stopped_while_unpacking(snapdir, tmp_path, monkeypatch):
    folder = _copy(snapdir, tmp_path)
    bomb = folder / "bomb.geojson.zip"
    _bomb(bomb)
    assert bomb.stat().st_size < 2**20  # 50 MB of zeros in well under a megabyte
    _sidecar(folder, "bomb.geojson.zip", file="bomb.geojson.zip")
    monkeypatch.setattr(config, "SNAPSHOT_ZIP_MAX_MEMBER_BYTES", 8 * 2**20)
    with pytest.raises(ExportError, match="unpacks to more than 8 MB"):
        readback.check_archive(bomb)
    with pytest.raises(ExportError, match="bomb.geojson.zip"):
        export.read_snapshot(bomb)
    real = next(p for p in folder.glob("scimap_*.geojson.zip"))
    with pytest.raises(ExportError):
        snapshots.compare(real, bomb)


def test_a_lying_zip_header_does_not_get_past_the_count(tmp_path, monkeypatch):
    # the headers say 1 KB; the data unpacks to 4 MB: what is unpacked is bounded by what was checked
    p = tmp_path / "liar.zip"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("parcels.geojson", b"\0" * (4 * 2**20))
    raw = bytearray(p.read_bytes())
    local, central = raw.find(b"PK\x03\x04"), raw.find(b"PK\x01\x02")
    raw[local + 22:local + 26] = (1024).to_bytes(4, "little")
    raw[central + 24:central + 28] = (1024).to_bytes(4, "little")
    p.write_bytes(bytes(raw))
    with zipfile.ZipFile(p) as zf:
        assert zf.infolist()[0].file_size == 1024
    monkeypatch.setattr(config, "SNAPSHOT_ZIP_MAX_MEMBER_BYTES", 2**20)
    with pytest.raises(ExportError, match="not a readable zip archive"):
        readback.check_archive(p)


def test_too_many_members_and_too_much_in_all(tmp_path, monkeypatch):
    p = tmp_path / "many.zip"
    _bomb(p, members=5, size=2 * 2**20)
    monkeypatch.setattr(config, "SNAPSHOT_ZIP_MAX_MEMBERS", 3)
    with pytest.raises(ExportError, match="holds 5 members"):
        readback.check_archive(p)
    monkeypatch.setattr(config, "SNAPSHOT_ZIP_MAX_MEMBERS", 200)
    monkeypatch.setattr(config, "SNAPSHOT_ZIP_MAX_TOTAL_BYTES", 5 * 2**20)
    with pytest.raises(ExportError, match="unpacks to more than 5 MB"):
        readback.check_archive(p)
    (tmp_path / "not.zip").write_bytes(b"PK\x03\x04 broken")
    readback.check_archive(tmp_path / "not.zip")  # not a zip at all: left to its reader


def test_a_file_too_large_is_not_read_whole(snapdir, tmp_path, monkeypatch):
    folder = _copy(snapdir, tmp_path)
    real = next(p for p in folder.glob("scimap_*.csv.zip"))
    monkeypatch.setattr(config, "SNAPSHOT_MAX_BYTES", 100)
    with pytest.raises(ExportError, match="limit for reading snapshots back"):
        readback.read_bytes(real)
    with pytest.raises(ExportError, match="limit for reading snapshots back"):
        readback.check_size(real)


def test_an_unreadable_sidecar_is_a_problem(snapdir, tmp_path, monkeypatch):
    folder = _copy(snapdir, tmp_path)
    side = _sidecar(folder, "locked.geojson.zip")
    side.chmod(0)
    if os.geteuid() == 0:  # root reads every file: the kernel's answer to anyone else, injected
        real_open = open

        def denied(file, *args, **kwargs):
            if Path(file) == side:
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)
        monkeypatch.setattr(readback, "open", denied, raising=False)
    with pytest.raises(ExportError, match="cannot be read"):
        readback.read_metadata(side)


def test_read_snapshot_refuses_a_file_over_the_size_limit(snapdir, tmp_path, monkeypatch):
    folder = _copy(snapdir, tmp_path)
    real = next(p for p in folder.glob("scimap_*.geojson.zip"))
    assert set(export.read_snapshot(real)) == {"parcels", "zones", "projects"}
    monkeypatch.setattr(config, "SNAPSHOT_MAX_BYTES", 100)
    with pytest.raises(ExportError, match="limit for reading snapshots back"):
        export.read_snapshot(real)

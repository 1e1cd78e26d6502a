"""The export tab over a hostile snapshot folder (Streamlit AppTest): crafted sidecars are warnings naming
them, shown as text; nothing they name is listed or offered; a zip bomb compared is a message; an export
that cannot be written is a message naming the path as text.
"""

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import config
from geo.core.filter import Filter
from geo.io import export
from geo.render import markup

APP = str(Path(__file__).resolve().parents[2] / "app.py")
MD = "![x](x.png) [sign in again](javascript:evil) :red[x] $x$ **b**"
"""Markdown that Streamlit would draw as an image, a link, colour, maths and bold (no "/": it is a file name)."""


def _run(folder: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("SCIMAP_SNAPSHOT_DIR", str(folder))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["base"] = "none"
    at.query_params["sector"] = "检验检测"
    at.run()
    at.session_state["tab_goto"] = "tab_export"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.fixture(scope="module")
def real(data, tmp_path_factory):
    d = tmp_path_factory.mktemp("real")
    return export.export(data, Filter(sectors=["检验检测"]), "geojson", d)


def _side(folder: Path, real, own: str, **change) -> str:
    meta = json.loads(real.metadata_path.read_text(encoding="utf-8")) | {"file": own} | change
    name = own + ".metadata.json"
    (folder / name).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return name


def test_hostile_sidecars_are_warnings_shown_as_text_and_never_listed(real, tmp_path, monkeypatch):
    folder = tmp_path / "snapshots"
    folder.mkdir()
    shutil.copy(real.path, folder / real.path.name)
    shutil.copy(real.metadata_path, folder / real.metadata_path.name)
    (tmp_path / "secret.txt").write_text("top secret", encoding="utf-8")
    (folder / f"{MD} link.geojson.zip").symlink_to(tmp_path / "secret.txt")
    hostile = [
        _side(folder, real, f"{MD} a.geojson.zip", file="../../secret.txt"),
        _side(folder, real, f"{MD} b.geojson.zip", file="/etc/hostname"),
        _side(folder, real, f"{MD} link.geojson.zip"),
        _side(folder, real, f"{MD} c.geojson.zip", counts="many"),
    ]
    (folder / f"{MD} d.metadata.json").write_text("[1, 2]", encoding="utf-8")
    (folder / f"{MD} e.metadata.json").write_bytes(b"{not json")
    hostile += [f"{MD} d.metadata.json", f"{MD} e.metadata.json"]
    at = _run(folder, monkeypatch)
    warnings = [w.value for w in at.warning]
    for name in hostile:
        # the sidecar is named, Markdown-escaped: the page draws the characters, no image, link or colour
        hits = [w for w in warnings if markup.md(name) in w]
        assert len(hits) == 1, (name, warnings)
        assert "![x](x.png)" not in hits[0] and ":red[x]" not in hits[0]
    assert at.selectbox(key="hist_pick").options == [real.path.name]
    listed = next(d.value for d in at.dataframe if "file" in d.value.columns or "文件" in d.value.columns)
    assert len(listed) == 1
    assert "secret" not in json.dumps([str(v) for v in listed.to_numpy().ravel()])


def test_a_zip_bomb_compared_is_a_message(real, tmp_path, monkeypatch):
    folder = tmp_path / "snapshots"
    folder.mkdir()
    shutil.copy(real.path, folder / real.path.name)
    shutil.copy(real.metadata_path, folder / real.metadata_path.name)
    bomb = folder / "scimap_bomb.geojson.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("parcels.geojson", "w") as fh:
        for _ in range(40):
            fh.write(b"\0" * 2**20)
    _side(folder, real, bomb.name, created="2099-01-01T00:00:00+08:00")
    monkeypatch.setattr(config, "SNAPSHOT_ZIP_MAX_MEMBER_BYTES", 4 * 2**20)
    at = _run(folder, monkeypatch)
    assert len(at.selectbox(key="hist_pick").options) == 2
    at.selectbox(key="cmp_a").set_value(real.path.name)
    at.selectbox(key="cmp_b").set_value(bomb.name)
    next(b for b in at.button if b.label == "比较两个快照").click().run()
    assert not at.exception, [e.message for e in at.exception]
    errors = [e.value for e in at.error]
    assert any(markup.md(bomb.name) in e and "4 MB" in e for e in errors), errors


def test_an_export_that_cannot_be_written_names_the_path_as_text(tmp_path, monkeypatch):
    blocked = tmp_path / f"{MD} folder"
    blocked.write_text("a file where the snapshot folder should be", encoding="utf-8")
    at = _run(blocked, monkeypatch)
    next(b for b in at.button if b.label == "生成快照").click().run()
    assert not at.exception, [e.message for e in at.exception]
    errors = [e.value for e in at.error]
    assert any(markup.md(str(blocked)) in e for e in errors), errors
    assert not at.success


def test_a_folder_full_of_bad_sidecars_is_a_few_warnings(real, tmp_path, monkeypatch):
    from ui.planner_export import PROBLEMS_SHOWN

    folder = tmp_path / "snapshots"
    folder.mkdir()
    for k in range(300):
        (folder / f"bad{k:03d}.geojson.zip.metadata.json").write_text("[]", encoding="utf-8")
    at = _run(folder, monkeypatch)
    warnings = [w.value for w in at.warning]
    assert len(warnings) == PROBLEMS_SHOWN + 1
    assert "300" not in warnings[-1] and str(300 - PROBLEMS_SHOWN) in warnings[-1]

"""What the app does is recorded in the audit trail (AppTest, real runs of the app on a copy of the data): an
import stored from the boundaries page (with the uploaded file's SHA-256 and the stored change ids), a snapshot
exported from the planner, a fact sheet handed out on the promoter page — each by the session's identity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.io.audit import FileAuditLog, sha256_file
from geo.io.store import FileStore
from ui.auth import local_name

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


@pytest.fixture()
def env(data_copy, monkeypatch, tmp_path):
    from ui import data as app_data
    d, lay = data_copy
    monkeypatch.setenv("SCIMAP_DATA_DIR", str(d))
    monkeypatch.setenv("SCIMAP_LAYERS_DIR", str(lay))
    monkeypatch.setenv("SCIMAP_SNAPSHOT_DIR", str(tmp_path / "snaps"))
    app_data._load.clear()
    yield d, lay, FileAuditLog(d / "audit.jsonl")
    app_data._load.clear()


def run(query: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def survey_file(d: Path, tmp: Path, pid: str = "HTS-S35-01") -> Path:
    """A surveyed boundary of one parcel, matched by its id, acceptable unflagged (the stored outline itself)."""
    fc = json.loads((d / "parcels.geojson").read_text(encoding="utf-8"))
    geom = next(f["geometry"] for f in fc["features"] if f["properties"]["project_id"] == pid)
    out = tmp / "survey.geojson"
    out.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"project_id": pid}, "geometry": geom}]}), encoding="utf-8")
    return out


def test_an_import_stored_from_the_page_is_recorded_with_the_file_hash(env, monkeypatch, tmp_path):
    d, lay, log = env
    monkeypatch.setenv("SCIMAP_LOCAL_EDITING", "1")
    f = survey_file(d, tmp_path)
    at = run({"mode": "edit", "base": "none"})
    at.get("file_uploader")[0].upload(f.name, f.read_bytes(), "application/geo+json").run()
    assert not at.exception, [e.message for e in at.exception]
    at.button(key="edit_save").click().run()
    assert not at.exception, [e.message for e in at.exception]
    h = FileStore(d, lay).history()
    assert list(h.who) == [local_name()] and list(h.target_id) == ["HTS-S35-01"]
    [rec] = log.read()[0]
    assert rec["action"] == "import" and rec["who"] == local_name() and rec["verified"] is False
    det = rec["details"]
    assert det["file"] == f.name and det["sha256"] == sha256_file(f) and det["layer"] == "parcels"
    assert det["changes"] == list(h.change_id) and det["ids"] == ["HTS-S35-01"] and det["source"] == "surveyed"
    assert log.verify() == []


def test_a_snapshot_exported_in_the_app_is_recorded(env, tmp_path):
    d, _, log = env
    at = run({"base": "none", "sector": "检验检测"})
    at.session_state["tab_goto"] = "tab_export"
    at.run()
    at.selectbox(key="exp_fmt").set_value("geojson")
    next(b for b in at.button if b.label == "生成快照").click().run()
    assert not at.exception, [e.message for e in at.exception]
    [rec] = log.read()[0]
    [snap] = (tmp_path / "snaps").glob("*.geojson.zip")  # geojson snapshots are zipped with their sidecar
    assert rec["action"] == "export" and rec["who"] == "anonymous" and rec["verified"] is False
    assert rec["details"]["file"] == snap.name and rec["details"]["sha256"] == sha256_file(snap)
    assert rec["details"]["filter"]["sectors"] == ["检验检测"] and rec["details"]["format"] == "geojson"
    [dl] = [b for b in at.get("download_button") if "dl_last" in b.proto.id]
    dl.click().run()  # handing the snapshot out is recorded too
    assert not at.exception, [e.message for e in at.exception]
    made, handed = log.read()[0]
    assert handed["action"] == "export" and handed["details"]["download"] is True
    assert handed["details"]["file"] == snap.name and handed["details"]["sha256"] == made["details"]["sha256"]


def test_a_fact_sheet_downloaded_on_the_promoter_page_is_recorded(env):
    _, _, log = env
    at = run({"mode": "promoter", "ftext": "检验检测认证", "pick": "HTS-T4-03", "base": "none"})
    [dl] = [b for b in at.get("download_button") if b.proto.id.endswith("fs_html") or "fs_html" in b.proto.id]
    dl.click().run()
    assert not at.exception, [e.message for e in at.exception]
    [rec] = log.read()[0]
    assert rec["action"] == "factsheet" and rec["details"]["ids"] == ["HTS-T4-03"]
    assert rec["details"]["format"] == "html" and len(rec["details"]["sha256"]) == 64


def test_the_project_table_downloaded_is_recorded_with_its_filter_and_hash(env):
    from geo.io.audit import sha256_bytes
    from geo.io.export.common import csv_bytes
    _, _, log = env
    at = run({"sector": "检验检测", "base": "none"})
    at.session_state["tab_goto"] = "tab_table"
    at.run()
    [dl] = [b for b in at.get("download_button") if "table_csv" in b.proto.id]
    dl.click().run()
    assert not at.exception, [e.message for e in at.exception]
    [rec] = log.read()[0]
    det = rec["details"]
    assert rec["action"] == "export" and det["table"] == "projects" and det["format"] == "csv"
    assert det["filter"]["sectors"] == ["检验检测"] and det["file"].startswith("projects_") and det["download"] is True
    from geo.core.filter import Filter, apply_filter
    from geo.io import open_store
    sel = apply_filter(open_store().load(), Filter(sectors=["检验检测"]))
    assert det["rows"] == len(sel.projects) > 0 and len(det["sha256"]) == 64
    assert det["sha256"] != sha256_bytes(csv_bytes(sel.projects.head(1)))

"""The boundaries page and the store's safety (AppTest, no browser): a review saves against the version it was
made with (a save in between is a conflict message, nothing overwritten), what recovery did when the data was
loaded is shown, damaged history lines are named in a warning."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest

from geo.io.store import FileStore
from tests.io.stored import data_files
from tests.io.test_store_faults import kill_during_save, moved

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture()
def store_env(data_copy, monkeypatch):
    from ui import data as app_data
    d, lay = data_copy
    monkeypatch.setenv("SCIMAP_DATA_DIR", str(d))
    monkeypatch.setenv("SCIMAP_LAYERS_DIR", str(lay))
    app_data._load.clear()
    yield d, lay
    app_data._load.clear()


def _review_and_save() -> None:
    """A review pinned on its first run, a save on the click (what the digitise tab does)."""
    import geopandas as gpd
    import streamlit as st

    from geo.io import open_store
    from ui import boundaries
    from ui.data import AppData
    s = open_store()
    if "seen" not in st.session_state:  # the data the review was computed against
        st.session_state["seen"] = {"parcels": s.version("parcels")}
    app = AppData(None, [], {}, [], [], versions=st.session_state["seen"])
    based = boundaries.reviewed_version(boundaries.PINS[1], st.session_state.get("drawing", 1), "parcels", app)
    if st.button("save", key="go"):
        g = s.load().parcels.set_index("project_id").geometry["HTS-T4-01"].buffer(0.0003)
        boundaries.store_changes(gpd.GeoDataFrame({"target_id": ["HTS-T4-01"]}, geometry=[g], crs=4326), "parcels",
                                 "me", "digitised", "digitised on the map", based, "zh")


def test_a_stale_review_is_a_conflict_message_and_overwrites_nothing(store_env):
    d, lay = store_env
    at = AppTest.from_function(_review_and_save, default_timeout=60).run()
    assert not at.exception
    fs = FileStore(d, lay)
    fs.save(moved(fs, d=0.0005), "parcels", "someone else", "surveyed", None)  # after the review was shown
    before = data_files(d, lay)
    at.button(key="go").click().run()
    assert not at.exception
    [err] = [e.value for e in at.error]
    assert err.startswith("保存被拒绝：") and "在你载入后已被他人修改" in err
    assert data_files(d, lay) == before
    assert list(fs.history().who) == ["someone else"]


def test_what_recovery_did_and_a_damaged_history_are_shown(store_env):
    d, lay = store_env
    fs = FileStore(d, lay)
    change = moved(fs)
    (d / "history.jsonl").write_bytes(b"{garbage\n")
    kill_during_save(d, lay, "history", "parcels", change)
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["mode"] = "edit"
    at.query_params["base"] = "none"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    infos = " ".join(i.value for i in at.info)
    assert "存储已自动恢复" in infos and "已完成：数据与修改记录一致" in infos
    warnings = " ".join(w.value for w in at.warning)
    assert "history.jsonl 第 1 行不是有效的 JSON" in warnings.replace("\\", "")
    assert list(fs.history().who) == ["killed"] and not fs.layout.journal.exists()
    assert isinstance(change, gpd.GeoDataFrame)

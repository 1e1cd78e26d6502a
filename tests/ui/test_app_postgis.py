"""The app on the PostGIS store (AppTest, no browser): it loads its data from the database, and a review saved
through the boundaries page is refused when someone else saved the same parcel since, and lands when they saved
another one (per-feature concurrency), with the conflict said in Chinese."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely import affinity
from streamlit.testing.v1 import AppTest

from geo.io import pgfiles, pgschema
from geo.io.files import FileLayout
from geo.io.postgis import PostgisStore
from tests.postgis_cluster import postgis_cluster, postgis_url  # noqa: F401 — fixtures

APP = str(Path(__file__).resolve().parents[2] / "app.py")
pytestmark = pytest.mark.postgis


@pytest.fixture()
def db_env(postgis_url, data_copy, monkeypatch, tmp_path):  # noqa: F811 — the fixture above
    from ui import data as app_data
    d, lay = data_copy
    with pgschema.connect(postgis_url) as conn:
        pgschema.init(conn, postgis_url)
        pgfiles.load_files(conn, FileLayout(d, lay))
    empty = tmp_path / "no_files"  # the files are not the store: an app that read them would find nothing
    monkeypatch.setenv("SCIMAP_DATA_DIR", str(empty / "data"))
    monkeypatch.setenv("SCIMAP_LAYERS_DIR", str(empty / "layers"))
    monkeypatch.setenv("SCIMAP_AUDIT_FILE", str(tmp_path / "audit.jsonl"))
    monkeypatch.setenv("SCIMAP_DATABASE_URL", postgis_url)
    app_data._load.clear()
    yield PostgisStore(postgis_url)
    app_data._load.clear()


def shifted(store: PostgisStore, project_id: str, dx: float) -> gpd.GeoDataFrame:
    g = store.load().parcels.set_index("project_id").geometry[project_id]
    return gpd.GeoDataFrame({"target_id": [project_id]}, geometry=[affinity.translate(g, dx, 0)], crs=4326)


def _review_and_save() -> None:
    """A review pinned on its first run, a save of HTS-T4-01 on the click (what the digitise tab does)."""
    import geopandas as gpd
    import streamlit as st

    from geo.io import open_store
    from ui import boundaries
    from ui.data import AppData
    s = open_store()
    if "seen" not in st.session_state:
        st.session_state["seen"] = {"parcels": s.version("parcels")}
    app = AppData(None, [], {}, [], [], versions=st.session_state["seen"])
    based = boundaries.reviewed_version(boundaries.PINS[1], 1, "parcels", app)
    if st.button("save", key="go"):
        g = s.load().parcels.set_index("project_id").geometry["HTS-T4-01"].buffer(0.0003)
        boundaries.store_changes(gpd.GeoDataFrame({"target_id": ["HTS-T4-01"]}, geometry=[g], crs=4326), "parcels",
                                 "me", "digitised", "digitised on the map", based, "zh")


def test_the_app_reads_its_data_from_the_database(db_env):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["base"] = "none"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    metrics = {m.label: m.value for m in at.metric}  # the files are empty: these numbers came from the database
    data = db_env.load()
    assert metrics["项目数"] == str(len(data.projects)) == "412"
    assert metrics["Σ占地（亩）"] == f"{data.projects.land_mu.sum():,.0f}"


def test_a_review_is_refused_when_the_same_parcel_was_saved_since(db_env):
    at = AppTest.from_function(_review_and_save, default_timeout=60).run()
    assert not at.exception
    db_env.save(shifted(db_env, "HTS-T4-01", 0.0005), "parcels", "someone else", "surveyed", None)
    at.button(key="go").click().run()
    assert not at.exception
    [err] = [e.value for e in at.error]
    assert err.replace("\\", "").startswith("保存被拒绝：HTS-T4-01 在你载入后已被他人修改"), err
    assert list(db_env.history().who) == ["someone else"]


def test_a_review_lands_when_another_parcel_was_saved_since(db_env):
    at = AppTest.from_function(_review_and_save, default_timeout=60).run()
    assert not at.exception
    db_env.save(shifted(db_env, "HTS-T2-01", 0.0005), "parcels", "someone else", "surveyed", None)
    at.button(key="go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    h = db_env.history()
    assert list(zip(h.who, h.target_id)) == [("someone else", "HTS-T2-01"), ("me", "HTS-T4-01")]


def test_database_url_in_the_secrets_points_the_app_at_the_database(db_env, monkeypatch):
    from geo import config
    monkeypatch.setattr(config, "_SECRETS", {})  # restored afterwards: other tests run without these secrets
    url = config.settings().database_url
    monkeypatch.delenv("SCIMAP_DATABASE_URL")
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["database_url"] = url
    at.query_params["base"] = "none"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert {m.label: m.value for m in at.metric}["项目数"] == "412"  # the data folders are empty: the database

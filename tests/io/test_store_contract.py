"""The store contract, run against both stores: the files (FileStore on a copy of the shipped data) and PostGIS
(PostgisStore on a fresh database loaded from the same copy, on the throwaway cluster of tests/postgis_cluster.py).

Load equality, save, a stale save of the same feature refused, undo, history — the same assertions for both;
then what only the database promises (edits to different features both land, per-feature conflicts naming the
feature, two processes racing on one parcel).
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import geopandas as gpd
import pandas as pd
import pytest
from shapely import affinity

from geo.core import storable
from geo.io import open_store, pgfiles, pgschema
from geo.io.files import FileLayout
from geo.io.postgis import PostgisStore
from geo.io.store import ConflictError, FileStore, Store, StoreBusy, StoreError

ROOT_PARCEL = "HTS-T2-01"
OTHER_PARCEL = "HTS-T2-02"


def load_database(url: str, data_dir, layers_dir) -> PostgisStore:
    """Create the schema on an empty database and load a file store into it (what ``db init`` + ``db load`` do)."""
    with pgschema.connect(url) as conn:
        pgschema.init(conn, url)
        pgfiles.load_files(conn, FileLayout(data_dir, layers_dir))
    return PostgisStore(url)


@pytest.fixture(params=["files", pytest.param("postgis", marks=pytest.mark.postgis)])
def store(request, data_copy) -> Store:
    d, lay = data_copy
    if request.param == "files":
        return FileStore(d, lay)
    return load_database(request.getfixturevalue("postgis_url"), d, lay)


def moved(data, project_id: str, dx: float = 0.0004) -> gpd.GeoDataFrame:
    """A change of the project's parcel: its geometry shifted east by ``dx`` degrees."""
    geom = data.parcels.set_index("project_id").geometry[project_id]
    return gpd.GeoDataFrame({"target_id": [project_id]}, geometry=[affinity.translate(geom, dx, 0)], crs="EPSG:4326")


def same_geometries(a: gpd.GeoSeries, b: gpd.GeoSeries) -> bool:
    """Every geometry exactly equal, a missing one missing in both."""
    return bool(((a.isna().values & b.isna().values) | a.geom_equals_exact(b, tolerance=0).values).all())


def landed(got, geom) -> bool:
    """Whether a stored geometry is ``geom`` as the store writes it (on its grid, :func:`geo.core.storable.snap`)."""
    return got.equals_exact(storable.snap(geom), 0)


def parcel(store: Store, project_id: str):
    return store.load().parcels.set_index("project_id").loc[project_id]


def test_both_stores_implement_the_protocol(store):
    assert isinstance(store, Store)


def test_load_is_the_file_stores_data(store, data_copy):
    mine, files = store.load(), FileStore(*data_copy).load()
    for table in ("projects", "targets", "sources", "functional_areas"):
        pd.testing.assert_frame_equal(getattr(mine, table), getattr(files, table))
    for layer in ("parcels", "zones", "districts", "pois"):
        a, b = getattr(mine, layer), getattr(files, layer)
        pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry")))
        assert same_geometries(a.geometry, b.geometry), layer
        assert a.crs == b.crs
    assert mine.manifest == files.manifest and mine.issues == files.issues == []
    assert len(mine.parcels) == 25 and len(mine.zones) == 189
    assert store.data_version() == FileStore(*data_copy).data_version()


def test_a_save_lands_with_its_area_and_history(store):
    data = store.load()
    before = store.version("parcels")
    change = moved(data, ROOT_PARCEL)
    ids = store.save(change, "parcels", "张三", "surveyed", before, note="import survey.zip")
    assert len(ids) == 1 and store.version("parcels") != before
    got = parcel(store, ROOT_PARCEL)
    assert landed(got.geometry, change.geometry.iloc[0])
    assert got.geometry_source == "surveyed"
    assert got.area_mu == pytest.approx(data.parcels.set_index("project_id").area_mu[ROOT_PARCEL], rel=1e-3)
    h = store.history()
    assert h[["change_id", "who", "action", "layer", "target_id", "geometry_source", "note"]].values.tolist() == \
        [[ids[0], "张三", "save", "parcels", ROOT_PARCEL, "surveyed", "import survey.zip"]]
    assert h.area_mu.iloc[0] == got.area_mu
    assert store.history_problems() == [] and store.recover() == []


def test_a_stale_save_of_the_same_feature_is_a_conflict_and_changes_nothing(store):
    data = store.load()
    v = store.version("parcels")
    store.save(moved(data, ROOT_PARCEL, 0.0004), "parcels", "a", "surveyed", v)
    after_first = parcel(store, ROOT_PARCEL).geometry
    with pytest.raises(ConflictError, match="changed by someone else") as e:
        store.save(moved(data, ROOT_PARCEL, -0.0004), "parcels", "b", "digitised", v)
    if isinstance(store, PostgisStore):
        assert str(e.value).startswith(ROOT_PARCEL)  # the feature, not the layer, is named
    assert parcel(store, ROOT_PARCEL).geometry.equals(after_first)
    assert len(store.history()) == 1


def test_undo_restores_the_previous_feature_and_is_recorded(store):
    data, content = store.load(), store.data_version()
    original = data.parcels.set_index("project_id").loc[ROOT_PARCEL]
    [cid] = store.save(moved(data, ROOT_PARCEL), "parcels", "a", "surveyed", store.version("parcels"))
    uid = store.undo(cid, "b")
    back = parcel(store, ROOT_PARCEL)
    assert back.geometry.equals_exact(original.geometry, 0) and back.geometry_source == original.geometry_source
    assert back.placement_note == original.placement_note
    h = store.history()
    assert h.action.tolist() == ["save", "undo"] and h.undoes.iloc[1] == cid and h.change_id.iloc[1] == uid
    with pytest.raises(StoreError, match="already undone"):
        store.undo(cid, "b")
    with pytest.raises(StoreError, match="is an undo"):
        store.undo(uid, "b")
    with pytest.raises(StoreError, match="no change nosuch"):
        store.undo("nosuch", "b")
    assert store.data_version() == content  # the data is byte for byte what it was (the history grew)


def test_undo_of_an_earlier_change_waits_for_the_later_one(store):
    data = store.load()
    [first] = store.save(moved(data, ROOT_PARCEL, 0.0002), "parcels", "a", "surveyed", None)
    [second] = store.save(moved(data, ROOT_PARCEL, 0.0004), "parcels", "a", "surveyed", None)
    with pytest.raises(StoreError, match=f"changed again later \\({second}\\)"):
        store.undo(first, "b")
    store.undo(second, "b")
    store.undo(first, "b")
    assert parcel(store, ROOT_PARCEL).geometry.equals_exact(data.parcels.set_index("project_id").geometry[ROOT_PARCEL], 0)


def test_a_new_parcel_for_a_project_without_one_and_its_undo(store):
    data = store.load()
    project = next(p for p in data.projects.project_id if p not in set(data.parcels.project_id))
    geom = affinity.translate(data.parcels.geometry.iloc[0], 0.02, 0.02)
    change = gpd.GeoDataFrame({"target_id": [project]}, geometry=[geom], crs="EPSG:4326")
    [cid] = store.save(change, "parcels", "a", "digitised", store.version("parcels"))
    after = store.load().parcels
    assert len(after) == 26 and after.parcel_id.is_monotonic_increasing
    assert after.set_index("project_id").loc[project].parcel_id == f"P-{project}"
    store.undo(cid, "a")
    assert len(store.load().parcels) == 25
    with pytest.raises(StoreError, match="project NOPE does not exist"):
        store.save(gpd.GeoDataFrame({"target_id": ["NOPE"]}, geometry=[geom], crs="EPSG:4326"), "parcels", "a",
                   "digitised", None)


def test_a_zone_save(store):
    data = store.load()
    zone = data.zones[data.zones.geometry.geom_type == "Polygon"].iloc[0]
    change = gpd.GeoDataFrame({"target_id": [zone.zone_id]}, geometry=[affinity.translate(zone.geometry, 0.001, 0)],
                              crs="EPSG:4326")
    store.save(change, "zones", "a", "surveyed", store.version("zones"))
    got = store.load().zones.set_index("zone_id").loc[zone.zone_id]
    assert got.extent_method == "surveyed boundary" and got.geometry_source == "surveyed"
    assert landed(got.geometry, change.geometry.iloc[0])
    with pytest.raises(StoreError, match="zone nowhere is in no layer file"):
        store.save(change.assign(target_id=["nowhere"]), "zones", "a", "surveyed", None)


def test_refusals_before_anything_is_written(store):
    data = store.load()
    with pytest.raises(StoreError, match="geometry_source must be one of"):
        store.save(moved(data, ROOT_PARCEL), "parcels", "a", "gazetteer", None)
    with pytest.raises(StoreError, match="unknown layer"):
        store.save(moved(data, ROOT_PARCEL), "roads", "a", "surveyed", None)
    far = moved(data, ROOT_PARCEL, 20.0)  # outside the study area
    with pytest.raises(StoreError, match=ROOT_PARCEL):
        store.save(far, "parcels", "a", "surveyed", None)
    assert store.history().empty


@pytest.mark.postgis
def test_the_same_change_gives_the_same_data_in_both_stores(postgis_url, data_copy):
    d, lay = data_copy
    files, db = FileStore(d, lay), load_database(postgis_url, d, lay)
    data = files.load()
    change = moved(data, ROOT_PARCEL)
    files.save(change, "parcels", "a", "surveyed", None)
    db.save(change, "parcels", "a", "surveyed", None)
    a, b = files.load().parcels, db.load().parcels
    pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns=["geometry", "placement_note"])),
                                  pd.DataFrame(b.drop(columns=["geometry", "placement_note"])))
    assert same_geometries(a.geometry, b.geometry)


# ------------------------------------------------------------------ what only the database promises

@pytest.mark.postgis
def test_edits_to_different_features_based_on_the_same_version_both_land(postgis_url, data_copy):
    db = load_database(postgis_url, *data_copy)
    data, v = db.load(), db.version("parcels")
    db.save(moved(data, ROOT_PARCEL), "parcels", "a", "surveyed", v)
    db.save(moved(data, OTHER_PARCEL), "parcels", "b", "surveyed", v)  # another parcel: no conflict
    got = db.load().parcels.set_index("project_id")
    assert landed(got.geometry[ROOT_PARCEL], moved(data, ROOT_PARCEL).geometry.iloc[0])
    assert landed(got.geometry[OTHER_PARCEL], moved(data, OTHER_PARCEL).geometry.iloc[0])
    with pytest.raises(ConflictError, match=f"^{OTHER_PARCEL} was changed by someone else"):
        db.save(moved(data, OTHER_PARCEL, 0.0001), "parcels", "c", "surveyed", v)


@pytest.mark.postgis
def test_a_version_of_another_store_is_refused(postgis_url, data_copy):
    db = load_database(postgis_url, *data_copy)
    with pytest.raises(ConflictError, match="is not a version of this database"):
        db.save(moved(db.load(), ROOT_PARCEL), "parcels", "a", "surveyed", FileStore(*data_copy).version("parcels"))


@pytest.mark.postgis
def test_a_reload_of_the_data_makes_older_versions_stale(postgis_url, data_copy):
    db = load_database(postgis_url, *data_copy)
    v = db.version("parcels")
    with pgschema.connect(postgis_url) as conn:
        pgfiles.load_files(conn, FileLayout(*data_copy))
    assert db.version("parcels") != v
    with pytest.raises(ConflictError):
        db.save(moved(db.load(), ROOT_PARCEL), "parcels", "a", "surveyed", v)


@pytest.mark.postgis
def test_open_store_picks_the_database_by_its_url(postgis_url, data_copy, monkeypatch):
    load_database(postgis_url, *data_copy)
    monkeypatch.setenv("SCIMAP_DATABASE_URL", postgis_url)
    s = open_store()
    assert isinstance(s, PostgisStore) and len(s.load().parcels) == 25
    monkeypatch.delenv("SCIMAP_DATABASE_URL")
    assert isinstance(open_store(), FileStore)


@pytest.mark.postgis
def test_an_empty_database_or_an_unreachable_one_is_a_message(postgis_url, postgis_cluster):
    with pytest.raises(StoreError, match="holds no planning map: run python -m geo db init"):
        PostgisStore(postgis_url).load()
    bad = postgis_cluster.url("no_such_database").replace("postgres@", "postgres:hunter2@")
    with pytest.raises(StoreError, match="cannot be used") as e:
        PostgisStore(bad).version("parcels")
    assert "hunter2" not in str(e.value) and "hunter2" not in repr(PostgisStore(bad))


RACER = textwrap.dedent("""
    import sys, time, geopandas as gpd
    from pathlib import Path
    from shapely import wkt
    from geo.io.postgis import PostgisStore
    from geo.io.store import ConflictError
    url, target, geom, based_on, go = sys.argv[1:6]
    store = PostgisStore(url)
    while not Path(go).exists():
        time.sleep(0.005)
    try:
        ids = store.save(gpd.GeoDataFrame({"target_id": [target]}, geometry=[wkt.loads(geom)], crs="EPSG:4326"),
                         "parcels", "racer", "surveyed", based_on)
        print("stored", ids[0])
    except ConflictError as e:
        print("conflict", e)
""")


def race(url: str, changes: list[tuple[str, object]], based_on: str, go) -> list[str]:
    """Start one Python process per change, let them save at once, return what each printed."""
    procs = [subprocess.Popen([sys.executable, "-c", RACER, url, target, geom.wkt, based_on, str(go)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for target, geom in changes]
    go.touch()
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-2000:] for o in outs]
    return [o[0].strip() for o in outs]


@pytest.mark.postgis
def test_two_processes_saving_the_same_parcel_exactly_one_wins(postgis_url, data_copy, tmp_path):
    db = load_database(postgis_url, *data_copy)
    data, v = db.load(), db.version("parcels")
    a, b = moved(data, ROOT_PARCEL, 0.0004).geometry.iloc[0], moved(data, ROOT_PARCEL, -0.0004).geometry.iloc[0]
    results = race(postgis_url, [(ROOT_PARCEL, a), (ROOT_PARCEL, b)], v, tmp_path / "go")
    assert sorted(r.split()[0] for r in results) == ["conflict", "stored"], results
    loser = next(r for r in results if r.startswith("conflict"))
    assert f"conflict {ROOT_PARCEL} was changed by someone else since you loaded it" in loser
    winner = next(r for r in results if r.startswith("stored"))
    h = db.history()
    assert h.change_id.tolist() == [winner.split()[1]]
    stored = parcel(db, ROOT_PARCEL).geometry
    assert landed(stored, a if results.index(winner) == 0 else b)


@pytest.mark.postgis
def test_two_processes_saving_different_parcels_both_land(postgis_url, data_copy, tmp_path):
    db = load_database(postgis_url, *data_copy)
    data, v = db.load(), db.version("parcels")
    a, b = moved(data, ROOT_PARCEL).geometry.iloc[0], moved(data, OTHER_PARCEL).geometry.iloc[0]
    results = race(postgis_url, [(ROOT_PARCEL, a), (OTHER_PARCEL, b)], v, tmp_path / "go")
    assert [r.split()[0] for r in results] == ["stored", "stored"], results
    got = db.load().parcels.set_index("project_id").geometry
    assert landed(got[ROOT_PARCEL], a) and landed(got[OTHER_PARCEL], b)
    assert sorted(db.history().target_id) == sorted([ROOT_PARCEL, OTHER_PARCEL])


@pytest.mark.postgis
def test_a_change_and_its_history_are_one_transaction(postgis_url, data_copy, monkeypatch):
    """A save whose history record cannot be written (a duplicate change id forced) leaves the feature as it was."""
    db = load_database(postgis_url, *data_copy)
    data = db.load()
    [cid] = db.save(moved(data, ROOT_PARCEL, 0.0002), "parcels", "a", "surveyed", None)
    before = parcel(db, ROOT_PARCEL).geometry
    import geo.io.postgis as pg

    class Same:
        hex = cid + "0" * 20

    monkeypatch.setattr(pg.uuid, "uuid4", lambda: Same())  # the history refuses a second record of this id
    with pytest.raises(StoreError, match="the database refused the change"):
        db.save(moved(data, ROOT_PARCEL, 0.0006), "parcels", "a", "surveyed", None)
    monkeypatch.undo()
    assert parcel(db, ROOT_PARCEL).geometry.equals(before) and len(db.history()) == 1
    with pgschema.connect(postgis_url) as conn:
        versions = conn.execute("SELECT row_version FROM scimap.parcels WHERE project_id = %s",
                                (ROOT_PARCEL,)).fetchone()[0]
        last = conn.execute("SELECT max(seq) FROM scimap.history").fetchone()[0]
    assert versions == last


@pytest.mark.postgis
def test_a_save_waits_for_another_change_of_the_feature_then_is_busy(postgis_url, data_copy, monkeypatch):
    db = load_database(postgis_url, *data_copy)
    data = db.load()
    monkeypatch.setattr("geo.config.STORE_LOCK_WAIT_S", 0.5)
    with pgschema.connect(postgis_url) as other, other.transaction():  # another change holds HTS-T2-01's lock
        other.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"parcels\x1f{ROOT_PARCEL}",))
        with pytest.raises(StoreBusy, match="another change holds the database for more than 0.5 s"):
            db.save(moved(data, ROOT_PARCEL), "parcels", "a", "surveyed", None)
        db.save(moved(data, OTHER_PARCEL), "parcels", "a", "surveyed", None)  # another feature is not held
    assert db.history().target_id.tolist() == [OTHER_PARCEL]


@pytest.mark.postgis
def test_the_database_stores_messages_read_in_chinese(postgis_url, postgis_cluster, data_copy, monkeypatch):
    """What the boundaries page shows of the database store's refusals is in the page's language."""
    from geo import i18n
    messages = []
    with pytest.raises(StoreError) as e:
        PostgisStore(postgis_url).load()
    messages.append(str(e.value))
    with pytest.raises(StoreError) as e:
        PostgisStore(postgis_cluster.url("nowhere")).load()
    messages.append(str(e.value))
    db = load_database(postgis_url, *data_copy)
    data, v = db.load(), db.version("parcels")
    db.save(moved(data, ROOT_PARCEL), "parcels", "a", "surveyed", v)
    for based_on in (v, "0123456789abcdef"):
        with pytest.raises(ConflictError) as e:
            db.save(moved(data, ROOT_PARCEL, 0.0001), "parcels", "a", "surveyed", based_on)
        messages.append(str(e.value))
    monkeypatch.setattr("geo.config.STORE_LOCK_WAIT_S", 0.2)
    with pgschema.connect(postgis_url) as other, other.transaction():
        other.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"parcels\x1f{ROOT_PARCEL}",))
        with pytest.raises(StoreBusy) as e:
            db.save(moved(data, ROOT_PARCEL), "parcels", "a", "surveyed", None)
    messages.append(str(e.value))
    with pgschema.connect(postgis_url) as conn:
        conn.execute("INSERT INTO scimap.history VALUES (999999, 'x', 'save', 'parcels', 'y', NULL, '[1]')")
        conn.commit()
    messages += db.history_problems()
    assert len(messages) == 6
    for text in messages:
        zh = i18n.message(text, "zh")
        assert zh != text and not re.search(r"\b(the|was|is|not|database|change)\b", zh), (text, zh)
        assert i18n.message(text, "en") == text


@pytest.mark.postgis
@pytest.mark.parametrize("view", [(106.30, 29.50, 106.36, 29.56), (106.2, 28.9, 106.9, 29.9), (104.0, 27.0, 104.1, 27.1)])
def test_a_view_is_queried_in_the_database(postgis_url, data_copy, view):
    """The parcels meeting a map view, by the GiST index, are the ones the file store's parcels meet."""
    from shapely.geometry import box
    db = load_database(postgis_url, *data_copy)
    files = FileStore(*data_copy).load().parcels
    expected = files[files.intersects(box(*view))]
    got = db.parcels_in_view(view)
    assert list(got.get("parcel_id", [])) == list(expected.parcel_id)
    assert same_geometries(got.geometry.reset_index(drop=True), expected.geometry.reset_index(drop=True))
    if len(got):
        assert got.crs == "EPSG:4326" and list(got.area_mu) == list(expected.area_mu)

"""``python -m geo db init|load|dump|check`` on a real PostGIS (the throwaway cluster of tests/postgis_cluster.py),
run as subprocesses on a copy of the shipped data: check passes after a load and names what was tampered with,
dump gives back the loaded files byte for byte, bad input is one line and exit 1, never a traceback or a password.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
from shapely import affinity

from geo.io import pgschema
from geo.io.postgis import PostgisStore
from geo.io.store import FileStore, StoreError
from tests.io.stored import data_files

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgis


def db(url: str | None, *args: str, data: Path | None = None, layers: Path | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    if url is not None:
        env["SCIMAP_DATABASE_URL"] = url
    if data is not None:
        env |= {"SCIMAP_DATA_DIR": str(data), "SCIMAP_LAYERS_DIR": str(layers)}
    return subprocess.run([sys.executable, "-m", "geo", "db", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=240, env=env)


def loaded(url: str, d: Path, lay: Path) -> None:
    for step in ("init", "load"):
        r = db(url, step, data=d, layers=lay)
        assert r.returncode == 0, r.stderr


def sql(url: str, statement: str, *params: object) -> None:
    with pgschema.connect(url) as conn:
        conn.execute(statement, params)


def test_check_passes_after_load_and_names_a_tampered_geometry(postgis_url, data_copy):
    d, lay = data_copy
    loaded(postgis_url, d, lay)
    ok = db(postgis_url, "check", data=d, layers=lay)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "parcels.geojson: 25 features, 16915.0 mu" in ok.stdout and "matches" in ok.stdout
    sql(postgis_url, "UPDATE scimap.zones SET geom = ST_Translate(ST_Scale(geom, 1.001, 1.001), -0.1, -0.03) "
                     "WHERE zone_id = 'hts_core'")
    bad = db(postgis_url, "check", data=d, layers=lay)
    assert bad.returncode == 1 and "1 difference(s)" in bad.stderr
    assert bad.stdout.startswith("DIFFERENT: hts_1core2circles2areas.geojson: hts_core is ") and "Traceback" not in bad.stderr


def test_check_names_a_missing_row_and_a_changed_table(postgis_url, data_copy):
    d, lay = data_copy
    loaded(postgis_url, d, lay)
    sql(postgis_url, "DELETE FROM scimap.parcels WHERE project_id = 'HTS-T2-01'")
    text = (d / "projects.csv").read_bytes()
    sql(postgis_url, "UPDATE scimap.documents SET content = %s WHERE name = 'data/projects.csv'",
        text[:text.rindex(b"\n", 0, len(text) - 1) + 1])  # the last row cut off
    r = db(postgis_url, "check", data=d, layers=lay)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    n = len(FileStore(d, lay).load().projects)
    assert f"DIFFERENT: data/projects.csv: {n} rows in the files, {n - 1} in the database" in lines
    assert "DIFFERENT: parcels.geojson: 25 features in the files, 24 in the database" in lines
    assert "DIFFERENT: parcels.geojson: P-HTS-T2-01 only in the files" in lines


def test_check_fails_after_a_change_the_files_do_not_have(postgis_url, data_copy):
    d, lay = data_copy
    loaded(postgis_url, d, lay)
    store = PostgisStore(postgis_url)
    geom = store.load().parcels.set_index("project_id").geometry["HTS-T2-01"]
    store.save(gpd.GeoDataFrame({"target_id": ["HTS-T2-01"]}, geometry=[affinity.scale(geom, 1.1, 1.1)],
                                crs="EPSG:4326"), "parcels", "a", "surveyed", None)
    r = db(postgis_url, "check", data=d, layers=lay)
    assert r.returncode == 1
    assert "DIFFERENT: parcels.geojson: P-HTS-T2-01 is " in r.stdout
    assert "DIFFERENT: history: 0 changes in the files, 1 in the database" in r.stdout


def test_dump_gives_back_the_loaded_files_byte_for_byte(postgis_url, data_copy, tmp_path):
    d, lay = data_copy
    loaded(postgis_url, d, lay)
    out_d, out_lay = tmp_path / "out" / "data", tmp_path / "out" / "layers"
    r = db(postgis_url, "dump", "--data", str(out_d), "--layers", str(out_lay))
    assert r.returncode == 0, r.stderr
    dumped = data_files(out_d, out_lay)
    original = {name: content for name, content in data_files(d, lay).items()
                if name.startswith("layers/") or name.count("/") == 1 or name == "data/src/functional_areas.csv"}
    assert dumped == original
    assert FileStore(out_d, out_lay).data_version() == FileStore(d, lay).data_version()


def test_a_dump_after_changes_is_a_file_store_with_their_history(postgis_url, data_copy, tmp_path):
    d, lay = data_copy
    loaded(postgis_url, d, lay)
    store = PostgisStore(postgis_url)
    geom = store.load().parcels.set_index("project_id").geometry["HTS-T2-01"]
    [cid] = store.save(gpd.GeoDataFrame({"target_id": ["HTS-T2-01"]}, geometry=[affinity.translate(geom, 0.001)],
                                        crs="EPSG:4326"), "parcels", "张三", "surveyed", None)
    out_d, out_lay = tmp_path / "data", tmp_path / "layers"
    assert db(postgis_url, "dump", "--data", str(out_d), "--layers", str(out_lay)).returncode == 0
    files = FileStore(out_d, out_lay)
    assert files.history().equals(store.history()) and files.history_problems() == []
    assert files.data_version() == store.data_version()
    files.undo(cid, "李四")  # the dumped history is the file store's own: its undo works
    assert files.load().parcels.set_index("project_id").geometry["HTS-T2-01"].equals(geom)
    again = db(postgis_url, "load", data=out_d, layers=out_lay)  # and loads back
    assert again.returncode == 0 and "history 2" in again.stdout, again.stderr
    assert db(postgis_url, "check", data=out_d, layers=out_lay).returncode == 0


def test_bad_input_is_one_line_and_exit_1(postgis_cluster, postgis_url, data_copy, tmp_path):
    d, lay = data_copy
    nodb = postgis_cluster.url("no_such_db").replace("postgres@", "postgres:hunter2@")
    plain = f"plain_{tmp_path.name[-8:].replace('-', '_')}"
    postgis_cluster.execute("postgres", f"CREATE DATABASE {plain}")  # PostgreSQL without PostGIS
    cases = {
        None: "SCIMAP_DATABASE_URL is not set",
        "mysql://u:hunter2@h/db": "is not a PostgreSQL URL",
        "postgresql://u:hunter2@h:port/db": "is not a database URL",
        "postgresql://u:hunter2@h/": "names no database",
        nodb: "cannot be used",
        postgis_cluster.url(plain): "has no PostGIS: run python -m geo db init",
        postgis_url: "holds no planning map: run python -m geo db init",
    }
    for url, said in cases.items():
        for step in ("load", "check"):
            r = db(url, step, data=d, layers=lay)
            assert r.returncode == 1 and said in r.stderr, (url, step, r.stderr)
            assert len(r.stderr.strip().splitlines()) == 1 and "hunter2" not in r.stderr + r.stdout
    r = db(postgis_url, "dump", "--data", str(tmp_path / "x"), "--layers", str(tmp_path / "y"))
    assert r.returncode == 1 and "holds no planning map" in r.stderr and not (tmp_path / "x").exists()
    assert db(postgis_url, "init").returncode == 0  # the schema without data: still no planning map to read
    for step in ("check", "dump"):
        r = db(postgis_url, step, "--data", str(tmp_path / "x"), "--layers", str(tmp_path / "y"))
        assert r.returncode == 1 and "holds no planning map: run python -m geo db init, then" in r.stderr
    with pytest.raises(StoreError, match="holds no planning map"):
        PostgisStore(postgis_url).load()


def test_load_refuses_data_that_does_not_load(postgis_url, data_copy):
    d, lay = data_copy
    loaded(postgis_url, d, lay)
    n = len(PostgisStore(postgis_url).load().projects)
    (d / "projects.csv").write_text("project_id\nX\n", encoding="utf-8")
    r = db(postgis_url, "load", data=d, layers=lay)
    assert r.returncode == 1 and "the data cannot be loaded" in r.stderr and "projects.csv" in r.stderr
    assert len(PostgisStore(postgis_url).load().projects) == n > 1  # the database kept its data


def test_import_stores_into_the_database_and_refuses_a_stale_review(postgis_url, data_copy, tmp_path):
    d, lay = data_copy
    loaded(postgis_url, d, lay)
    good = ROOT / "tests" / "io" / "import_corpus" / "good" / "by_name.geojson"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SCIMAP_DATABASE_URL": postgis_url,
           "SCIMAP_DATA_DIR": str(tmp_path / "files" / "data"), "SCIMAP_LAYERS_DIR": str(tmp_path / "files" / "layers"),
           "SCIMAP_AUDIT_FILE": str(tmp_path / "audit.jsonl")}

    def geo(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "geo", "import", str(good), *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=240, env=env)

    review = geo("--accept-flagged")
    assert review.returncode == 0, review.stderr
    version = review.stdout.split("--based-on ")[1].split()[0]
    assert version.startswith("pg")
    store = PostgisStore(postgis_url)
    stored = geo("--apply", "--accept-flagged", "--based-on", version)
    assert stored.returncode == 0 and "stored" in stored.stdout, stored.stderr
    h = store.history()
    assert len(h) >= 1 and set(h.note) == {f"import {good.name}"} and set(h.who) == {"cli"}
    assert store.version("parcels") != version
    again = geo("--apply", "--accept-flagged", "--based-on", version)  # the same review, after its own save
    assert again.returncode == 1 and "was changed since your review" in again.stderr
    assert len(store.history()) == len(h)
    assert not (tmp_path / "files").exists()  # nothing went to files: the database is the store

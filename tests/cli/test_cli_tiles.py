"""``python -m geo tiles`` as a subprocess: builds the tile set of the data the app serves (with SCIMAP_SYNTHETIC
parcels as the app adds them), finds it up to date the second time, and says in one line what is wrong otherwise."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import mapbox_vector_tile

from geo.core import tilegrid
from geo.io.tiles import TilesetTiles
from geo.pipeline.tileset import read_metadata

ROOT = Path(__file__).resolve().parents[2]


def tiles_cmd(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    return subprocess.run([sys.executable, "-m", "geo", "tiles", *args], cwd=ROOT, env=base | (env or {}),
                          capture_output=True, text=True, timeout=300)


def test_builds_the_set_the_app_serves_and_keeps_it(tmp_path):
    r = tiles_cmd("--out", str(tmp_path), env={"SCIMAP_SYNTHETIC": "1500"})
    assert r.returncode == 0, r.stderr
    sets = list(tmp_path.glob("parcels-*.pmtiles"))
    assert len(sets) == 1 and str(sets[0]) in r.stdout and "1,525 parcels" in r.stdout
    meta = read_metadata(sets[0])
    src = TilesetTiles(sets[0], meta)
    z = meta["parcel_min_zoom"]
    ids = {f["properties"]["id"] for t in tilegrid.tiles_of_box(tuple(meta["bounds_wgs84"]), z)
           for f in mapbox_vector_tile.decode(gzip.decompress(src.tile(*t)) if src.tile(*t) else b"")
           .get("parcels", {}).get("features", [])}
    assert len(ids) == 1525 and any(i.startswith("SYN-") for i in ids) and "HTS-T2-01" in ids
    stamp = sets[0].stat().st_mtime_ns
    again = tiles_cmd("--out", str(tmp_path), env={"SCIMAP_SYNTHETIC": "1500"})
    assert again.returncode == 0 and sets[0].stat().st_mtime_ns == stamp  # up to date: not rebuilt


def test_bad_input_is_one_line_and_status_1(tmp_path):
    missing = tiles_cmd("--data", str(tmp_path / "nowhere"), "--out", str(tmp_path))
    assert missing.returncode == 1 and "nowhere/projects.csv" in missing.stderr and "Traceback" not in missing.stderr
    blocked = tmp_path / "file"
    blocked.write_text("x")
    unwritable = tiles_cmd("--out", str(blocked / "sub"))
    assert unwritable.returncode == 1 and "cannot write the tile set" in unwritable.stderr
    assert "Traceback" not in unwritable.stderr
    bad = tiles_cmd("--out", str(tmp_path), env={"SCIMAP_SYNTHETIC": "many"})
    assert bad.returncode == 1 and "SCIMAP_SYNTHETIC" in bad.stderr and "Traceback" not in bad.stderr
    db = tiles_cmd("--out", str(tmp_path), env={"SCIMAP_DATABASE_URL": "postgresql://u:secret@127.0.0.1:1/x"})
    assert db.returncode == 0 and "cut per request" in db.stdout and "secret" not in db.stdout

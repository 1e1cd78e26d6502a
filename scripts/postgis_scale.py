"""Measure the PostGIS store on a synthetic cadastre: ``db load`` time, a viewport query on the GiST index, the
table's size and this process's peak memory.

    .venv/bin/python scripts/postgis_scale.py --parcels 100000            # a throwaway cluster (tests/postgis_cluster.py)
    SCIMAP_DATABASE_URL=postgresql://… .venv/bin/python scripts/postgis_scale.py --url-from-env --parcels 100000

The shipped data plus ``--parcels`` synthetic parcels (:mod:`geo.pipeline.synth`, seed 0) is written as a file
store in a temporary folder and loaded with :func:`geo.io.pgfiles.load_files`; the viewport is a street-level
view (0.04° × 0.03°) at the Science City, queried five times (median). With ``--url-from-env`` the database's
data is replaced (a test database only).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VIEW = (106.30, 29.52, 106.34, 29.55)


def _file_store(n: int, folder: Path) -> tuple[Path, Path]:
    from geo.pipeline import synth
    from geo.pipeline.build import geojson_text
    shutil.copytree(ROOT / "data", folder / "data", ignore=shutil.ignore_patterns(".store.lock", "audit.jsonl*"))
    shutil.copytree(ROOT / "layers", folder / "layers")
    d = synth.plan_data(n)
    (folder / "data" / "parcels.geojson").write_text(geojson_text(d.parcels), encoding="utf-8")
    d.projects.to_csv(folder / "data" / "projects.csv", index=False)
    return folder / "data", folder / "layers"


def _tiles(url: str) -> dict:
    """The database's vector tiles: opening the source (its zooms and classes), then every tile of the street view
    at the parcel layer's deepest zoom and of the district view in density cells, cut cold (no cache)."""
    from geo.core import tilegrid
    from geo.io.pgtiles import PostgisTiles
    t = time.perf_counter()
    src = PostgisTiles(url)
    out = {"tiles_open_s": round(time.perf_counter() - t, 2), "parcel_min_zoom": src.meta["parcel_min_zoom"]}
    for name, z in (("street", 15), ("district", 11)):
        times, size = [], 0
        for _, x, y in tilegrid.tiles_of_box(VIEW, z):
            t = time.perf_counter()
            size += len(src.tile(z, x, y))
            times.append(time.perf_counter() - t)
        out[f"{name}_tile_ms"] = round(1000 * statistics.median(times), 1)
        out[f"{name}_view_tiles"], out[f"{name}_view_kb"] = len(times), round(size / 1000)
    return out


def _measure(url: str, data: Path, layers: Path) -> dict:
    from geo.io import pgfiles, pgschema
    from geo.io.files import FileLayout
    out: dict = {}
    with pgschema.connect(url) as conn:
        pgschema.init(conn, url)
        t = time.perf_counter()
        out["parcels"] = pgfiles.load_files(conn, FileLayout(data, layers))["parcels"]
        out["db_load_s"] = round(time.perf_counter() - t, 2)
        times = []
        for _ in range(5):
            t = time.perf_counter()
            rows = conn.execute("SELECT feature::text, ST_AsBinary(geom) FROM scimap.parcels "
                                "WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)", VIEW).fetchall()
            times.append(time.perf_counter() - t)
        out["viewport_rows"], out["viewport_query_ms"] = len(rows), round(1000 * statistics.median(times), 1)
        out["table_mb"] = round(conn.execute("SELECT pg_total_relation_size('scimap.parcels')").fetchone()[0] / 1e6, 1)
    out.update(_tiles(url))
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def main() -> int:
    """Run the measurement and print it as JSON.

    Returns
    -------
    int
    """
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parcels", type=int, default=100_000)
    ap.add_argument("--url-from-env", action="store_true", help="use SCIMAP_DATABASE_URL (its data is replaced)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="scimap-scale-") as tmp:
        t = time.perf_counter()
        data, layers = _file_store(args.parcels, Path(tmp))
        made = round(time.perf_counter() - t, 1)
        if args.url_from_env:
            from geo import config
            result = _measure(config.settings().database_url, data, layers)
        else:
            from tests.postgis_cluster import start_cluster
            cluster = start_cluster()
            try:
                result = _measure(cluster.fresh_database(), data, layers)
            finally:
                cluster.stop()
    print(json.dumps({"synthetic_parcels": args.parcels, "generate_s": made, **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

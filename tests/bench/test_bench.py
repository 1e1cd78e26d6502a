"""The district-scale benchmark runs (reduced size in CI) and ours beats plain Folium where it matters."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_runs_at_reduced_size(tmp_path):
    out = tmp_path / "bench.json"
    r = subprocess.run([sys.executable, "-m", "bench.district_scale", "--sizes", "10000", "--json", str(out)], cwd=ROOT,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    rows = {(x["approach"], x["view"]): x for x in json.loads(out.read_text())}
    naive, district = rows[("naive", "district")], rows[("ours", "district")]
    assert "| parcels | approach |" in r.stdout
    assert district["payload_mb"] * 5 < naive["payload_mb"]
    assert district["first_render_s"] is not None and naive["first_render_s"] is not None
    assert district["pan_median_ms"] < naive["pan_median_ms"]


def test_tiles_bench_runs_at_ci_size(tmp_path):
    """`python -m bench.tiles` at 20,000 parcels: every measure present; the tile server holds no parcels (its
    memory is far below what the parcels take in the app) and a view's tiles come in well under a second."""
    out = tmp_path / "tiles.json"
    r = subprocess.run([sys.executable, "-m", "bench.tiles", "--sizes", "20000", "--json", str(out)], cwd=ROOT,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    row = json.loads(out.read_text())["rows"][0]
    for key in ("generate_s", "build_s", "set_mb", "start_s", "server_rss_mb", "view_tiles_ms", "first_render_s",
                "pan_frame_ms", "new_view_s", "filter_ms"):
        assert isinstance(row[key], (int, float)) and row[key] > 0, (key, row)
    assert row["parcels"] == 20000 and row["server_rss_mb"] < 400 and row["new_view_s"] < 5

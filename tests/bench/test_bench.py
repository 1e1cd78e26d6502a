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

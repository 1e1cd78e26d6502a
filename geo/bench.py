"""`python -m geo bench`: district-scale map cost, ours against plain Folium, in one run.

For each size (synthetic cadastral layers, reproducible by seed) and each approach:
- server: filter change → map ready (apply the filter, build the parcel layer, render the page);
- payload: bytes of the page the browser receives;
- first render: headless Chromium, navigation → every layer drawn (two animation frames after load);
- pan: median frame time over 30 `panBy` steps;
- memory: peak RSS of a fresh process that loads, filters and builds the page.
The naive approach is the whole GeoDataFrame through `folium.GeoJson` with default options.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAN_JS = """async () => {
  const map = Object.values(window).find(v => v && v instanceof L.Map);
  const times = [];
  let last = performance.now();
  for (let i = 0; i < 30; i++) {
    map.panBy([i % 2 ? -60 : 60, 40 * (i % 3 - 1)], {animate: false});
    await new Promise(r => requestAnimationFrame(r));
    const now = performance.now();
    times.push(now - last);
    last = now;
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}"""

DRAWN_JS = """() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))"""


def build_page(n: int, approach: str, view: str, seed: int = 0) -> tuple[str, float]:
    """(html, server seconds for filter change → map ready)."""
    import folium

    from geo import assets, join, mapview, synth
    from geo.filter import Filter, apply_filter
    data = synth.plan_data(n, seed)
    if approach == "naive":
        t = time.perf_counter()
        sel = apply_filter(data, Filter(sectors=["检验检测", "研发孵化", "软件信息", "数字文创", "科技金融",
                                                 "智能制造", "生物医药"]))
        m = folium.Map(location=[29.53, 106.33], zoom_start=11)
        gdf = sel.parcels[["parcel_id", "project_id", "name_zh", "sector_zh", "land_mu", "area_mu", "geometry"]]
        folium.GeoJson(gdf).add_to(m)
        html = m.get_root().render()
        return html, time.perf_counter() - t
    enriched, memb, pj = join.projects_enriched(data), join.project_memberships(data), join.parcels_joined(data)
    t = time.perf_counter()
    sel = apply_filter(data, Filter(sectors=["检验检测", "研发孵化", "软件信息", "数字文创", "科技金融",
                                             "智能制造", "生物医药"]), enriched, memb, pj)
    if view == "district":
        opts = mapview.MapOptions(basemap="none", prefer_canvas=True, center=(29.53, 106.33), zoom=11,
                                  asset_base="file://" + str(assets.STATIC_DIR))
        bounds, zoom = None, 11
    else:
        opts = mapview.MapOptions(basemap="none", prefer_canvas=True, center=(29.53, 106.33), zoom=15,
                                  asset_base="file://" + str(assets.STATIC_DIR))
        bounds, zoom = (106.315, 29.52, 106.345, 29.54), 15
    m = mapview.base_map(data, sel, opts, memb)
    mapview.parcel_layer(sel, opts, bounds, zoom).add_to(m)
    html = m.get_root().render()
    return html, time.perf_counter() - t


def _memory_child(n: int, approach: str, view: str) -> None:
    import resource
    html, _ = build_page(n, approach, view)
    print(json.dumps({"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "bytes": len(html)}))


def measure_browser(html_path: Path, timeout_s: float = 180) -> dict:
    from playwright.sync_api import sync_playwright

    from geo.factsheet import CHROMIUM
    args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--allow-file-access-from-files"]
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        page = b.new_page(viewport={"width": 1280, "height": 900})
        # plain folium loads Leaflet from a CDN: serve those requests from the vendored copy, so both
        # approaches are timed on the same local Leaflet (what matters is the data, not the network)
        from geo.assets import STATIC_DIR, local_url

        def route(r):
            u = r.request.url
            loc = local_url(u, str(STATIC_DIR))
            if loc:
                return r.fulfill(path=loc, content_type="text/css" if u.endswith(".css") else "application/javascript")
            if u.startswith("file://") or u.startswith("data:"):
                return r.continue_()
            return r.fulfill(status=200, body="")
        page.route("**/*", route)
        t0 = time.perf_counter()
        page.goto(html_path.as_uri(), wait_until="load", timeout=timeout_s * 1000)
        page.evaluate(DRAWN_JS)
        first = time.perf_counter() - t0
        pan = page.evaluate(PAN_JS)
        b.close()
    return {"first_render_s": round(first, 3), "pan_median_ms": round(pan, 1)}


def run(sizes: list[int], browser: bool = True, out: Path | None = None) -> list[dict]:
    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="scimap-bench-"))
    for n in sizes:
        for approach, view in (("naive", "district"), ("ours", "district"), ("ours", "street")):
            html, server_s = build_page(n, approach, view)
            page = tmp / f"{approach}-{view}-{n}.html"
            page.write_text(html, encoding="utf-8")
            mem = json.loads(subprocess.run([sys.executable, "-c", f"from geo.bench import _memory_child; "
                                             f"_memory_child({n}, '{approach}', '{view}')"],
                                            capture_output=True, text=True, timeout=900,
                                            cwd=Path(__file__).resolve().parent.parent).stdout.strip().splitlines()[-1])
            row = {"parcels": n, "approach": approach, "view": view, "server_s": round(server_s, 3),
                   "payload_mb": round(len(html.encode()) / 2**20, 2), "peak_mem_mb": round(mem["peak_mb"])}
            if browser:
                try:
                    row.update(measure_browser(page))
                except Exception as e:  # a page too big to load in time is a result too
                    row.update({"first_render_s": None, "pan_median_ms": None, "browser_error": str(e)[:80]})
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    if out:
        Path(out).write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
    return rows


def table(rows: list[dict]) -> str:
    head = "| parcels | approach | view | server s | payload MB | first render s | pan median ms | peak MB |"
    lines = [head, "|" + "---|" * 8]
    for r in rows:
        lines.append(f"| {r['parcels']:,} | {r['approach']} | {r['view']} | {r['server_s']} | {r['payload_mb']} | "
                     f"{r.get('first_render_s')} | {r.get('pan_median_ms')} | {r['peak_mem_mb']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse
    ap = argparse.ArgumentParser(prog="python -m geo bench")
    ap.add_argument("--sizes", default="1000,10000,50000,100000")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--json", type=Path, default=Path("bench/district_scale.json"))
    a = ap.parse_args(argv)
    rows = run([int(s) for s in a.sizes.split(",")], not a.no_browser, a.json)
    print(table(rows))
    return 0

"""Benchmark: filter change → redrawn map on the shipped data (server side and in Chromium).

Compares our map (one fixed style per category, escaped precomputed popups, local assets)
with the naive approach (every feature through one folium.GeoJson with a per-feature Python
style_function and a popup of all columns). Prints a table and writes bench/map_filter.json.

    .venv/bin/python bench/map_filter.py [--browser]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import folium  # noqa: E402

from geo.core.filter import Filter, apply_filter  # noqa: E402
from geo.io.files import load_all  # noqa: E402
from geo.render import mapview, safe_render  # noqa: E402
from geo.render.layers.parcels import parcel_layer  # noqa: E402
from geo.render.options import DEFAULT_CENTER, MapOptions  # noqa: E402
from ui import mapcache  # noqa: E402

FILTERS = [Filter(), Filter(sectors=["检验检测"]), Filter(sectors=["研发孵化"]), Filter(plans=["HTS"]),
           Filter(land_mu=(100, 1000)), Filter(districts=["沙坪坝区"])]


def ours(data, f, cache=None):
    """What the app does on a project-filter change: filter, get the base map (rendered once per zone
    selection: ui.mapcache / ui.mapframe), build the parcel layer and render its script (the base map is
    unchanged, so the browser keeps it and swaps the parcel layer). Bytes: the full page once, as on
    first load."""
    cache = cache or mapcache.BaseMapCache()
    t = time.perf_counter()
    sel = apply_filter(data, f)
    opts = MapOptions(basemap="none")
    base = cache.rendered(data, sel, opts)
    base.overlays([parcel_layer(sel, opts)], None)
    dt = time.perf_counter() - t
    page = mapview.base_map(data, sel, opts)
    parcel_layer(sel, opts).add_to(page)
    return dt, len(page.get_root().render().encode())


def naive(data, f):
    """The whole selection through folium.GeoJson with default options, a per-feature Python
    style_function and a popup of every attribute; folium's CDN assets."""
    with safe_render.plain_folium():  # folium as shipped
        return _naive(data, f)


def _naive(data, f):
    t = time.perf_counter()
    sel = apply_filter(data, f)  # the naive app recomputes the joins on every change
    both = [sel.zones, sel.parcels]
    m = folium.Map(location=DEFAULT_CENTER, zoom_start=11, tiles=None)
    colours = {}
    for g in both:
        g = g.copy()
        for c in g.columns:
            if c != "geometry" and g[c].dtype != object:
                g[c] = g[c].astype(object).where(g[c].notna(), None)
        fields = [c for c in g.columns if c != "geometry"]
        folium.GeoJson(g, style_function=lambda feat: {"color": colours.setdefault(
            feat["properties"].get("layer_id") or feat["properties"].get("sector_zh"), "#%06x" % (hash(str(feat)) & 0xFFFFFF))},
            popup=folium.GeoJsonPopup(fields=fields), tooltip=folium.GeoJsonTooltip(fields=fields[:2])).add_to(m)
    html = m.get_root().render()
    return time.perf_counter() - t, len(html.encode())


def browser_round_trip(n: int = 5) -> list[float]:
    from playwright.sync_api import sync_playwright

    from tests.browser_helpers import CHROMIUM, LAUNCH_ARGS, streamlit_server, wait_map
    times = []
    with streamlit_server() as url, sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url + "/?base=none")
        frame = wait_map(page)
        frame.locator("path.scimap-parcel").first.wait_for(state="attached", timeout=60000)
        for i in range(n):
            sector, expect = ("检验检测", 3) if i % 2 == 0 else ("研发孵化", 7)
            ms = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').nth(2)
            ms.click()
            page.keyboard.type(sector)
            t0 = time.perf_counter()  # from the choice being made (Enter) to the new parcels drawn
            page.keyboard.press("Enter")
            page.keyboard.press("Escape")
            while True:
                frame = wait_map(page)
                if frame.locator("path.scimap-parcel").count() == expect:
                    break
                time.sleep(0.02)
            times.append(time.perf_counter() - t0)
            page.goto(url + "/?base=none")
            frame = wait_map(page)
            frame.locator("path.scimap-parcel").first.wait_for(state="attached", timeout=60000)
        b.close()
    return times


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--browser", action="store_true", help="also time the round trip in headless Chromium")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    data = load_all()
    data.enriched, data.memberships  # noqa: B018  (derived once, outside the timings)
    rows = []
    cache = mapcache.BaseMapCache()  # one per browser session in the app
    ours(data, Filter(), cache)
    for f in FILTERS:
        o = [ours(data, f, cache) for _ in range(args.repeat)]
        nv = [naive(data, f) for _ in range(args.repeat)]
        rows.append({"filter": f.summary(), "ours_ms": statistics.median(x[0] for x in o) * 1000,
                     "ours_bytes": o[0][1], "naive_ms": statistics.median(x[0] for x in nv) * 1000,
                     "naive_bytes": nv[0][1]})
    print(f"{'filter':28} {'ours ms':>8} {'ours KB':>8} {'naive ms':>9} {'naive KB':>9}")
    for r in rows:
        print(f"{r['filter']:28} {r['ours_ms']:8.0f} {r['ours_bytes'] / 1024:8.0f} {r['naive_ms']:9.0f} {r['naive_bytes'] / 1024:9.0f}")
    out = {"server": rows}
    if args.browser:
        t = browser_round_trip()
        out["browser_round_trip_s"] = t
        print(f"browser: filter change → redrawn map, median {statistics.median(t):.2f} s over {len(t)} (min {min(t):.2f}, max {max(t):.2f})")
    (ROOT / "bench" / "map_filter.json").write_text(json.dumps(out, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

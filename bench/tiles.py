"""`python -m bench.tiles`: the parcel layer as vector tiles at city scale (issue 17), measured in one run.

For each size (synthetic parcels, :func:`geo.pipeline.synth.parcels`, seed 0, sectors drawn as the app's synthetic
layer does):
- **generate s**: the synthetic layer; **build s** and **set MB**: the PMTiles tile set
  (:func:`geo.pipeline.tileset.build_tileset`: GDAL cuts the parcels and label points, density cells per sector);
- **start s**: a tile server process (the same route and element as the app, :mod:`geo.io.tiles`, with no parcels
  held, only the memory-mapped tile set) from launch to its first answer;
- **server RSS MB**: that process's peak resident memory after the browser session;
- **view tiles ms**: server time to answer every tile of a street view (median of 5 views);
- in headless Chromium, 1280×900, street zoom 16 at the Science City:
  **first render s** (navigation → every tile of the view drawn), **pan frame ms** (median frame over 30 ``panBy``
  steps without animation), **new view s** (a pan by a whole view → its tiles fetched and drawn, median of 5),
  **filter ms** (a sector filter applied to the loaded tiles → drawn again).

    python -m bench.tiles [--sizes 20000,100000,1000000] [--json bench/tiles.json]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CENTER = (29.53, 106.33)
VIEWPORT = (1280, 900)
ZOOM = 16

STATE_JS = """() => { const map = Object.values(window).find(v => v && v instanceof L.Map);
  const layer = map && map._scimapTiles; if (!layer) return null;
  const t = Object.values(layer._tiles);
  return {tiles: t.length, loaded: t.filter(x => x.el.classList.contains('leaflet-tile-loaded')).length}; }"""
PAN_JS = """async () => { const map = Object.values(window).find(v => v && v instanceof L.Map); const times = [];
  let last = performance.now();
  for (let i = 0; i < 30; i++) { map.panBy([i % 2 ? -60 : 60, 40 * (i % 3 - 1)], {animate: false});
    await new Promise(r => requestAnimationFrame(r)); const now = performance.now(); times.push(now - last); last = now; }
  times.sort((a, b) => a - b); return times[15]; }"""
FILTER_JS = """async () => { const map = Object.values(window).find(v => v && v instanceof L.Map), layer = map._scimapTiles;
  const t0 = performance.now(); layer.scimapAllow(['检验检测']);
  const drawn = () => Object.values(layer._tiles).every(x => x.el.classList.contains('leaflet-tile-loaded'));
  await new Promise(r => setTimeout(r, 0));
  while (!drawn()) await new Promise(r => requestAnimationFrame(r));
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t0; }"""


def layer(n: int):
    """A synthetic cadastre of n parcels with the properties the tiles carry."""
    import numpy as np

    from geo.pipeline import synth
    g = synth.parcels(n)
    rng = np.random.default_rng(1)
    sec = rng.integers(0, len(synth.SECTORS), n)
    g["name_zh"] = [f"规划地块{i:06d}" for i in range(n)]
    g["name_en"] = [f"Planned parcel {i:06d}" for i in range(n)]
    g["sector_group_zh"] = [synth.SECTORS[k][2] for k in sec]
    g["sector_group_en"] = [synth.SECTORS[k][3] for k in sec]
    g["geometry_source"] = "surveyed"
    return g


def page_html(meta: dict, parcels) -> str:
    """The map page the tile server serves: a bare map with the app's tiled parcel layer."""
    import folium

    from geo.core.filter import Selection
    from geo.io.tiles import tile_url
    from geo.render import assets
    from geo.render.layers.tiled import tiled_layer
    from geo.render.options import MapOptions
    m = folium.Map(location=list(CENTER), zoom_start=ZOOM, tiles=None, prefer_canvas=True, zoom_control=False)
    sel = Selection(projects=None, parcels=parcels.head(2000), zones=None)
    tiled_layer(sel, MapOptions(lang="zh", basemap="none"), meta, tile_url(meta["key"]), None).add_to(m)
    assets.localize(m, "/app/static")
    return m.get_root().render()


def serve(path: str, port: int, html_file: str) -> None:
    """The tile server process: the tile route, the static folder and the page (no parcels held)."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from geo.io import tiles
    from geo.pipeline.tileset import read_metadata
    src = tiles.TilesetTiles(path, read_metadata(path))
    tiles.register(src)
    html = Path(html_file).read_text(encoding="utf-8")

    async def tile(request):
        p = request.path_params
        a = tiles.respond(p["key"], p["z"], p["x"], p["y"])
        return Response(a.body, status_code=a.status, headers=a.headers)

    async def page(request):
        return HTMLResponse(html)

    async def rss(request):
        status = Path("/proc/self/status").read_text()
        return Response(json.dumps({k: int(v.split()[0]) // 1024 for k, v in
                                    (line.split(":", 1) for line in status.splitlines()) if k in ("VmRSS", "VmHWM")}))
    app = Starlette(routes=[Route("/", page), Route("/rss", rss), Route(tiles.ROUTE, tile),
                            Mount("/app/static", StaticFiles(directory=str(ROOT / "static")))])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def view_tiles_ms(path: Path, meta: dict) -> float:
    """Median server time to answer every tile of a street view (5 views across the layer)."""
    from geo.core import tilegrid
    from geo.io import tiles
    from geo.render.layers.parcels import viewport_bounds
    src = tiles.TilesetTiles(path, meta)
    key = tiles.register(src)
    times = []
    for k in range(5):
        c = (CENTER[0] + 0.02 * (k - 2), CENTER[1] + 0.02 * (k - 2))
        z = min(ZOOM, meta["max_zoom"])
        t = time.perf_counter()
        for _, x, y in tilegrid.tiles_of_box(viewport_bounds(c, ZOOM, VIEWPORT), z):
            tiles.respond(key, str(z), str(x), str(y))
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 1)


def browser(url: str) -> dict:
    """First render, pan frames, a new view, a filter: in headless Chromium."""
    from playwright.sync_api import sync_playwright

    from tests.browser_helpers import CHROMIUM, LAUNCH_ARGS

    def settled(page, timeout=60.0):
        end = time.time() + timeout
        while time.time() < end:
            s = page.evaluate(STATE_JS)
            if s and s["tiles"] and s["loaded"] == s["tiles"]:
                return
            time.sleep(0.01)
        raise RuntimeError("tiles never drawn")

    out = {}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = b.new_page(viewport={"width": VIEWPORT[0], "height": VIEWPORT[1]})
        t = time.time()
        page.goto(url)
        settled(page)
        out["first_render_s"] = round(time.time() - t, 2)
        out["pan_frame_ms"] = round(page.evaluate(PAN_JS), 1)
        settled(page)
        views = []
        for k in range(5):
            t = time.time()
            page.evaluate(f"() => {{ Object.values(window).find(v => v instanceof L.Map).panBy([{(-1) ** k * 1300}, 300], "
                          "{animate: false}); }")
            settled(page)
            views.append(time.time() - t)
        out["new_view_s"] = round(statistics.median(views), 3)
        out["filter_ms"] = round(page.evaluate(FILTER_JS), 1)
        b.close()
    return out


def measure(n: int, folder: Path) -> dict:
    from geo.pipeline import tileset
    row: dict = {"parcels": n}
    t = time.perf_counter()
    g = layer(n)
    row["generate_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    path = folder / f"parcels-{n}.pmtiles"
    meta = tileset.build_tileset(g, path, tileset.tileset_key(g))
    row["build_s"] = round(time.perf_counter() - t, 1)
    row["set_mb"] = round(path.stat().st_size / 1e6, 1)
    row["parcel_min_zoom"] = meta["parcel_min_zoom"]
    row["view_tiles_ms"] = view_tiles_ms(path, meta)
    html = folder / f"page-{n}.html"
    html.write_text(page_html(meta, g), encoding="utf-8")
    del g
    from tests.browser_helpers import free_port
    port = free_port()
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.tiles", "--serve", str(path), str(port), str(html)], cwd=ROOT)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                urllib.request.urlopen(url + "/rss", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        row["start_s"] = round(time.perf_counter() - t, 2)
        row.update(browser(url))
        row["server_rss_mb"] = json.loads(urllib.request.urlopen(url + "/rss").read())["VmHWM"]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return row


def main() -> int:
    """Measure and print (and write) the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="20000,100000")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--serve", nargs=3, metavar=("SET", "PORT", "HTML"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.serve:
        serve(args.serve[0], int(args.serve[1]), args.serve[2])
        return 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="scimap-bench-tiles-") as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            rows.append(measure(n, Path(tmp)))
            print(json.dumps(rows[-1]), flush=True)
    if args.json:
        args.json.write_text(json.dumps({"date": time.strftime("%Y-%m-%d"), "rows": rows}, indent=1) + "\n")
    return 0 if all(math.isfinite(r.get("first_render_s", math.nan)) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

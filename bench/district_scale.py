"""`python -m bench.district_scale`: district-scale map cost, ours against plain Folium, in one run.

For each size (synthetic cadastral layers, reproducible by seed) and each approach:
- server: a filter change (five sectors ↔ all parcels) to map ready, with the data loaded and
  prepared as the app holds it: apply the filter, get the base map (ours: cached per zone
  selection), build the parcel layer and render the scripts st_folium sends; "cold" adds building
  the base map (first view, or a zone filter);
- payload: bytes of the page the browser receives, showing the whole layer (no filter);
- first render: headless Chromium, navigation → every layer drawn (two animation frames after load);
- pan / zoom: median frame time over 30 `panBy` steps and 10 zoom steps (no animation: every step
  redraws every layer, the worst case — a mouse drag only translates the canvas until it ends);
- features: Leaflet layers with a feature in the page (what the browser draws);
- memory: peak RSS of a fresh process that serves the view: loads the shipped data and the
  district layer from GeoParquet, prepares it, filters and builds the page.
Views: "district" = the viewport at zoom 11, "street" = at zoom 16 (1280×900 px, centre 科学城).
The naive approach is the whole GeoDataFrame through `folium.GeoJson` with default options.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CENTER = (29.53, 106.33)
VIEWPORT = (1280, 900)
VIEWS = {"district": 11, "street": 16}
SECTORS_CHANGE = ["检验检测", "研发孵化", "软件信息", "数字文创", "科技金融"]

def _frames_js(steps: int, step: str, settle: bool = False) -> str:
    """JS returning the median frame time (ms) over `steps` calls of `step` (uses `map` and `i`), one
    animation frame each; `settle` first waits for a frame so the first interval is a whole one."""
    return f"""async () => {{
  const map = Object.values(window).find(v => v && v instanceof L.Map);
  const times = [];
  {"await new Promise(r => requestAnimationFrame(r));" if settle else ""}
  let last = performance.now();
  for (let i = 0; i < {steps}; i++) {{
    {step};
    await new Promise(r => requestAnimationFrame(r));
    const now = performance.now();
    times.push(now - last);
    last = now;
  }}
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}}"""


PAN_JS = _frames_js(30, "map.panBy([i % 2 ? -60 : 60, 40 * (i % 3 - 1)], {animate: false})")
ZOOM_JS = _frames_js(10, "map.setZoom(map.getZoom() + (i % 2 ? -1 : 1), {animate: false})", settle=True)

FEATURES_JS = """() => { const map = Object.values(window).find(v => v && v instanceof L.Map); let n = 0;
  map.eachLayer(l => { if (l.feature) n++; }); return n; }"""

DRAWN_JS = """() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))"""


def viewport_bounds(center=CENTER, zoom: int = 11, size=VIEWPORT) -> tuple[float, float, float, float]:
    from geo.render.layers.parcels import viewport_bounds as vb
    return vb(center, zoom, size)


def save_layer(data, folder: Path) -> None:
    """The synthetic projects and parcels as (Geo)Parquet: what a bureau's prepared layer looks like on disk."""
    from geo.io.files import load_all
    base = load_all()
    extra = ~data.projects.project_id.isin(base.projects.project_id)
    data.projects[extra].to_parquet(folder / "projects.parquet")
    data.parcels[~data.parcels.parcel_id.isin(base.parcels.parcel_id)].to_parquet(folder / "parcels.parquet")


def load_layer(folder: Path):
    """Shipped data + the prepared layer (the serve path of the memory measurement)."""
    import geopandas as gpd
    import pandas as pd

    from geo.core.crs import WGS84
    from geo.core.model import PlanData
    from geo.io.files import load_all
    base = load_all()
    projects = pd.read_parquet(folder / "projects.parquet")
    parcels = gpd.read_parquet(folder / "parcels.parquet")
    return PlanData(pd.concat([base.projects, projects], ignore_index=True), base.targets, base.zones,
                    gpd.GeoDataFrame(pd.concat([base.parcels, parcels], ignore_index=True), geometry="geometry",
                                     crs=WGS84), base.districts, base.manifest, base.sources, [], base.pois)


def _render(m, fgs=()) -> tuple[str, list[str]]:
    """What st_folium computes per rerun: the map script and each feature group's script."""
    from streamlit_folium import _get_feature_group_string, _get_map_string
    m.get_root().render()
    return _get_map_string(m), [_get_feature_group_string(fg, map=m, idx=i) for i, fg in enumerate(fgs)]


class Server:
    """One approach's server side for one data set, prepared as the app holds it."""

    def __init__(self, data, approach: str):
        from ui import mapcache
        self.data, self.approach = data, approach
        if approach == "ours":
            import gc
            data.enriched, data.memberships, data.parcels_joined  # noqa: B018  (derived once, as the app holds them)
            gc.freeze()  # as the app does after loading: the prepared frames are never collected
            self.cache = mapcache.BaseMapCache()

    def page(self, sectors: list[str] | None, view: str) -> str:
        """The full page for a view (what the benchmark loads in Chromium); sectors None = every parcel."""
        import folium

        from geo.render import assets, mapview, safe_render
        from geo.render.layers.parcels import parcel_layer
        sel = self._select(sectors)
        if self.approach == "naive":
            with safe_render.plain_folium():
                m = folium.Map(location=list(CENTER), zoom_start=VIEWS[view])
                folium.GeoJson(self._naive_gdf(sel)).add_to(m)
                return m.get_root().render()
        opts = self._opts(view)
        opts.asset_base = "file://" + str(assets.STATIC_DIR)
        m = mapview.base_map(self.data, sel, opts)
        parcel_layer(sel, opts, viewport_bounds(zoom=VIEWS[view]), VIEWS[view]).add_to(m)
        return m.get_root().render()

    def change(self, sectors: list[str], view: str) -> float:
        """Seconds from a filter change to the map scripts ready."""
        import folium

        from geo.render import safe_render
        from geo.render.layers.parcels import parcel_layer
        t = time.perf_counter()
        sel = self._select(sectors)
        if self.approach == "naive":
            with safe_render.plain_folium():
                m = folium.Map(location=list(CENTER), zoom_start=VIEWS[view])
                folium.GeoJson(self._naive_gdf(sel)).add_to(m)
                _render(m)
        else:  # the app's frame (ui.mapframe): the base map rendered once, only the parcel layer per change
            opts = self._opts(view)
            base = self.cache.rendered(self.data, sel, opts)
            base.overlays([parcel_layer(sel, opts, viewport_bounds(zoom=VIEWS[view]), VIEWS[view])], None)
        return time.perf_counter() - t

    def _select(self, sectors):
        from geo.core.filter import Filter, apply_filter
        f = Filter(sectors=list(sectors or []))
        return apply_filter(self.data, f)

    @staticmethod
    def _naive_gdf(sel):
        return sel.parcels[["parcel_id", "project_id", "name_zh", "sector_zh", "land_mu", "area_mu", "geometry"]]

    @staticmethod
    def _opts(view: str):
        from geo.render.options import MapOptions
        return MapOptions(basemap="none", prefer_canvas=True, center=CENTER, zoom=VIEWS[view])


def server_times(server: Server, view: str) -> tuple[float, float]:
    """(warm, cold): a sector change with the base map cached; the first view (base map built)."""
    from geo.pipeline.synth import SECTORS
    every = [s[0] for s in SECTORS]
    cold = server.change(every, view)
    warm = []
    for sectors in (SECTORS_CHANGE, every, SECTORS_CHANGE):
        warm.append(server.change(sectors, view))
    return sorted(warm)[1], cold


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM). Not getrusage's ru_maxrss: that survives exec, so a
    child forked from the big benchmark process would report the parent's size."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _memory_child(folder: str, approach: str, view: str) -> None:
    server = Server(load_layer(Path(folder)), approach)
    html = server.page(None, view)
    print(json.dumps({"peak_mb": peak_rss_mb(), "bytes": len(html)}))


def measure_browser(html_path: Path, timeout_s: float = 180) -> dict:
    from playwright.sync_api import sync_playwright

    from geo.config import settings
    args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--allow-file-access-from-files"]
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(settings().chromium), headless=True, args=args)
        page = b.new_page(viewport={"width": 1280, "height": 900})
        # plain folium loads Leaflet from a CDN: serve those requests from the vendored copy, so both
        # approaches are timed on the same local Leaflet (what matters is the data, not the network)
        from geo.render.assets import STATIC_DIR, local_url

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
        features = page.evaluate(FEATURES_JS)
        pan = page.evaluate(PAN_JS)
        zoom = page.evaluate(ZOOM_JS)
        b.close()
    return {"first_render_s": round(first, 3), "pan_median_ms": round(pan, 1), "zoom_median_ms": round(zoom, 1),
            "features": features}


def run(sizes: list[int], browser: bool = True, out: Path | None = None) -> list[dict]:
    from geo.pipeline import synth
    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="scimap-bench-"))
    root = Path(__file__).resolve().parent.parent
    for n in sizes:
        data = synth.plan_data(n, 0)
        folder = tmp / f"layer-{n}"
        folder.mkdir()
        save_layer(data, folder)
        for approach, views in (("naive", ("district",)), ("ours", ("district", "street"))):
            server = Server(data, approach)
            for view in views:
                warm, cold = server_times(server, view)
                html = server.page(None, view)
                page = tmp / f"{approach}-{view}-{n}.html"
                page.write_text(html, encoding="utf-8")
                mem = json.loads(subprocess.run(
                    [sys.executable, "-c", f"from bench.district_scale import _memory_child; _memory_child({str(folder)!r}, "
                                           f"{approach!r}, {view!r})"],
                    capture_output=True, text=True, timeout=900, cwd=root).stdout.strip().splitlines()[-1])
                row = {"parcels": n, "approach": approach, "view": view, "server_s": round(warm, 3),
                       "server_cold_s": round(cold, 3), "payload_mb": round(len(html.encode()) / 2**20, 2),
                       "peak_mem_mb": round(mem["peak_mb"])}
                if browser:
                    try:
                        row.update(measure_browser(page))
                    except Exception as e:  # a page too big to load in time is a result too
                        row.update({"first_render_s": None, "pan_median_ms": None, "browser_error": str(e)[:80]})
                rows.append(row)
                print(json.dumps(row, ensure_ascii=False), flush=True)
            del server
    if out:
        Path(out).write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
    return rows


def table(rows: list[dict]) -> str:
    head = ("| parcels | approach | view | server s (cold) | payload MB | features drawn | first render s "
            "| pan median ms | zoom median ms | peak MB |")
    lines = [head, "|" + "---|" * 10]
    for r in rows:
        lines.append(f"| {r['parcels']:,} | {r['approach']} | {r['view']} | {r['server_s']} ({r['server_cold_s']}) | "
                     f"{r['payload_mb']} | {r.get('features', '')} | {r.get('first_render_s')} | "
                     f"{r.get('pan_median_ms')} | {r.get('zoom_median_ms')} | {r['peak_mem_mb']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse
    ap = argparse.ArgumentParser(prog="python -m bench.district_scale")
    ap.add_argument("--sizes", default="1000,10000,50000,100000")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--json", type=Path, default=Path("bench/district_scale.json"))
    a = ap.parse_args(argv)
    rows = run([int(s) for s in a.sizes.split(",")], not a.no_browser, a.json)
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

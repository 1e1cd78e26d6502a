"""The app on a 20,000-parcel layer drawn from its own vector tiles, in headless Chromium (issue 17's CI size).

Checks what a planner sees and does: the parcels come as tiles from the app's tile route (no GeoJSON parcels in the
page), a pan loads tiles without a rerun of the script, a click on a tiled parcel shows its full record beside the
map, a sector filter keeps only that sector's parcels (counted in the tiles' features the renderer keeps and in the
painted pixels), zooming out shows density cells, a filter the tiles cannot express (a 亩 range) falls back to the
parcels of the view, and on Gaode tiles (GCJ-02) each tile is drawn shifted by the GCJ-02 offset the server computes.
"""

import json
import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect, sync_playwright

from geo.core.gcj02 import wgs84_to_gcj02
from geo.core.tiling import sector_of
from tests.browser_helpers import (
    CHROMIUM,
    LAUNCH_ARGS,
    MAP_IFRAME,
    block_external,
    map_frame,
    poll_map,
    streamlit_server,
    wait_map,
)
from tests.postgis_cluster import postgis_cluster, postgis_url  # noqa: F401 — fixtures

ROOT = Path(__file__).resolve().parents[2]
ART = ROOT / "artifacts"
N = 20_000

TILE_STATE = """() => { const map = Object.values(window).find(v => v && v instanceof L.Map);
  if (!map) return null;
  const layer = map._scimapTiles, s = {tiled: !!(layer && map.hasLayer(layer)), geojsonParcels: 0, zoom: map.getZoom()};
  map.eachLayer(l => { if (l.feature && l.feature.properties._k === 'p') s.geojsonParcels++; });
  if (!s.tiled) return s;
  s.tiles = Object.keys(layer._tiles).length;
  s.loaded = Object.values(layer._tiles).filter(t => t.el.classList.contains('leaflet-tile-loaded')).length;
  s.parcels = 0; s.kept = 0; s.cells = 0; s.sectors = {};
  layer.views.get('').tileCache.cache.forEach(entry => {
    (entry.data.get('parcels') || []).forEach(f => { s.parcels++; if (layer.scimapKeep(f.props)) { s.kept++; s.sectors[f.props.s] = 1; } });
    s.cells += (entry.data.get('density') || []).length; });
  let painted = 0, total = 0;
  Object.values(layer._tiles).forEach(t => { const c = t.el; if (!c.width) return;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4 * 7) { total++; if (d[i] > 0) painted++; } });
  s.painted = total ? painted / total : 0;
  return s; }"""

PICK = """() => { const map = Object.values(window).find(v => v && v instanceof L.Map), layer = map._scimapTiles;
  const size = map.getSize();
  for (let y = 200; y < size.y - 200; y += 17) for (let x = 200; x < size.x - 300; x += 17) {
    const ll = map.containerPointToLatLng([x, y]);
    const found = (layer.queryTileFeaturesDebug(ll.lng, ll.lat, 0).get('') || []).filter(
      f => f.layerName === 'parcels' && layer.scimapKeep(f.feature.props));
    if (found.length === 1) { const p = found[0].feature.props;
      // the same parcel 6 px around: a click lands inside it
      const ok = [[6, 0], [-6, 0], [0, 6], [0, -6]].every(([dx, dy]) => {
        const l2 = map.containerPointToLatLng([x + dx, y + dy]);
        const f2 = (layer.queryTileFeaturesDebug(l2.lng, l2.lat, 0).get('') || []).filter(f => f.layerName === 'parcels');
        return f2.length === 1 && f2[0].feature.props.id === p.id; });
      if (ok) return {x, y, id: p.id, sector: p.s}; } }
  return null; }"""


def poll(page, cond, timeout=60):
    return poll_map(page, TILE_STATE, cond, timeout)


@pytest.fixture(scope="module")
def server():
    ART.mkdir(exist_ok=True)
    with streamlit_server({"SCIMAP_SYNTHETIC": str(N)}) as url:
        yield url


def test_tiled_layer_in_the_app(server):
    timings = {}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = b.new_page(viewport={"width": 1500, "height": 1300})
        external: list[str] = []
        block_external(page, external)
        tile_requests: list[str] = []
        page.on("request", lambda r: tile_requests.append(r.url) if "/tiles/" in r.url else None)
        sent: list[float] = []
        page.on("websocket", lambda ws: ws.on("framesent", lambda _: sent.append(time.time())))
        t = time.time()
        page.goto(server + "/?base=none&lat=29.53&lon=106.33&z=16")
        wait_map(page, timeout=240000)
        s = poll(page, lambda s: s.get("tiled") and s["loaded"] > 0 and s["parcels"] > 0, timeout=240)
        timings["open_street_view_s"] = round(time.time() - t, 2)
        assert s["geojsonParcels"] == 0 and s["kept"] == s["parcels"]  # every parcel from the tiles, none filtered
        assert tile_requests and all("/tiles/" in u and u.endswith(".mvt") for u in tile_requests)
        assert len(s["sectors"]) >= 5 and s["painted"] > 0.2
        page.screenshot(path=str(ART / "browser_tiles_street.png"))

        # a pan: new tiles come from the route, the script does not run again (nothing sent to the server)
        time.sleep(1.5)
        n_req, n_sent = len(tile_requests), len(sent)
        t = time.time()
        map_frame(page).evaluate("() => { Object.values(window).find(v => v instanceof L.Map).panBy([1400, 0], {animate: false}); }")
        poll(page, lambda s: s.get("tiled") and s["loaded"] == s["tiles"] and len(tile_requests) > n_req, timeout=60)
        timings["pan_to_new_tiles_s"] = round(time.time() - t, 2)
        time.sleep(1.0)
        assert len(sent) == n_sent, "a pan made the page talk to the server (a rerun)"
        link = parse_qs(urlsplit(page.url).query)  # the link follows the view (moved ~0.03° east) without a rerun
        assert float(link["lon"][0]) > 106.345 and link["z"] == ["16"], page.url

        # a click on a tiled parcel: its full record beside the map
        iframe = page.locator(MAP_IFRAME).last
        iframe.scroll_into_view_if_needed()
        pick = map_frame(page).evaluate(PICK)
        assert pick and pick["id"].startswith("SYN-"), pick
        box = iframe.bounding_box()
        t = time.time()
        page.mouse.click(box["x"] + pick["x"], box["y"] + pick["y"])
        details = page.locator('[data-testid="stColumn"]').filter(has_text="要素详情").last
        expect(details.get_by_text(pick["id"], exact=True).first).to_be_visible(timeout=30000)
        expect(details.get_by_text("规划地块" + pick["id"][4:]).first).to_be_visible(timeout=30000)  # its name
        expect(details.get_by_text("synthetic benchmark layer").first).to_be_visible(timeout=30000)
        timings["click_to_details_s"] = round(time.time() - t, 2)
        assert page.get_by_text(pick["id"]).count() >= 1
        s = poll(page, lambda s: s.get("tiled") and s["loaded"] > 0)
        page.screenshot(path=str(ART / "browser_tiles_click.png"))

        # sector filter: the map fits to the sector's parcels (zoomed out: density cells of that sector, and their
        # legend); back at street zoom the renderer keeps only that sector's parcels, and fewer pixels are painted
        before = s["painted"]
        ms = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').nth(2)
        t = time.time()
        ms.click()
        page.keyboard.type("检验检测")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        s = poll(page, lambda s: s.get("tiled") and s["zoom"] <= 12 and s["cells"] > 0 and s["loaded"] == s["tiles"],
                 timeout=60)
        timings["sector_filter_to_map_s"] = round(time.time() - t, 2)
        expect(map_frame(page).locator(".scimap-legend")).to_contain_text("地块数 / 网格", timeout=10000)
        expect(page).to_have_url(re.compile("sector="), timeout=15000)
        page.screenshot(path=str(ART / "browser_tiles_density.png"))
        map_frame(page).evaluate("() => { Object.values(window).find(v => v instanceof L.Map).setView([29.53, 106.36], 16, {animate: false}); }")
        s = poll(page, lambda s: s.get("tiled") and s["zoom"] == 16 and s["loaded"] == s["tiles"] and s["kept"] > 0,
                 timeout=60)
        assert set(s["sectors"]) == {"检验检测"} and s["kept"] < s["parcels"] / 3, s
        assert s["painted"] < before * 0.6, (s, before)
        page.screenshot(path=str(ART / "browser_tiles_sector.png"))

        # a filter the tiles cannot express (a 亩 range): the parcels of the view, as before
        page.goto(server + "/?base=none&lat=29.53&lon=106.33&z=16&mu=5~20")
        wait_map(page, timeout=120000)
        s = poll(page, lambda s: not s.get("tiled") and s["geojsonParcels"] > 0, timeout=120)
        assert external == [], sorted(set(external))[:5]
        b.close()
    (ART / "tiles_browser.json").write_text(json.dumps(timings, indent=1))
    print(timings)


def test_tiles_on_gaode_are_shifted_to_gcj02(server):
    """On Gaode's basemap (GCJ-02) the tiles are drawn where the shifted parcels belong: the offset of each tile
    is the GCJ-02 shift at its centre, in pixels (within a pixel of the server's transform)."""
    shift_js = """() => { const map = Object.values(window).find(v => v && v instanceof L.Map), layer = map._scimapTiles;
      const key = Object.keys(layer._tiles)[0], c = layer._tiles[key].coords;
      const own = layer._getTilePos(c), plain = L.GridLayer.prototype._getTilePos.call(layer, c);
      const size = layer.getTileSize(), mid = map.unproject(c.scaleBy(size).add(size.divideBy(2)), c.z);
      return {dx: own.x - plain.x, dy: own.y - plain.y, lat: mid.lat, lng: mid.lng, z: c.z}; }"""
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = b.new_page(viewport={"width": 1300, "height": 1100})
        block_external(page, [])
        page.goto(server + "/?lat=29.53&lon=106.33&z=16")  # the default basemap: Gaode
        wait_map(page, timeout=240000)
        poll(page, lambda s: s.get("tiled") and s["loaded"] > 0, timeout=240)
        got = map_frame(page).evaluate(shift_js)
        glon, glat = wgs84_to_gcj02(got["lng"], got["lat"])
        scale = 256 * 2 ** got["z"] / 360.0  # px per degree of longitude at the tile's zoom
        import math
        want_dx = (float(glon) - got["lng"]) * scale
        merc = lambda lat: math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))  # noqa: E731
        want_dy = -(merc(float(glat)) - merc(got["lat"])) * scale
        assert abs(got["dx"] - want_dx) <= 1.0 and abs(got["dy"] - want_dy) <= 1.0, (got, want_dx, want_dy)
        assert abs(want_dx) > 100  # ~500 m at zoom 16: a real shift, not zero
        covered = map_frame(page).evaluate("""() => { const map = Object.values(window).find(v => v && v instanceof L.Map);
          const layer = map._scimapTiles, box = map.getContainer().getBoundingClientRect();
          return [[8, 8], [box.width - 8, 8], [8, box.height - 8], [box.width - 8, box.height - 8]].map(([x, y]) =>
            Object.values(layer._tiles).some(t => { const r = t.el.getBoundingClientRect();
              return r.left <= box.left + x && box.left + x < r.right && r.top <= box.top + y && box.top + y < r.bottom; })); }""")
        assert covered == [True] * 4, covered  # the shifted tiles still cover the whole view (no blank band)
        b.close()


def test_sector_property_is_the_colour_rule():
    """The tiles' sector property is the map's colour rule: the first of a project's sector groups."""
    import pandas as pd
    got = sector_of(pd.DataFrame({"sector_group_zh": ["研发孵化;软件信息", None, " 检验检测 "]}))
    assert got.tolist() == ["研发孵化", "", "检验检测"]


@pytest.mark.postgis
def test_tiles_from_postgis_when_it_is_the_store(postgis_url, tmp_path):  # noqa: F811 — the fixture
    """With the database as the store, the map's tiles are cut by PostGIS (their key is the database's), and a
    click on a tiled parcel shows its record."""
    import shutil

    from geo.io import pgfiles, pgschema
    from geo.io.files import FileLayout
    from geo.io.pgtiles import PostgisTiles
    from geo.pipeline import synth
    from geo.pipeline.build import geojson_text

    data, layers = tmp_path / "data", tmp_path / "layers"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns(".store.lock", "audit.jsonl*", "__pycache__"))
    shutil.copytree(ROOT / "layers", layers, ignore=shutil.ignore_patterns("__pycache__"))
    d = synth.plan_data(5000, 11)
    (data / "parcels.geojson").write_text(geojson_text(d.parcels), encoding="utf-8")
    d.projects.to_csv(data / "projects.csv", index=False)
    with pgschema.connect(postgis_url) as conn:
        pgschema.init(conn, postgis_url)
        pgfiles.load_files(conn, FileLayout(data, layers))
    key = PostgisTiles(postgis_url).key
    with streamlit_server({"SCIMAP_DATABASE_URL": postgis_url, "SCIMAP_TILES_DIR": str(tmp_path / "no-tiles")}) as url, \
            sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = b.new_page(viewport={"width": 1500, "height": 1300})
        block_external(page, [])
        seen: list[str] = []
        page.on("response", lambda r: seen.append(f"{r.status} {r.url}") if "/tiles/" in r.url else None)
        page.goto(url + "/?base=none&lat=29.53&lon=106.33&z=16")
        wait_map(page, timeout=240000)
        s = poll(page, lambda s: s.get("tiled") and s["loaded"] == s["tiles"] and s["parcels"] > 0, timeout=240)
        assert s["geojsonParcels"] == 0 and len(s["sectors"]) >= 5
        assert seen and all(f"/tiles/{key}/" in u and u.startswith("200 ") for u in seen), seen[:3]
        assert not (tmp_path / "no-tiles").exists()  # no tile set built: the database cut the tiles
        iframe = page.locator(MAP_IFRAME).last
        iframe.scroll_into_view_if_needed()
        pick = map_frame(page).evaluate(PICK)
        assert pick, "no parcel to click"
        box = iframe.bounding_box()
        page.mouse.click(box["x"] + pick["x"], box["y"] + pick["y"])
        details = page.locator('[data-testid="stColumn"]').filter(has_text="要素详情").last
        expect(details.get_by_text(pick["id"], exact=True).first).to_be_visible(timeout=30000)
        page.screenshot(path=str(ART / "browser_tiles_postgis.png"))
        b.close()

"""The app itself on a 100,000-parcel layer, in headless Chromium, with a filter the vector tiles cannot express (a
亩 range: :mod:`ui.tiled`), so the page sends the parcels itself: the map opens at street zoom with
the parcels of the view (Canvas, lean properties), follows pans and zooms, filters, and a click on a
parcel opens its popup and its full record beside the map; the promoter page ranks the layer. Timings go to artifacts/ (not asserted
tightly: the benchmark measures speed, this test measures behaviour)."""

import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from geo.render.layers import parcels as parcel_layers
from tests.browser_helpers import (
    CHROMIUM,
    LAUNCH_ARGS,
    MAP_IFRAME,
    block_external,
    map_view,
    poll_map,
    streamlit_server,
    wait_map,
)
from tests.browser_helpers import (
    map_frame as frame_of,
)

ROOT = Path(__file__).resolve().parents[2]
ART = ROOT / "artifacts"
N = 100_000

MAP_STATE = """() => { const map = Object.values(window).find(v => v && v instanceof L.Map);
  if (!map) return null;
  const s = {p: 0, cell: 0, z: 0, sectors: {}, outside: 0, svgParcels: document.querySelectorAll('path.scimap-parcel').length};
  const b = map.getBounds(), w = b.getEast() - b.getWest(), h = b.getNorth() - b.getSouth();
  // what the server sends: the view (as reported, or estimated before the map reports it) padded by a quarter;
  // nothing may lie further than two view sizes away
  const pad = L.latLngBounds([b.getSouth() - 2 * h, b.getWest() - 2 * w], [b.getNorth() + 2 * h, b.getEast() + 2 * w]);
  map.eachLayer(l => { if (!l.feature) return; const k = l.feature.properties._k;
    if (k === 'p') { s.p++; s.sectors[l.feature.properties._s] = 1; if (!pad.intersects(l.getBounds())) s.outside++; }
    else if (k === 'cell') s.cell++; else if (k === 'z') s.z++; });
  s.zoom = map.getZoom(); s.bounds = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
  s.canvas = !!map.options.preferCanvas; return s; }"""

PICK_PARCEL = """() => { const map = Object.values(window).find(v => v && v instanceof L.Map);
  const size = map.getSize(); let best = null;
  map.eachLayer(l => { if (!l.feature || l.feature.properties._k !== 'p' || best) return;
    const pt = map.latLngToContainerPoint(l.getCenter());
    if (pt.x > 150 && pt.y > 150 && pt.x < size.x - 250 && pt.y < size.y - 150)
      best = {x: pt.x, y: pt.y, id: l.feature.properties.project_id, name: l.feature.properties._n}; });
  return best; }"""


def map_frame(page):
    wait_map(page, timeout=240000)
    return frame_of(page)


def poll(page, cond, timeout=60):
    return poll_map(page, MAP_STATE, cond, timeout, frame_timeout=240000)


@pytest.fixture(scope="module")
def server():
    ART.mkdir(exist_ok=True)
    with streamlit_server({"SCIMAP_SYNTHETIC": str(N)}) as url:
        yield url


def test_large_layer_in_the_app(server):
    timings = {}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = b.new_page(viewport={"width": 1500, "height": 1300})
        external: list[str] = []
        block_external(page, external)
        t = time.time()
        page.goto(server + "/?base=none&lat=29.53&lon=106.33&z=16&mu=0~500")  # 亩 ≤ 500: not a sector-only selection
        s = poll(page, lambda s: s["p"] > 0, timeout=240)
        timings["open_street_view_s"] = round(time.time() - t, 2)
        assert s["canvas"] and s["svgParcels"] == 0  # Canvas renderer: no DOM path per parcel
        assert 0 < s["p"] <= parcel_layers.DETAIL_MAX and s["outside"] == 0 and s["z"] > 0
        expect(page.get_by_text(re.compile(rf"\b\d{{5,6}} / {N + 25} ")).first).to_be_visible(timeout=30000)  # caption
        page.screenshot(path=str(ART / "browser_100k_street.png"))

        # a pan beyond what was sent brings the parcels of the new view
        before = s["bounds"]
        t = time.time()
        map_frame(page).evaluate("() => { Object.values(window).find(v => v instanceof L.Map).panBy([1400, 0], {animate: false}); }")
        s = poll(page, lambda s: s["p"] > 0 and s["bounds"][0] > before[2] - 1e-9 and s["outside"] == 0, timeout=60)
        timings["pan_to_new_parcels_s"] = round(time.time() - t, 2)

        # a click on a parcel (Canvas hit-testing): outlined, no popup, full record beside the map
        pick = map_frame(page).evaluate(PICK_PARCEL)
        assert pick and pick["id"].startswith("SYN-")
        iframe = page.locator(MAP_IFRAME).last
        iframe.scroll_into_view_if_needed()
        pick = map_frame(page).evaluate(PICK_PARCEL)
        box = iframe.bounding_box()
        t = time.time()
        page.mouse.click(box["x"] + pick["x"], box["y"] + pick["y"])
        details = page.locator('[data-testid="stColumn"]').filter(has_text="要素详情").last
        expect(details.get_by_text(pick["name"]).first).to_be_visible(timeout=30000)
        expect(page.get_by_text("synthetic benchmark layer").first).to_be_visible(timeout=30000)  # source_ref, full record
        timings["click_to_details_s"] = round(time.time() - t, 2)
        v = map_view(page, until=lambda v: v["selected"] is not None and v["selectedInView"], timeout=60)
        assert v["popups"] == 0
        assert page.get_by_text(pick["id"]).count() >= 1
        page.screenshot(path=str(ART / "browser_100k_click.png"))

        # sector filter: only that sector's parcels are drawn
        ms = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').nth(2)
        t = time.time()
        ms.click()
        page.keyboard.type("检验检测")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        s = poll(page, lambda s: s["p"] > 0 and set(s["sectors"]) == {"检验检测"}, timeout=60)
        timings["sector_filter_to_map_s"] = round(time.time() - t, 2)
        expect(page).to_have_url(re.compile("sector="), timeout=15000)

        # zooming out turns the parcels into density cells
        t = time.time()
        map_frame(page).evaluate("() => { Object.values(window).find(v => v instanceof L.Map).setZoom(12, {animate: false}); }")
        s = poll(page, lambda s: s["cell"] > 0 and s["p"] == 0, timeout=60)
        timings["zoom_out_to_cells_s"] = round(time.time() - t, 2)
        expect(map_frame(page).locator(".scimap-legend")).to_contain_text("网格", timeout=10000)
        page.screenshot(path=str(ART / "browser_100k_district.png"))
        # the promoter page on the same layer: a profile link ranks the synthetic parcels and draws the ten best
        t = time.time()
        page.goto(server + "/promoter?base=none&fsec=检验检测&fmin=5&fmax=20")
        top = page.locator("[data-testid='promo-top']")
        expect(top).to_contain_text("#1 规划地块", timeout=120000)
        expect(map_frame(page).locator(".scimap-rank").first).to_have_text("1", timeout=60000)
        timings["promoter_open_s"] = round(time.time() - t, 2)
        assert "（1.00）" in top.inner_text()  # sector and area both fit
        page.screenshot(path=str(ART / "browser_100k_promoter.png"))
        assert external == [], sorted(set(external))[:5]
        b.close()
    (ART / "district_scale_browser.json").write_text(json.dumps(timings, indent=1))
    print(timings)

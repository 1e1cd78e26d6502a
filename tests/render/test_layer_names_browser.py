"""Data-controlled names on a map stay text in a real browser: a manifest layer title and a zone name carrying
HTML and Jinja payloads, in the app's map page and in the exported HTML snapshot.

Leaflet's layer control writes names with ``innerHTML``; the names, tooltips and legend come from the data.
The page must run none of it (``window.__pwned`` stays undefined), show the characters as they are, and
never evaluate ``{{ 7*7 }}`` to 49.
"""

import copy

import pytest
from playwright.sync_api import sync_playwright

from geo.core.filter import Filter, apply_filter
from geo.io import export
from geo.render import assets, mapview
from geo.render.options import MapOptions
from tests.browser_helpers import CHROMIUM, LAUNCH_ARGS

IMG = "<img src=x onerror=window.__pwned=1>"
SVG = "<svg onload=window.__pwned=2>"
JINJA = "{{ 7*7 }}{% if 1 %}IF{% endif %}"
LAYER_TITLE = f"{IMG}{JINJA}图层"
ZONE_NAME = f"{SVG}{JINJA}片区"


def _hostile(data):
    """The data with every plan layer titled :data:`LAYER_TITLE` (+ its id) and every zone named :data:`ZONE_NAME`."""
    evil = copy.copy(data)
    evil.layers = [dict(x) for x in data.layers]
    for x in evil.layers:
        if x["layer_id"] != "districts":
            x["title_zh"] = x["title_en"] = f"{LAYER_TITLE} {x['layer_id']}"
    evil.zones = data.zones.copy()
    evil.zones["name_zh"] = ZONE_NAME
    evil.zones["name_en"] = ZONE_NAME
    return evil


PAGE_STATE = """() => {
  const ctl = document.querySelector('.leaflet-control-layers');
  const names = Array.from(document.querySelectorAll('.leaflet-control-layers-list label span'))
    .map(s => s.textContent.trim());
  return {pwned: window.__pwned === undefined ? null : window.__pwned, names: names,
          imgs: ctl ? ctl.querySelectorAll('img, svg').length : -1,
          legend: (document.querySelector('.scimap-legend') || {}).textContent || '',
          legendImgs: document.querySelectorAll('.scimap-legend img, .scimap-legend-row svg[onload]').length,
          labels: Array.from(document.querySelectorAll('.scimap-label')).map(l => l.textContent),
          labelImgs: document.querySelectorAll('.scimap-label img, .scimap-label svg').length};
}"""


def _check(page, url):
    page.goto(url)
    page.wait_for_selector(".leaflet-control-layers", state="attached", timeout=30000)
    page.wait_for_timeout(500)
    # open the collapsed control, hover a zone group's names and the legend: nothing may run
    page.hover(".leaflet-control-layers")
    page.wait_for_timeout(300)
    s = page.evaluate(PAGE_STATE)
    assert s["pwned"] is None
    assert s["imgs"] == 0, "markup from a layer name reached the layer control"
    titled = [n for n in s["names"] if n.startswith(LAYER_TITLE)]
    assert titled, s["names"]
    assert all("49" not in n and "IF" not in n.replace("{% if 1 %}IF", "") for n in titled)
    assert s["legendImgs"] == 0 and LAYER_TITLE in s["legend"]
    assert s["labelImgs"] == 0
    return s


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


def test_hostile_layer_titles_and_zone_names_in_the_map_page(data, browser, tmp_path):
    evil = _hostile(data)
    m = mapview.build_map(evil, apply_filter(evil, Filter()), MapOptions(basemap="none", zoom=13))
    f = tmp_path / "map.html"
    f.write_text(assets.inline_assets(m.get_root().render()), encoding="utf-8")
    page = browser.new_page()
    s = _check(page, f.as_uri())
    assert any(ZONE_NAME in t for t in s["labels"]), s["labels"][:5]
    # hover the zones under the pointer: tooltips are built from text, never from markup
    for path in page.locator("path.scimap-zone").all()[:8]:
        path.hover(force=True)
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator(".leaflet-tooltip img, .leaflet-tooltip svg").count() == 0
    page.close()


def test_hostile_names_in_the_exported_html_snapshot(data, browser, tmp_path):
    evil = _hostile(data)
    snap = export.export(evil, Filter(), "html", tmp_path, view={"basemap": "none", "zoom": 13})
    html = snap.path.read_text(encoding="utf-8")
    assert "<img src=x" not in html and "<svg onload" not in html
    page = browser.new_page()
    s = _check(page, snap.path.as_uri())
    assert any(ZONE_NAME in t for t in s["labels"]), s["labels"][:5]
    meta = page.evaluate("JSON.parse(document.getElementById('scimap-metadata').textContent)")
    assert meta["format"] == "html"
    assert page.evaluate("window.__pwned === undefined")
    page.close()

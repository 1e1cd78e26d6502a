"""In Chromium: layer titles and zone names that are HTML or template syntax stay text on the app's map and in an
exported HTML map — in the layer control, the legend and the names on the map. Nothing runs
(``window.__pwned`` stays undefined), no ``<img>`` is made, ``{{ 7*7 }}`` is not "49".

The server works on a copy of the data whose manifest titles and zone names carry the payloads.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.browser_helpers import CHROMIUM, LAUNCH_ARGS, ROOT, streamlit_server, wait_map

EVIL = "<img src=x onerror=window.__pwned=1>"
TEMPLATE = "{{ 7*7 }}"
TITLE = f"{EVIL} {TEMPLATE} 图层"
MARKDOWN = "![i](http://127.0.0.1:9/z.png) :red[y] $x$ **b**"
ZONE = f"{EVIL} {TEMPLATE} {MARKDOWN} 片区"
MARKUP = "img, a, strong, [data-testid=stMarkdownColoredText], .katex"

CHECK_JS = """root => {
  const doc = root.ownerDocument, win = doc.defaultView;
  const text = sel => Array.from(doc.querySelectorAll(sel)).map(e => e.textContent);
  return {pwned: win.__pwned === undefined ? null : win.__pwned,
          control: text('.leaflet-control-layers label'),
          controlImgs: doc.querySelectorAll('.leaflet-control-layers img').length,
          legend: text('.scimap-legend-control'),
          legendImgs: doc.querySelectorAll('.scimap-legend-control img').length,
          labels: text('.scimap-label'),
          strayImgs: Array.from(doc.querySelectorAll('img')).filter(i => i.getAttribute('src') === 'x').length};
}"""


def hostile_copy(tmp: Path) -> dict[str, str]:
    """data/ and layers/ copied with every layer titled and every zone named with the payloads; the server's env."""
    shutil.copytree(ROOT / "data", tmp / "data")
    shutil.copytree(ROOT / "layers", tmp / "layers")
    man = tmp / "layers" / "manifest.json"
    m = json.loads(man.read_text(encoding="utf-8"))
    for layer in m["layers"]:
        layer["title_zh"] = f"{TITLE} {layer['title_zh']}"
        layer["title_en"] = f"{TITLE} {layer['title_en']}"
    man.write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    for f in (tmp / "layers").glob("*.geojson"):
        if f.name in ("districts.geojson", "poi.geojson"):
            continue
        fc = json.loads(f.read_text(encoding="utf-8"))
        for feat in fc.get("features", []):
            props = feat.get("properties") or {}
            if "name_zh" in props:
                props["name_zh"] = f"{ZONE} {props['name_zh']}"
        f.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    snaps = tmp / "snapshots"
    snaps.mkdir()
    return {"SCIMAP_DATA_DIR": str(tmp / "data"), "SCIMAP_LAYERS_DIR": str(tmp / "layers"),
            "SCIMAP_SNAPSHOT_DIR": str(snaps)}


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    return hostile_copy(tmp_path_factory.mktemp("hostile"))


def assert_text_only(found: dict) -> None:
    assert found["pwned"] is None, found
    assert found["controlImgs"] == 0 and found["legendImgs"] == 0 and found["strayImgs"] == 0, found
    titled = [t for t in found["control"] if TITLE in t]
    assert titled, found["control"]  # the layer control shows the title as its characters
    assert not any("49" in t for t in found["control"]), found["control"]
    assert any(TITLE in t for t in found["legend"]), found["legend"]
    assert any(ZONE in t for t in found["labels"]), found["labels"][:5]


def test_the_app_map_shows_hostile_titles_and_names_as_text(env):
    with streamlit_server(env) as url, sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/?base=none&z=12")
        frame = wait_map(page, timeout=90000)
        frame.locator(".leaflet-control-layers").first.wait_for(state="attached", timeout=60000)
        frame.locator(".scimap-label").first.wait_for(state="attached", timeout=60000)
        page.wait_for_timeout(1500)  # an injected <img src=x> would have failed to load by now
        found = frame.locator("body").evaluate(CHECK_JS)
        assert_text_only(found)
        assert page.evaluate("window.__pwned") is None
        b.close()


def test_an_exported_html_map_shows_them_as_text(env, tmp_path, monkeypatch):
    from geo.core.filter import Filter
    from geo.io import export
    from geo.io.files import load_all

    for k, v in env.items():
        monkeypatch.setenv(k, v)
    data = load_all(Path(env["SCIMAP_DATA_DIR"]), Path(env["SCIMAP_LAYERS_DIR"]))
    assert any(TITLE in layer["title_zh"] for layer in data.layers)
    snap = export.export(data, Filter(), "html", tmp_path, view={"basemap": "none", "zoom": 12})
    page_html = snap.path.read_text(encoding="utf-8")
    assert "<img src=x" not in page_html
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(snap.path.as_uri())
        page.locator(".leaflet-control-layers").first.wait_for(state="attached", timeout=30000)
        page.locator(".scimap-label").first.wait_for(state="attached", timeout=30000)
        page.wait_for_timeout(1500)
        assert_text_only(page.locator("body").evaluate(CHECK_JS))
        b.close()


def test_the_details_beside_the_map_show_a_hostile_zone_as_text(env):
    """The selected zone's record is HTML in st.markdown: its name is neither HTML nor Markdown there."""
    zone_id = next(f["properties"]["zone_id"] for f in json.loads(
        (Path(env["SCIMAP_LAYERS_DIR"]) / "sti_1axis3centres.geojson").read_text(encoding="utf-8"))["features"])
    asked: list[str] = []
    with streamlit_server(env) as url, sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda r: asked.append(r.url) if "127.0.0.1:9" in r.url else None)
        page.goto(f"{url}/?base=none&sel={zone_id}")
        table = page.locator("[data-testid=stMarkdownContainer] table").filter(has_text="片区")
        table.first.wait_for(timeout=90000)
        text = table.first.inner_text()
        assert EVIL in text and TEMPLATE in text and MARKDOWN in text, text
        assert table.first.locator(MARKUP).count() == 0
        assert page.evaluate("window.__pwned") is None and asked == []
        b.close()

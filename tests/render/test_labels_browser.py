"""The map as a planner sees it in Chromium (Chinese, no basemap): names by scale never overlapping,
one legend naming each layer drawn, no popup when the app asks for none, thematic fills above the zones."""

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from geo.core.filter import Filter, apply_filter
from geo.render import assets, mapview
from geo.render.layers import thematic
from geo.render.layers.parcels import parcel_layer
from geo.render.layers.zones import zone_layers
from geo.render.options import MapOptions
from tests.browser_helpers import CHROMIUM, LAUNCH_ARGS, VISIBLE_LABELS_JS, overlapping

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

VISIBLE_LABELS = VISIBLE_LABELS_JS
_overlaps = overlapping


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


def _open(browser, tmp_path, m, name):
    f = tmp_path / f"{name}.html"
    f.write_text(assets.inline_assets(m.get_root().render()), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f.as_uri())
    page.wait_for_selector(".scimap-label", state="attached", timeout=20000)
    return page, errors


def _zoom(page, m, zoom, center=None):
    js = f"{m.get_name()}.setView([{center[0]}, {center[1]}], {zoom}, {{animate: false}})" if center else \
        f"{m.get_name()}.setZoom({zoom}, {{animate: false}})"
    page.evaluate(f"() => {{ {js}; }}")
    page.wait_for_function(f"() => {m.get_name()}.getZoom() === {zoom} && {m.get_name()}._scimapLabels.timer === null")
    page.wait_for_timeout(100)
    return page.evaluate(VISIBLE_LABELS)


@pytest.mark.parametrize("canvas", [False, True])
def test_names_by_scale_never_overlap_and_the_legend_names_each_layer(browser, tmp_path, data, canvas):
    opts = MapOptions(basemap="none", lang="zh", prefer_canvas=canvas)
    sel = apply_filter(data, Filter())
    m = mapview.build_map(data, sel, opts)
    page, errors = _open(browser, tmp_path, m, "labels")
    tag = "_canvas" if canvas else ""

    at11 = _zoom(page, m, 11)
    names11 = {b["t"] for b in at11}
    page.screenshot(path=str(ARTIFACTS / f"labels_zh_z11{tag}.png"))
    layout = set(data.zones[(data.zones.layout_id != "") & (data.zones.position_confidence != "none")].name_zh)
    assert len(names11 & layout) >= 4, names11
    assert not names11 & set(sel.parcels.name_zh)  # parcels are named from street zoom only
    assert not _overlaps(at11)

    at13 = _zoom(page, m, 13)
    page.screenshot(path=str(ARTIFACTS / f"labels_zh_z13{tag}.png"))
    assert len(at13) >= 5 and not _overlaps(at13)

    hub = sel.parcels.geometry.union_all().centroid
    at15 = _zoom(page, m, 15, (hub.y, hub.x))
    page.screenshot(path=str(ARTIFACTS / f"labels_zh_z15{tag}.png"))
    assert {b["t"] for b in at15} & set(sel.parcels.name_zh)
    assert not _overlaps(at15)
    # at street zoom a parcel's name comes before the names of the big zones around it
    for _, big in sel.parcels.sort_values("area_mu", ascending=False).head(3).iterrows():
        c = big.geometry.representative_point()
        at16 = _zoom(page, m, 16, (c.y, c.x))
        assert big["name_zh"] in {b["t"] for b in at16}, (big["name_zh"], at16)
        assert not _overlaps(at16)

    legend = page.locator(".scimap-legend")
    assert legend.count() == 1 and legend.evaluate("e => e.tagName") == "DETAILS"
    text = legend.inner_text()
    groups = zone_layers(data, sel, opts, None)
    for layer, fg in groups:
        if layer is not None:
            assert (layer["title_zh"] in text) == fg.show, layer["title_zh"]
    assert "区县界" in text and "实线" in text and "虚线" in text and "地块赛道" in text
    legend.locator("summary").click()
    assert legend.evaluate("e => e.open") is False  # collapsible
    assert errors == []
    page.close()


def test_no_popup_when_the_app_asks_for_none_and_the_tooltip_ends_with_the_id(browser, tmp_path, data):
    sel = apply_filter(data, Filter(sectors=["检验检测"]))
    m = mapview.build_map(data, sel, MapOptions(basemap="none", popups=False, zoom=14,
                                                center=(sel.parcels.geometry.union_all().centroid.y,
                                                        sel.parcels.geometry.union_all().centroid.x)))
    page, errors = _open(browser, tmp_path, m, "nopopup")
    parcel = page.locator("path.scimap-parcel").first
    box = parcel.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(400)
    assert page.locator(".leaflet-popup").count() == 0
    tip = page.locator(".leaflet-tooltip").inner_text()
    assert tip.strip().split()[-1] in set(sel.parcels.project_id) and "编号" in tip
    assert errors == []
    page.close()


def test_thematic_fills_stay_above_the_zones_and_below_the_parcels(browser, tmp_path, data):
    opts = MapOptions(basemap="none", thematic="land", thematic_layer="towns")
    sel = apply_filter(data, Filter())
    m = mapview.build_map(data, sel, opts)
    page, errors = _open(browser, tmp_path, m, "thematic")
    order = """() => Array.from(document.querySelectorAll('.leaflet-overlay-pane path'))
        .map(p => p.getAttribute('class') || '')"""

    def ranks():
        cls = page.evaluate(order)
        themed = [i for i, c in enumerate(cls) if "scimap-class-" in c]
        zones = [i for i, c in enumerate(cls) if "scimap-zone" in c and "scimap-class-" not in c and "scimap-towns" not in c]
        parcels = [i for i, c in enumerate(cls) if "scimap-parcel" in c]
        return themed, zones, parcels

    page.wait_for_timeout(300)
    themed, zones, parcels = ranks()
    assert themed and zones and parcels
    assert max(zones) < min(themed) and max(themed) < min(parcels)
    # a zone layer switched on in the layer control comes under the thematic fills again
    title = next(x["title_zh"] for x in data.layers if x["layer_id"] == "hts_places")
    page.locator(".leaflet-control-layers").hover()
    page.locator(".leaflet-control-layers-overlays label", has_text=title).locator("input").check()
    page.wait_for_timeout(300)
    themed, zones, parcels = ranks()
    assert any("scimap-hts_places" in c for c in page.evaluate(order))
    assert max(zones) < min(themed) and max(themed) < min(parcels)
    values, _ = thematic.classed_values(sel, data.memberships, opts)
    assert values is not None and len(values)
    assert errors == []
    page.close()


def test_a_swapped_in_parcel_layer_brings_its_names_and_legend_section(browser, tmp_path, data):
    """As streamlit-folium does (feature_group_to_add): the base map first, then the parcel group's script."""
    from streamlit_folium import _get_feature_group_string

    opts = MapOptions(basemap="none", popups=False)
    m = mapview.base_map(data, apply_filter(data, Filter()), opts)
    f = tmp_path / "swap.html"
    f.write_text(assets.inline_assets(m.get_root().render()), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f.as_uri())
    page.wait_for_selector(".scimap-legend", timeout=20000)
    page.evaluate(f"() => {{ window.map_div = {m.get_name()}; }}")

    def swap(sectors):
        sel = apply_filter(data, Filter(sectors=sectors))
        js = _get_feature_group_string(parcel_layer(sel, opts), map=m, idx=0)
        page.evaluate("js => { if (window.feature_group) window.feature_group.forEach(g => map_div.removeLayer(g));"
                      " window.feature_group = []; (0, eval)(js); }", js)
        hub = sel.parcels.geometry.union_all().centroid
        return sel, _zoom(page, m, 16, (hub.y, hub.x))

    sel, shown = swap(["检验检测"])
    assert {b["t"] for b in shown} & set(sel.parcels.name_zh)
    assert "检验检测" in page.locator(".scimap-legend").inner_text()
    sel2, shown = swap(["数字文创"])
    names = {b["t"] for b in shown}
    assert names & set(sel2.parcels.name_zh) and not names & (set(sel.parcels.name_zh) - set(sel2.parcels.name_zh))
    text = page.locator(".scimap-legend").inner_text()
    assert "数字文创" in text and "检验检测" not in text and text.count("地块赛道") == 1
    assert page.locator(".scimap-legend").count() == 1 and not _overlaps(shown)
    assert errors == []
    page.close()

"""A sector filter fades, in Chromium, the zones its projects do not reach (and their names); an empty
filter fades nothing. Core rule: :func:`geo.core.filter.reached_zones`."""

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from geo.core.filter import Filter, apply_filter, reached_zones
from geo.render import assets, mapview
from geo.render.elements.reach import FADED_STYLE
from geo.render.options import MapOptions
from tests.browser_helpers import CHROMIUM, LAUNCH_ARGS

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

ZONE_STATE = """(name) => { const map = window[name], out = {faded: [], kept: []};
  map.eachLayer(l => { const p = l.feature && l.feature.properties;
    if (p && p._k === 'z' && l.setStyle) (l._scimapFaded ? out.faded : out.kept).push(String(p.zone_id)); });
  out.labels = Array.from(document.querySelectorAll('.scimap-label'))
    .filter(e => e.style.display !== 'none' && e.style.visibility !== 'hidden').map(e => e.textContent);
  return out; }"""


def test_reached_zones_rule(data):
    assert reached_zones(data, apply_filter(data, Filter())) is None
    assert reached_zones(data, apply_filter(data, Filter(plans=["000"]))) is None  # zones are the answer
    sel = apply_filter(data, Filter(sectors=["检验检测"]))
    reached = reached_zones(data, sel)
    m = data.memberships
    for pid in sel.projects.project_id:  # every zone a selected project declares or lies in
        assert set(m.zone_id[m.project_id == pid]) & set(sel.zones.zone_id) <= set(reached)
    other = set(m.zone_id[~m.project_id.isin(sel.projects.project_id)]) - set(m.zone_id[m.project_id.isin(sel.projects.project_id)])
    assert not other & set(reached)
    assert 0 < len(reached) < len(sel.zones) / 4


@pytest.mark.parametrize("flt", [Filter(sectors=["检验检测"]), Filter(land_mu=(100, None))], ids=["sector", "land"])
def test_unreached_zones_are_faded_in_the_browser(data, tmp_path, flt):
    sel = apply_filter(data, flt)
    reached = set(reached_zones(data, sel))
    m = mapview.build_map(data, sel, MapOptions(basemap="none", lang="zh"))
    f = tmp_path / "reach.html"
    f.write_text(assets.inline_assets(m.get_root().render()), encoding="utf-8")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = b.new_page(viewport={"width": 1400, "height": 900})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f.as_uri())
        page.wait_for_selector(".scimap-label", state="attached", timeout=20000)
        page.wait_for_function(f"() => {m.get_name()}._scimapLabels.timer === null")
        state = page.evaluate(ZONE_STATE, m.get_name())
        opacity = page.evaluate("""(name) => { let o = null; window[name].eachLayer(l => {
            if (l._scimapFaded && o === null) o = l.options.opacity; }); return o; }""", m.get_name())
        page.screenshot(path=str(ARTIFACTS / f"reach_{'_'.join(flt.sectors) or 'land'}.png"))
        b.close()
    assert not errors, errors
    assert state["kept"] and state["faded"]
    assert set(state["kept"]) <= reached  # every zone drawn normally is one the filter reaches
    assert not set(state["faded"]) & reached
    assert opacity == FADED_STYLE["opacity"]
    faded_names = set(data.zones.set_index("zone_id").name_zh.reindex(list(set(state["faded"]) - reached)))
    kept_names = set(data.zones.set_index("zone_id").name_zh.reindex(list(reached)))
    shown = {t.replace("\n", "") for t in state["labels"]}
    assert not (shown & faded_names) - kept_names  # a faded zone loses its name

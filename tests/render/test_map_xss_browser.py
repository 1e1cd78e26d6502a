"""Hostile names render as text, not markup, in a real browser (self-contained HTML map)."""

import copy

from playwright.sync_api import sync_playwright

from geo.core.filter import Filter, apply_filter
from geo.render import assets, mapview
from geo.render.options import MapOptions
from tests.browser_helpers import CHROMIUM, LAUNCH_ARGS

EVIL = '<img src=x onerror="window.__xss=1">国家质检基地'


def test_hostile_name_is_shown_as_text(data, tmp_path):
    evil = copy.copy(data)
    evil.projects = data.projects.copy()
    i = evil.projects.index[evil.projects.project_id == "HTS-T4-01"][0]
    evil.projects.loc[i, "name_zh"] = EVIL
    evil.projects.loc[i, "quote_zh"] = "</script><script>window.__xss=2</script>"
    sel = apply_filter(evil, Filter(sectors=["检验检测"]))
    m = mapview.build_map(evil, sel, MapOptions(basemap="none"))
    page_html = assets.inline_assets(m.get_root().render())
    f = tmp_path / "evil.html"
    f.write_text(page_html, encoding="utf-8")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = b.new_page()
        page.goto(f.as_uri())
        paths = page.locator("path.scimap-parcel")
        paths.first.wait_for(state="attached", timeout=20000)
        assert paths.count() == 3
        for k in range(3):
            paths.nth(k).click(force=True)
            txt = page.locator(".leaflet-popup-content").inner_text()
            if "国家质检基地" in txt:
                break
        assert EVIL in txt and "window.__xss=2" in txt
        assert page.evaluate("window.__xss") is None
        assert page.locator(".leaflet-popup-content img").count() == 0
        b.close()

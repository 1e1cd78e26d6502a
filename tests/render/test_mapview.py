"""Map building: escaping, offline assets, GCJ-02 shift, one fixed style per category."""

import copy
import re

import numpy as np
import pytest

from geo.core.filter import Filter, apply_filter
from geo.render import assets, mapview
from geo.render.options import MapOptions


def render(data, f=None, **kw):
    sel = apply_filter(data, f or Filter())
    m = mapview.build_map(data, sel, MapOptions(**kw))
    return m, m.get_root().render()


def test_names_reaching_html_are_never_markup(data):
    """Names travel as JSON data (with < escaped) and are rendered with textContent in the
    browser (see test_map_xss_browser.py); the page never holds them as markup."""
    evil = copy.copy(data)
    evil.projects = data.projects.copy()
    i = evil.projects.index[evil.projects.project_id == "HTS-T4-01"][0]
    evil.projects.loc[i, "name_zh"] = '<img src=x onerror="alert(1)">国家质检基地'
    evil.projects.loc[i, "notes"] = "<script>alert('x')</script>"
    _, page = render(evil, basemap="none")
    assert "<img src=x" not in page and "<script>alert" not in page
    assert "innerHTML" not in page.split("scimapTip")[1].split("</script>")[0]


def test_offline_page_references_no_external_host(data):
    _, html = render(data, basemap="none")
    assert assets.external_hosts(html) == set()
    links = re.findall(r'(?:src|href)="(/app/static/[^"]+)"', html)
    assert links, "the map loads its assets from the app"
    for u in links:
        assert (assets.STATIC_DIR / u[len("/app/static/"):]).is_file(), u


def test_basemap_tiles_are_the_only_external_hosts(data):
    _, html = render(data, basemap="gaode")
    tiles = set(re.findall(r'"(https://[^"]+\{z\}[^"]*)"', html))
    assert tiles and all("autonavi.com" in t for t in tiles)
    assert assets.external_hosts(html) == set()  # tiles are requested by Leaflet, not by the page


def test_inlined_export_is_self_contained(data):
    _, html = render(data, basemap="none")
    inline = assets.inline_assets(html)
    assert "/app/static/" not in inline and "L.map(" in inline and "Leaflet" in inline


def test_gaode_overlays_are_shifted_by_the_gcj02_offset(data):
    m_w, _ = render(data, basemap="none")
    m_g, _ = render(data, basemap="gaode")

    def parcel(m):
        for el in m._children.values():
            for sub in el._children.values():
                d = getattr(sub, "data", None)
                if isinstance(d, dict):
                    for f in d.get("features", []):
                        if f["properties"].get("project_id") == "HTS-T2-01":
                            return np.array(f["geometry"]["coordinates"][0])
        raise AssertionError("parcel not found")

    shift = parcel(m_g) - parcel(m_w)
    assert np.allclose(shift[:, 0], 0.0037, atol=0.0006) and np.allclose(shift[:, 1], -0.0028, atol=0.0006)


def test_one_fixed_style_per_category_no_js_switch(data):
    m, html = render(data, basemap="none")
    assert "case " not in html  # folium emits a per-feature switch only when styles differ
    counts = mapview.map_feature_counts(m)
    parcel_layers = {k: v for k, v in counts.items() if k.startswith("parcels-")}
    assert sum(parcel_layers.values()) == len(data.parcels)
    assert len(parcel_layers) == data.projects.set_index("project_id").loc[data.parcels.project_id] \
        .sector_group_zh.str.split(";").str[0].nunique()


@pytest.mark.parametrize("lang,word,name", [("zh", "来源文件", "国家质检基地"), ("en", "Source document", "National Quality")])
def test_popup_language(data, lang, word, name):
    import json
    m, page = render(data, basemap="none", lang=lang)
    assert json.dumps(word)[1:-1] in page  # the renderer's labels
    names = [f["properties"]["_n"] for el in m._children.values() for sub in el._children.values()
             if isinstance(getattr(sub, "data", None), dict) for f in sub.data["features"] if "_n" in f["properties"]]
    assert any(name in n for n in names)

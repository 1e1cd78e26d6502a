"""Rendered map output is never run through Jinja again: no template injection, same bytes, faster."""

import re
import time

import folium
import pytest

from geo.core.filter import Filter, apply_filter
from geo.render import mapview, safe_render
from geo.render.layers.parcels import parcel_layer
from geo.render.options import MapOptions

PAYLOADS = ["{{ 7*7 }}", "{{ cycler.__init__.__globals__.os.getcwd() }}", "{% for x in range(3) %}x{% endfor %}",
            "{# c #}"]


def _point_map(name: str) -> folium.Map:
    m = folium.Map()
    folium.GeoJson({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": name},
        "geometry": {"type": "Point", "coordinates": [106.3, 29.5]}}]}).add_to(m)
    return m


@pytest.mark.parametrize("payload", PAYLOADS)
def test_template_syntax_in_a_property_comes_out_as_text(payload):
    html = _point_map(payload).get_root().render()
    assert '"name": "' + payload + '"' in html


def test_plain_folium_evaluates_it_which_is_why_the_guard_exists():
    # the hazard the guard removes, demonstrated on folium as shipped: Python runs on the server
    with safe_render.plain_folium():
        html = _point_map(PAYLOADS[1]).get_root().render()
    assert '"name": "' + PAYLOADS[1] + '"' not in html
    assert re.search(r'"name": "/[^"]*"', html)  # the server's working directory


def test_injection_through_our_layers(data, memberships, tmp_path):
    """A zone and a parcel named with template syntax (as an uploaded file could) reach the page verbatim,
    including through streamlit-folium's feature-group path."""
    from streamlit_folium import _get_feature_group_string
    zones = data.zones.copy()
    zones.loc[zones.index[0], "name_zh"] = "{{ 6*7 }}"
    parcels = data.parcels.copy()
    projects = data.projects.copy()
    pid = parcels.project_id.iloc[0]
    projects.loc[projects.project_id == pid, "name_zh"] = "{{ 6*7 }}地块"
    d = type(data)(projects, data.targets, zones, parcels, data.districts, data.manifest, data.sources, [], data.pois)
    sel = apply_filter(d, Filter())
    opts = MapOptions(basemap="none")
    m = mapview.base_map(d, sel, opts)
    page = m.get_root().render()
    fg = _get_feature_group_string(parcel_layer(sel, opts), map=m, idx=0)
    assert "{{ 6*7 }}" in page and "\\u0034\\u0032" not in page
    assert "{{ 6*7 }}地块" in fg or "{{ 6*7 }}\\u5730\\u5757" in fg
    assert '"_n": "42' not in page + fg


def test_page_bytes_unchanged_and_render_faster(data, memberships):
    sel = apply_filter(data, Filter())
    opts = MapOptions()

    def norm(h):
        return re.sub(r"_[0-9a-f]{32}", "_X", h)

    m = mapview.build_map(data, sel, opts)
    t = time.perf_counter()
    ours = norm(m.get_root().render())
    t_ours = time.perf_counter() - t
    m = mapview.build_map(data, sel, opts)
    with safe_render.plain_folium():
        t = time.perf_counter()
        plain = norm(m.get_root().render())
        t_plain = time.perf_counter() - t
    assert ours == plain  # the shipped data has no template syntax: identical page
    assert t_ours < t_plain  # not a timing target, a sanity check that nothing is compiled per fragment

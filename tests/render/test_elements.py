"""The Leaflet elements of the map page, each on its own: legend, renderer, binding, GeoJSON layer."""

import re

import folium
import geopandas as gpd
from shapely.geometry import Point, box

from geo.render.elements.bind import BindRenderer
from geo.render.elements.legend import Legend
from geo.render.elements.renderer import Renderer
from geo.render.geojson import geojson_layer


def _page(*elements):
    m = folium.Map(tiles=None)
    for el in elements:
        el.add_to(m)
    return m, m.get_root().render()


def test_legend_section_finds_the_map_through_a_group_and_carries_escaped_html():
    fg = folium.FeatureGroup(name="parcels")
    other = folium.FeatureGroup(name="zones")
    Legend("<b>a &amp; b</b>", key="parcels", title="图例 <x>", groups=[other]).add_to(fg)
    m, page = _page(fg, other)
    assert f"var map = {m.get_name()};" in page  # the map, not the feature group
    assert 'key = "parcels"' in page and "G.sections[key] = text" in page  # a section replaced under its key
    assert '"\\u003cb\\u003ea \\u0026amp; b\\u003c/b\\u003e"' in page  # the HTML travels as a JSON string
    assert "\\u0026lt;x\\u0026gt;" in page and "<x>" not in page  # the caption is escaped
    assert f'G.groups["{other.get_name()}"] = {other.get_name()};' in page  # rows follow that layer
    _, empty = _page(Legend("", key="parcels"))
    assert "delete G.sections[key]" in empty  # an empty section only removes the previous one


def test_renderer_labels_are_in_the_page_language():
    _, zh = _page(Renderer("zh", "Σ占地（亩）"))
    _, en = _page(Renderer("en"))
    assert '"reasons": "\\u5339\\u914d\\u7406\\u7531"' in zh  # 匹配理由
    assert '"reasons": "Why it matches"' in en and '"source_doc": "Source document"' in en
    assert "textContent" in en and "innerHTML" not in en


def test_geojson_layer_binds_the_renderer_with_one_fixed_style():
    parcels = gpd.GeoDataFrame({"_p": [{"_k": "p", "_n": "a"}, {"_k": "p", "_n": "b"}]},
                               geometry=[box(106.1234567, 29.1, 106.2, 29.2), box(106.3, 29.3, 106.4, 29.4)], crs="EPSG:4326")
    zones = gpd.GeoDataFrame({"_p": [{"_k": "z", "_n": "z"}]}, geometry=[Point(106.1234567, 29.1234567)], crs="EPSG:4326")
    gp, gz = geojson_layer(parcels, "parcels-x", {"color": "#123456"}), geojson_layer(zones, "zones-x", {"color": "#000"})
    assert [106.123457, 29.1] in gp.data["features"][0]["geometry"]["coordinates"][0]  # 6 decimals for parcels
    assert gz.data["features"][0]["geometry"]["coordinates"] == [106.12346, 29.12346]  # 5 for approximate zones
    assert [type(c) for c in gp._children.values()] == [BindRenderer]
    _, page = _page(gp)
    assert "case " not in page and re.search(r"bindTooltip\(function\(l\) \{ return window.scimapTip", page)
    assert "bindPopup(function(l) { return window.scimapPopup" in page
    assert "autoPan: false" in page and "maxHeight: 320" in page  # the popup never moves the map


def test_geojson_layer_without_popups_binds_only_the_tooltip():
    zones = gpd.GeoDataFrame({"_p": [{"_k": "z", "_n": "z"}]}, geometry=[Point(106.1, 29.1)], crs="EPSG:4326")
    _, page = _page(geojson_layer(zones, "zones-x", {"color": "#000"}, popups=False))
    assert "bindTooltip(function(l)" in page and "bindPopup" not in page

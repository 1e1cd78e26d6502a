"""The planning map's frame (ui.mapframe): the vendored front end is streamlit-folium's with one change,
the base map is rendered once and shared, and a run's layers leave the rendered map as it was."""

from __future__ import annotations

import copy
import re

import pytest
import streamlit_folium as sf

from geo.core.filter import Filter, apply_filter
from geo.render.elements.layercontrol import LayerControl
from geo.render.layers.highlight import highlight_group
from geo.render.layers.parcels import parcel_layer
from geo.render.options import MapOptions
from ui import mapcache, mapframe

OPTS = MapOptions(basemap="none", popups=False)


def test_vendored_front_end_is_the_installed_one_with_the_shorter_report_delay():
    build = mapframe.installed_build()
    original = next((build / "static" / "js").glob("main.*.js"))
    shipped = mapframe.FRONTEND / "static" / "js" / original.name
    assert shipped.read_text(encoding="utf-8") == mapframe.patched_bundle(original.read_text(encoding="utf-8"))
    assert (mapframe.FRONTEND / "index.html").read_bytes() == (build / "index.html").read_bytes()
    assert shipped.read_text(encoding="utf-8").count(f"(updateComponentValue,{mapframe.REPORT_DELAY_MS})") == 1
    assert "(updateComponentValue,250)" not in shipped.read_text(encoding="utf-8")
    assert shipped.read_text(encoding="utf-8").count("window.map.setView(new_center,new_zoom,{animate:!1})") == 1
    assert "MIT" in (mapframe.FRONTEND / "LICENSE").read_text(encoding="utf-8")


FLY = "view_changed&&window.map.setView(new_center,new_zoom)"


@pytest.mark.parametrize("bundle", ["function f(){}", f"d(updateComponentValue,250);d(updateComponentValue,250);{FLY}",
                                    f"d(updateComponentValue,300);{FLY}", "d(updateComponentValue,250)",
                                    f"d(updateComponentValue,250);{FLY};{FLY}"])
def test_another_bundle_is_refused_not_patched_blindly(bundle):
    with pytest.raises(ValueError, match="not vendored"):
        mapframe.patched_bundle(bundle)


def _shape(m) -> tuple:
    root = m.get_root()
    return (list(m._children), list(root.header._children), list(root.html._children), list(root.script._children))


def test_overlays_leave_the_rendered_map_as_it_was(data):
    sel = apply_filter(data, Filter(sectors=["检验检测"]))
    base = mapframe.RenderedBase(mapcache.mapview.base_map(data, sel, OPTS))
    before = _shape(base.m)
    runs = []
    for pid in ("HTS-T4-01", "HTS-T4-02"):
        groups = [parcel_layer(sel, OPTS), highlight_group(data, pid, "none")]
        runs.append(base.overlays(groups, LayerControl(collapsed=True)))
        assert _shape(base.m) == before  # nothing of the run stays on the shared map
    (g1, c1, _, _), (g2, c2, _, _) = runs
    assert g1 != g2 and c1 == c2  # the highlight moved; the layer control is the same
    assert "map_div.addLayer(feature_group_feature_group_0)" in g1
    assert "map_div.addLayer(feature_group_feature_group_1)" in g1
    assert "map_div" in c1 and "feature_group_feature_group_0" in c1  # the control lists the swapped-in layers


def test_overlays_are_what_st_folium_sends(data):
    """The same scripts st_folium computes for the same map and layers (ids normalised)."""
    sel = apply_filter(data, Filter(sectors=["检验检测"]))
    m = mapcache.mapview.base_map(data, sel, OPTS)
    base = mapframe.RenderedBase(m)
    ours = base.overlays([parcel_layer(sel, OPTS)], LayerControl(collapsed=True))
    fresh = copy.deepcopy(m)
    fresh.get_root().render()
    fresh.render()
    script = sf._get_map_string(fresh)
    theirs = sf._get_feature_group_string(parcel_layer(sel, OPTS), map=fresh, idx=0)
    control = sf._get_layer_control_string(LayerControl(collapsed=True), fresh)

    def norm(s: str) -> str:
        return re.sub(r"_[0-9a-f]{32}", "_X", s)

    assert norm(base.script) == norm(script)
    assert norm(ours[0]) == norm(theirs)
    assert norm(ours[1]) == norm(control)


def test_sessions_share_one_rendering(data):
    shared = mapcache.SharedMaps(size=2)
    sel = apply_filter(data, Filter())
    one, two = mapcache.BaseMapCache(shared), mapcache.BaseMapCache(shared)
    a = one.rendered(data, sel, OPTS)
    b = two.rendered(data, sel, OPTS)
    assert a is b and one.renders == 1 and two.renders == 0
    assert one.rendered(data, apply_filter(data, Filter(sectors=["检验检测"])), OPTS) is a  # zones unchanged
    c = one.rendered(data, sel, MapOptions(basemap="none", popups=False, lang="en"))
    assert c is not a and one.renders == 2 and "map_div" in c.script


def test_outside_a_server_the_script_goes_inline(data):
    base = mapframe.RenderedBase(mapcache.mapview.base_map(data, apply_filter(data, Filter()), OPTS))
    assert mapframe.script_url(base, "[0, 1]") is None  # no runtime here: the component gets the script itself

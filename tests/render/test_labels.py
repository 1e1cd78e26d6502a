"""Names on the map, the legend, focus plans, popups and drawing order, on the shipped data."""

import folium
import numpy as np
import pytest

from geo.core.filter import Filter, apply_filter
from geo.render import mapview
from geo.render.elements.labels import Labels
from geo.render.elements.legend import Legend
from geo.render.elements.zorder import ZOrder
from geo.render.layers import labels as lab
from geo.render.layers import thematic
from geo.render.layers.parcels import parcel_layer
from geo.render.layers.zones import at_parent, spread, zone_layers
from geo.render.options import MapOptions


def _items(fg):
    """The label records of a group, their text without the line break of a long name."""
    return [{**it, "t": it["t"].replace("\n", "")} for ch in fg._children.values() if isinstance(ch, Labels)
            for it in ch.items]


def _groups(data, f=None, **kw):
    opts = MapOptions(basemap="none", **kw)
    sel = apply_filter(data, f or Filter())
    values, _ = thematic.classed_values(sel, data.memberships, opts)
    return zone_layers(data, sel, opts, values), sel


def _layout_tops(data):
    z = data.zones
    located = z[z.position_confidence != "none"]
    layout_of = z.set_index("zone_id").layout_id.to_dict()
    tops = located[(located.layout_id != "") & (located.parent_id.map(lambda p: layout_of.get(p, "")) != located.layout_id)]
    return tops[tops.layer_id != "towns"]


def test_every_located_layout_zone_of_the_default_view_is_named_in_chinese_from_district_zoom(data):
    groups, _ = _groups(data)
    items = [it for layer, fg in groups if layer is not None for it in _items(fg)]
    by_name = {it["t"]: it for it in items}
    tops = _layout_tops(data)
    assert len(tops) >= 20
    for name in tops.name_zh:
        assert name in by_name, name
        assert by_name[name]["z"] == 11 and by_name[name]["c"] == "layout"
    assert all(it["t"] for it in items)


def test_english_names_in_english_mode_with_the_chinese_name_where_none(data):
    groups, _ = _groups(data, lang="en")
    names = {it["t"] for layer, fg in groups if layer is not None for it in _items(fg)}
    tops = _layout_tops(data)
    assert set(tops.name_en) <= names
    assert not names & set(tops.name_zh)
    z = data.zones.head(3).copy()
    z.loc[z.index[0], "name_en"] = ""
    assert lab.local_names(z, "en") == [z.name_zh.iloc[0], z.name_en.iloc[1], z.name_en.iloc[2]]
    assert lab.broken("生物医药研发机构聚集区(金凤生物医药产业园)") == "生物医药研发机构聚集区\n(金凤生物医药产业园)"
    assert lab.broken("科学公园(寨山坪)") == "科学公园(寨山坪)"  # short: one line
    assert lab.broken("中新(重庆)科技创新国际合作标杆园区") == "中新(重庆)科技创新国际合作标杆园区"  # not an ending bracket


def test_scale_ranks_and_priorities(data):
    groups, sel = _groups(data, show_layers=[x["layer_id"] for x in data.layers])
    items = [it for layer, fg in groups if layer is not None for it in _items(fg)]
    zoom_of = {it["c"]: it["z"] for it in items}
    assert zoom_of["layout"] == 11 and zoom_of["sub"] == 12 and zoom_of["town"] == 12 and zoom_of["place"] == 13
    axis = next(it for it in items if it["t"] == "科学大道创新发展轴")
    assert axis["c"] == "layout"
    assert next(it for it in items if it["t"] == "科学大道创新发展轴北段")["c"] == "sub"
    # within a rank, bigger first
    towns = sorted((it for it in items if it["c"] == "town"), key=lambda it: it["p"])
    z = data.zones[data.zones.layer_id == "towns"].to_crs(32648).set_index("name_zh")  # UTM 48N: true areas
    areas = [z.loc[it["t"]].geometry.area for it in towns]
    assert len(areas) >= 10 and all(a >= b * 0.999 for a, b in zip(areas, areas[1:]))  # equal circles: any order
    assert max(it["p"] for it in items if it["c"] == "layout") < min(it["p"] for it in items if it["c"] == "sub")
    parcels = _items(parcel_layer(sel, MapOptions(basemap="none")))
    assert parcels and all(it["z"] == 15 and it["c"] == "parcel" for it in parcels)
    assert {it["t"] for it in parcels} <= set(sel.parcels.name_zh)


def test_district_names_from_their_label_points_at_district_scale(data):
    m = mapview.base_map(data, apply_filter(data, Filter()), MapOptions(basemap="none"))
    items = [it for ch in m._children.values() if isinstance(ch, folium.FeatureGroup) for it in _items(ch)
             if it["c"] == "district"]
    assert {it["t"] for it in items} == set(data.districts.name_zh)
    assert all(it["z"] == 9 and it["Z"] == 12 for it in items)
    d = data.districts.set_index("name_zh")
    assert all(abs(it["x"] - d.loc[it["t"], "label_lon"]) < 1e-5 for it in items if not np.isnan(d.loc[it["t"], "label_lon"]))


def test_labels_off_draws_no_names(data):
    groups, sel = _groups(data, labels=False)
    assert not any(_items(fg) for _, fg in groups)
    assert not _items(parcel_layer(sel, MapOptions(basemap="none", labels=False)))
    page = mapview.build_map(data, sel, MapOptions(basemap="none", labels=False)).get_root().render()
    assert "_scimapLabels" not in page


@pytest.mark.parametrize("plan", ["LJ", "YZ"])
def test_focus_plan_layers_shown_and_unlocated_zones_drawn_at_their_parent(data, plan):
    groups, _ = _groups(data, Filter(plans=[plan]), focus_plans=(plan,))
    shown = {layer["layer_id"] for layer, fg in groups if layer is not None and fg.show}
    plan_layers = set(data.zones[data.zones.source_doc == plan].layer_id)
    hidden_by_default = plan_layers & set(data.catalogue.hidden_layer_ids)
    assert hidden_by_default and hidden_by_default <= shown
    markers = [ch for _, fg in groups for ch in fg._children.values()
               if isinstance(ch, folium.GeoJson) and ch.layer_name.endswith("-at-parent")]
    feats = [f for gj in markers for f in gj.data["features"]]
    z = data.zones
    unlocated = z[(z.source_doc == plan) & (z.position_confidence == "none")]
    assert {f["properties"]["zone_id"] for f in feats} == set(unlocated.zone_id)  # every parent chain reaches a place
    assert all(f["properties"]["_u"].startswith("未定位，示于上级「") for f in feats)
    names = {it["t"] for _, fg in groups for it in _items(fg) if it["c"] == "unlocated"}
    assert names == set(unlocated.name_zh)
    assert not any(layer is None for layer, _ in groups)  # nothing left for the hidden "not located" group


def test_without_focus_the_unlocated_zones_stay_in_the_hidden_group(data):
    groups, _ = _groups(data)
    hidden = [fg for layer, fg in groups if layer is None]
    assert len(hidden) == 1 and not hidden[0].show
    assert not any(ch.layer_name.endswith("-at-parent") for _, fg in groups for ch in fg._children.values()
                   if isinstance(ch, folium.GeoJson))
    lj = {x["layer_id"]: fg for x, fg in groups if x is not None}
    assert "lj_places" in lj and not lj["lj_places"].show  # hidden by default without the focus


def test_at_parent_points_spread_around_their_parent(data):
    z = data.zones
    un = at_parent(z[z.position_confidence == "none"], z, ("LJ",))
    pts = spread(un.geometry)
    assert len(set(zip(pts.x.round(7), pts.y.round(7)))) == len(pts)
    d = np.hypot((pts.x - un.geometry.x) * 96_800, (pts.y - un.geometry.y) * 111_320)
    assert d.max() < 1000 and (d == 0).sum() == un.geometry.apply(lambda g: g.wkt).nunique()


def test_popups_option(data):
    sel = apply_filter(data, Filter(sectors=["检验检测"]))
    on = mapview.build_map(data, sel, MapOptions(basemap="none")).get_root().render()
    off = mapview.build_map(data, sel, MapOptions(basemap="none", popups=False)).get_root().render()
    assert "bindPopup" in on and "autoPan: false" in on
    assert "bindPopup" not in off and "bindTooltip" in off


def test_thematic_layer_comes_last_and_stays_on_top(data):
    groups, _ = _groups(data, thematic="land", thematic_layer="towns")
    last_layer, last = groups[-1]
    assert last_layer["layer_id"] == "towns"
    assert any(isinstance(ch, ZOrder) and ch.rank == 1 for ch in last._children.values())
    groups, _ = _groups(data)
    assert groups[-1][0] is None  # no thematic map: manifest order, the hidden group last


def test_one_legend_lists_each_layer_drawn_the_line_styles_and_the_parcels(data):
    sel = apply_filter(data, Filter())
    m = mapview.build_map(data, sel, MapOptions(basemap="none", thematic="land"))
    legends = [el for el in m._children.values() if isinstance(el, Legend)]
    assert [lg.key for lg in legends] == ["base"]
    base = legends[0].html
    groups, _ = _groups(data)
    for layer, _fg in groups:
        if layer is not None:
            assert layer["title_zh"].replace("&", "&amp;") in base
    assert "区县界" in base and "实线" in base and "虚线" in base and "Σ占地" in base
    assert "未定位，示于上级片区位置" not in base
    page = m.get_root().render()
    assert page.count("G.sections[key] = text") == 2  # base and the parcels' section, one control
    focus = mapview.base_map(data, apply_filter(data, Filter(plans=["LJ"])), MapOptions(basemap="none", focus_plans=("LJ",)))
    assert "未定位，示于上级片区位置" in next(el for el in focus._children.values() if isinstance(el, Legend)).html

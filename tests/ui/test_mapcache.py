"""The base map is reused across parcel-only changes; pans inside what was sent keep the parcel layer."""

import re

from streamlit_folium import _get_feature_group_string, _get_map_string

from geo.core.filter import Filter, apply_filter
from geo.render import mapview
from geo.render.layers.parcels import parcel_layer
from geo.render.options import MapOptions
from ui import mapcache


def test_base_map_reused_for_sector_changes_rebuilt_for_zone_changes(data):
    cache = mapcache.BaseMapCache()
    opts = MapOptions(basemap="none")
    a = apply_filter(data, Filter())
    b = apply_filter(data, Filter(sectors=["检验检测"]))
    c = apply_filter(data, Filter(plans=["HTS"]))
    assert len(b.parcels) < len(a.parcels) and len(c.zones) < len(a.zones)
    def st_folium_renders(m, sel):
        """what st_folium does with the map it is given: render it, renumber its ids, add its layers"""
        m.get_root().render()
        script = _get_map_string(m)
        _get_feature_group_string(parcel_layer(sel, opts), map=m, idx=0)
        return re.sub(r"_[0-9a-f]{32}", "_X", script)

    fresh = st_folium_renders(mapview.base_map(data, a, opts), a)
    first = st_folium_renders(cache.get(data, a, opts), a)
    again = st_folium_renders(cache.get(data, b, opts), b)
    assert cache.builds == 1 and cache.hits == 1
    assert first == again == fresh  # the browser keeps its map, and it is the map a fresh build gives
    cache.get(data, c, opts)
    assert cache.builds == 2
    cache.get(data, c, MapOptions(basemap="none", lang="en"))
    assert cache.builds == 3


def test_thematic_map_depends_on_the_projects(data):
    cache = mapcache.BaseMapCache()
    opts = MapOptions(basemap="none", thematic="land")
    cache.get(data, apply_filter(data, Filter()), opts)
    cache.get(data, apply_filter(data, Filter(sectors=["检验检测"])), opts)
    assert cache.builds == 2  # the classes are sums over the selected projects


def test_keep_view():
    sent = ((106.30, 29.50, 106.34, 29.52), 15)
    inside = ((106.305, 29.501, 106.345, 29.523), 15)  # within the quarter padding
    outside = ((106.32, 29.50, 106.36, 29.52), 15)
    assert mapcache.keep_view(sent, inside) == sent
    assert mapcache.keep_view(sent, outside) == outside
    assert mapcache.keep_view(sent, (inside[0], 16)) == (inside[0], 16)
    assert mapcache.keep_view(None, inside) == inside
    assert mapcache.keep_view(sent, None) is None


def test_sessions_share_the_base_maps_of_the_same_data(data):
    from copy import copy as shallow
    shared = mapcache.SharedMaps(size=2)
    opts = MapOptions(basemap="none")
    sel = apply_filter(data, Filter())
    one, two = mapcache.BaseMapCache(shared), mapcache.BaseMapCache(shared)
    a, b = one.get(data, sel, opts), two.get(data, sel, opts)
    assert one.builds == 1 and two.builds == 0 and two.shared_hits == 1
    assert a is not b and a.get_root().render() is not None  # each session renders its own copy
    other = shallow(data)  # reloaded data (another object): never the old data's maps
    three = mapcache.BaseMapCache(shared)
    three.get(other, apply_filter(other, Filter()), opts)
    assert three.builds == 1
    for lang in ("en", "zh"):  # two more keys: the least recently used is dropped
        three.get(data, sel, MapOptions(basemap="none", lang=lang))
    assert len(shared._maps) == 2

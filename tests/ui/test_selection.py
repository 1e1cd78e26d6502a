"""One way to select, in the app (AppTest): a filter change fits the map to the selection; a search hit
and a project-table row select, fly to the feature and bring the map forward; the district filter names
functional areas and counts the projects with no district. The browser test checks the same on screen
(``test_app_browser``)."""

from geo.core.filter import Filter, apply_filter, bounds_of
from geo.render import viewport
from tests.ui.test_app import open_tab, run
from ui.selection import MAP_SIZE_PX, feature_bounds


def _inside(latlon, b, tol=1e-9):
    lat, lon = latlon
    return b[0] - tol <= lon <= b[2] + tol and b[1] - tol <= lat <= b[3] + tol


def test_a_filter_change_fits_the_map_to_what_it_selects(data):
    at = run({"base": "none"})
    assert at.session_state["fly_to"] is None  # the first run keeps the default view
    at.multiselect(key="sectors").set_value(["集成电路"]).run()
    (lat, lon), zoom = at.session_state["fly_to"]
    b = bounds_of(data, apply_filter(data, Filter(sectors=["集成电路"])))
    assert ((lat, lon), zoom) == viewport.fit(b, MAP_SIZE_PX)
    assert _inside((lat, lon), b) and zoom >= 13
    at.multiselect(key="sectors").set_value([]).run()  # back to everything: the default view
    from geo.config import DEFAULT_CENTER, DEFAULT_ZOOM
    assert at.session_state["fly_to"] == (DEFAULT_CENTER, DEFAULT_ZOOM)


def test_a_shared_link_keeps_its_view_on_first_run():
    at = run({"base": "none", "sector": "集成电路", "lat": "29.6", "lon": "106.4", "z": "12"})
    assert at.session_state["fly_to"] is None


def test_a_table_row_selects_flies_and_shows_the_map(data):
    at = open_tab(run({"base": "none"}), "tab_table")
    at.session_state["select_request"] = "HTS-T4-01"  # what a row pick in the table sets (browser-only widget)
    at.run()
    assert at.session_state["selected"] == "HTS-T4-01"
    assert at.session_state["tab_key"] == "tab_map"
    (lat, lon), zoom = at.session_state["fly_to"]
    assert _inside((lat, lon), feature_bounds(data, "HTS-T4-01")) and zoom >= 14
    assert any("国家质检基地" in md.value for md in at.markdown)  # details beside the map


def test_a_search_hit_selects_the_same_way(data):
    at = open_tab(run({"base": "none"}), "tab_charts")
    at.text_input(key="q").set_value("kxg").run()  # pinyin initials of 科学谷
    hit = at.session_state["selected"]
    assert data.zones.set_index("zone_id").name_zh.get(hit, "") == "科学谷" or \
        data.projects.set_index("project_id").name_zh.get(hit, "").startswith("科学谷")
    assert at.session_state["tab_key"] == "tab_map"
    (lat, lon), _zoom = at.session_state["fly_to"]
    assert _inside((lat, lon), feature_bounds(data, hit))


def test_district_filter_offers_functional_areas_and_counts_projects_without_district(data):
    at = run({"base": "none"})
    options = at.multiselect(key="districts").options
    assert {"渝中区", "九龙坡区"} <= {o.split(" · ")[0] for o in options}
    assert any("两江新区" in o and "功能区" in o for o in options)
    assert any("西部(重庆)科学城" in o for o in options)
    at.multiselect(key="districts").set_value(["liangjiang_new_area"]).run()
    lj = apply_filter(data, Filter(districts=["liangjiang_new_area"]))
    assert len(lj.projects) > 0
    assert at.session_state["fly_to"] is not None
    counts = [m.value for m in at.metric]
    assert str(len(lj.projects)) in counts[0]

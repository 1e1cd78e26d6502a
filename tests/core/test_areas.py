"""Districts for every project, functional areas, the district filter, unlocated entities and the
bounds a filter change fits the map to — on the shipped data, against figures derived from it."""

import re

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo.config import COMMON_LAYER
from geo.core import areas, join
from geo.core.filter import Filter, apply_filter, bounds_of, split_multi, unlocated, without_district


def _chain_has_district(data, zone_id):
    """Whether anything in the zone's chain (itself, ancestors, a hull's members) prints or places a district."""
    z = data.zones.set_index("zone_id")
    anc = join.ancestors(data.zones)
    todo, seen = list(anc.get(zone_id, [])), set()
    while todo:
        cur = todo.pop()
        if cur in seen or cur not in z.index:
            continue
        seen.add(cur)
        r = z.loc[cur]
        if str(r.district_zh or "") or str(r.district_pip or ""):
            return True
        if "hull" in str(r.extent_method):
            todo += [t for t in re.findall(r"[A-Za-z0-9_]+", str(r.position_source)) if t in z.index]
    return False


def _hull_districts(data, zone_id):
    z = data.zones.set_index("zone_id")
    members = [t for t in re.findall(r"[A-Za-z0-9_]+", z.loc[zone_id, "position_source"]) if t in z.index]
    return {z.loc[m, "district_zh"] or z.loc[m, "district_pip"] for m in members} - {""}


def test_every_project_with_a_zone_or_parcel_has_districts(data):
    e = data.enriched
    parcel_in_district = set()
    for r in data.parcels.itertuples():
        if data.districts.contains(r.geometry.representative_point()).any():
            parcel_in_district.add(r.project_id)
    own_plan = {t[1] for v in areas.area_table(data).query("kind == 'district'").members for t in areas.parse_members(v)}
    has_source = e.apply(lambda r: _chain_has_district(data, r.zone_id) or r.project_id in parcel_in_district
                         or r.source_doc in own_plan, axis=1)
    assert without_district(e) == int((~has_source).sum())  # what the data implies (0 on the shipped data)
    assert (e.districts[has_source] != "").all()
    assert set(e.district_how) <= {"plan", "zone", "geometry", ""}
    assert ((e.districts == "") == (e.district_how == "")).all()
    assert (e.district == e.districts.str.split(";").str[0]).all()  # the old column: the first of them
    known = set(areas.district_names(data))
    assert {d for v in e.districts for d in split_multi(v)} <= known


def test_district_routes(data):
    e = data.enriched.set_index("project_id")
    # the districts' own plans: every project of theirs is the district's, by the plan
    for doc, name in (("YZ", "渝中区"), ("JLP", "九龙坡区")):
        rows = e[e.source_doc == doc]
        assert len(rows) and (rows.districts == name).all() and (rows.district_how == "plan").all()
    # a project in a cluster that is not located takes the hull it is shown in: 两江新区's places' districts
    lj_cluster = e[(e.zone_id == "lj_cluster_1")]
    assert len(lj_cluster) and (lj_cluster.district_how == "zone").all()
    expected = _hull_districts(data, "lj_liangjiang")
    assert len(expected) == 3 and all(set(split_multi(v)) == expected for v in lj_cluster.districts)
    # the High-tech Zone spans the districts of the towns it is drawn around
    htz = e[e.zone_id == "htz"]
    assert len(htz) and all(set(split_multi(v)) == _hull_districts(data, "htz") for v in htz.districts)
    # a zone's printed district wins over where its approximate position falls
    z = data.zone_facts
    assert z.loc["yz_cqmu", "districts"] == "渝中区"


def test_geometry_route_when_nothing_else_says(data):
    zones = data.zones.assign(district_zh="", district_pip="")
    d = data.replace(zones=zones, functional_areas=None)
    e = d.enriched
    inside = {r.project_id for r in data.parcels.itertuples()
              if data.districts.contains(r.geometry.representative_point()).any()}
    assert set(e.project_id[e.district_how == "geometry"]) == inside and len(inside) == len(data.parcels)
    assert without_district(e) == len(e) - len(inside)
    got = e.set_index("project_id").districts
    for r in data.parcels.itertuples():
        hit = data.districts[data.districts.contains(r.geometry.representative_point())].name_zh
        assert got[r.project_id] == ";".join(hit)


def test_functional_areas_table(data):
    fa = areas.functional_areas(data)
    assert list(fa.columns) == ["area_id", "name_zh", "name_en", "kind", "n_projects"]
    assert set(fa.kind) == {"district", "functional"}
    e = data.enriched
    for r in fa.itertuples():
        if r.kind == "district":
            assert r.n_projects == sum(r.area_id in split_multi(v) for v in e.districts) > 0
        else:
            assert r.n_projects == sum(r.area_id in split_multi(v) for v in e.areas)
    names = set(fa.name_zh)
    assert {"两江新区", "西部(重庆)科学城", "重庆高新区（直管园）", "渝中区", "九龙坡区"} <= names
    src = areas.area_table(data)
    assert (src.quote_zh != "").all() and (src.source_doc != "").all() and (src.note != "").all()


@pytest.mark.parametrize("value", ["两江新区", "liangjiang_new_area", "Liangjiang New Area", "liangjiang new area"])
def test_liangjiang_filter_gives_the_lj_projects_and_their_zones(data, value):
    sel = apply_filter(data, Filter(districts=[value]))
    e = data.enriched
    assert set(sel.projects.project_id) == set(e.project_id[e.source_doc == "LJ"])
    assert set(sel.zones.source_doc) == {"LJ"}
    lj_zones = set(data.zones.zone_id[data.zones.source_doc == "LJ"])
    assert set(sel.zones.zone_id) == lj_zones  # every zone of the plan, and only those
    assert {"lj_liangjiang", "lj_cluster_1"} <= set(sel.zones.zone_id)


@pytest.mark.parametrize("value", ["重庆高新区直管园", "重庆高新区（直管园）", "hightech_zone", "西部（重庆）科学城",
                                   "Western (Chongqing) Science City"])
def test_hightech_zone_filter_gives_the_hts_and_sti_projects(data, value):
    sel = apply_filter(data, Filter(districts=[value]))
    e = data.enriched
    assert set(sel.projects.project_id) == set(e.project_id[e.source_doc.isin(["HTS", "STI"])])
    assert set(sel.zones.source_doc) <= {"HTS", "STI"}
    assert "htz" in set(sel.zones.zone_id) and len(sel.parcels) == len(data.parcels)  # every parcel is HTS's


def test_district_names_in_english_and_several_values(data):
    a = apply_filter(data, Filter(districts=["Yuzhong"]))
    b = apply_filter(data, Filter(districts=["渝中区"]))
    assert set(a.projects.project_id) == set(b.projects.project_id) == set(
        data.enriched.project_id[data.enriched.source_doc == "YZ"])
    both = apply_filter(data, Filter(districts=["渝中区", "两江新区"]))
    assert len(both.projects) == len(b.projects) + int((data.enriched.source_doc == "LJ").sum())
    assert len(apply_filter(data, Filter(districts=["no such place"])).projects) == 0


def test_district_filter_never_silently_drops_projects(data):
    e = data.enriched
    fa = areas.functional_areas(data)
    seen = set()
    for r in fa[fa.kind == "district"].itertuples():
        sel = apply_filter(data, Filter(districts=[r.area_id]))
        assert len(sel.projects) == r.n_projects
        assert all(r.area_id in split_multi(v) for v in sel.projects.districts)
        # a zone shown for a district lies in it (its printed district or where its placement puts it)
        facts = data.zone_facts.loc[sel.zones.zone_id]
        assert all(r.area_id in split_multi(v) for v in facts.districts)
        seen |= set(sel.projects.project_id)
    assert len(seen) + without_district(e) == len(e)
    assert set(e.project_id) - seen == set(e.project_id[e.districts == ""])


def test_spanning_zone_shows_under_each_of_its_districts(data):
    for name in _hull_districts(data, "lj_liangjiang"):
        sel = apply_filter(data, Filter(districts=[name]))
        assert "lj_liangjiang" in set(sel.zones.zone_id) and "lj_cluster_3" in set(sel.zones.zone_id)


def test_unlocated_lists_the_lj_clusters_with_their_parents(data):
    sel = apply_filter(data, Filter(plans=["LJ"]))
    u = unlocated(data, sel)
    assert list(u.columns) == ["id", "kind", "name_zh", "name_en", "plan", "layer_id", "parent_id",
                               "parent_name_zh", "parent_name_en", "parent_located"]
    z = data.zones.set_index("zone_id")
    expected = set(sel.zones.zone_id[sel.zones.position_confidence == "none"])
    assert set(u.id[u.kind == "zone"]) == expected and len(expected) > 6
    clusters = u.set_index("id").loc[[f"lj_cluster_{i}" for i in range(1, 7)]]
    assert (clusters.parent_id == "lj_liangjiang").all() and clusters.parent_located.all()
    assert (clusters.parent_name_zh == z.loc["lj_liangjiang", "name_zh"]).all() and (clusters.plan == "LJ").all()
    for r in u.itertuples():
        assert r.parent_located == (r.parent_id in z.index and z.loc[r.parent_id, "position_confidence"] != "none")
    # projects are listed only when nothing in their zone chain is located (none on the shipped data)
    e = data.enriched
    facts = data.zone_facts
    bare = e[e.parcel_id.isna() & facts.bx0.reindex(e.zone_id).isna().to_numpy()]
    assert set(unlocated(data, apply_filter(data, Filter())).query("kind == 'project'").id) == set(bare.project_id)


def _contains(outer, inner, eps=1e-9):
    return (outer[0] <= inner[0] + eps and outer[1] <= inner[1] + eps
            and outer[2] >= inner[2] - eps and outer[3] >= inner[3] - eps)


def _area(b):
    return (b[2] - b[0]) * (b[3] - b[1])


@pytest.mark.parametrize("f", [Filter(sectors=["检验检测"]), Filter(plans=["LJ"]), Filter(plans=["YZ"]),
                               Filter(districts=["两江新区"]), Filter(districts=["渝中区"]), Filter(zones=["lj_cluster_1"]),
                               Filter(land_mu=(100, 500)), Filter(layouts=["sti_4rd_clusters"])])
def test_bounds_contain_every_selected_parcel_and_matched_located_zone(data, f):
    sel = apply_filter(data, f)
    b = bounds_of(data, sel)
    whole = bounds_of(data, apply_filter(data, Filter()))
    assert b is not None and _contains(whole, b)
    for g in sel.parcels.geometry:
        assert _contains(b, g.bounds)
    narrows = f.plans or f.layouts or f.districts or f.zones
    located = sel.zones[(sel.zones.position_confidence != "none") & (sel.zones.layer_id != COMMON_LAYER)]
    for g in (located.geometry if narrows else []):
        assert _contains(b, g.bounds)
    # an unlocated zone the filter matched counts where it is shown: its nearest located ancestor
    facts = data.zone_facts
    for zid in (sel.zones.zone_id if narrows else []):
        if not facts.loc[zid, "located"] and not np.isnan(facts.loc[zid, "bx0"]):
            assert _contains(b, tuple(facts.loc[zid, ["bx0", "by0", "bx1", "by1"]]))


def test_bounds_of_a_single_sector_are_narrower_than_the_whole_data(data):
    whole = bounds_of(data, apply_filter(data, Filter()))
    assert _contains(whole, tuple(data.parcels.total_bounds))
    groups = sorted({g for v in data.enriched.sector_group_zh for g in split_multi(v)})
    smaller = 0
    for g in groups:
        b = bounds_of(data, apply_filter(data, Filter(sectors=[g])))
        assert b is not None and _contains(whole, b)
        smaller += _area(b) < _area(whole)
    assert smaller >= 1
    b = bounds_of(data, apply_filter(data, Filter(sectors=["检验检测"])))
    assert _area(b) < 0.8 * _area(whole)  # not the whole map: the matching parcels and their zones
    # towns are context: a plan's bounds do not stretch to the shared towns
    yz = bounds_of(data, apply_filter(data, Filter(plans=["YZ"])))
    towns = data.zones[data.zones.layer_id == COMMON_LAYER]
    assert not box(*yz).contains(box(*towns.total_bounds))


def test_bounds_none_when_nothing_is_located(data):
    assert bounds_of(data, apply_filter(data, Filter(query="no-such-name-xyz"))) is None
    # a plan whose every entity is unlocated falls back to its parents' geometry
    sel = apply_filter(data, Filter(zones=["lj_cluster_2"]))
    b = bounds_of(data, sel)
    assert b == pytest.approx(tuple(data.zones.set_index("zone_id").geometry["lj_liangjiang"].bounds))


def test_without_district_counts_blank_cells():
    df = pd.DataFrame({"districts": ["渝中区", "", "九龙坡区;沙坪坝区", " "]})
    assert without_district(df) == 2
    assert without_district(pd.DataFrame({"district": ["", "x"]})) == 1


def test_parse_members():
    assert areas.parse_members("plan:HTS; zone:htz ;district:渝中区") == [
        ("plan", "HTS"), ("zone", "htz"), ("district", "渝中区")]
    assert areas.parse_members("town_huxi;plan:") == [("", "town_huxi"), ("", "plan:")]

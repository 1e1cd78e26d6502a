"""Firm matching: rankings on hand-built firm profiles; distances against an independent geodesic
computation."""

import numpy as np
import pytest
from pyproj import Geod

from geo.core.matching import FirmProfile, match, topics_of


@pytest.fixture(scope="module")
def rank(data, enriched, memberships):
    def run(**kw):
        return match(data, FirmProfile(**kw))
    return run


def test_semiconductor_design_firm_near_xiyong_gets_the_ic_incubation_parcel(rank):
    r = rank(sector_text="半导体芯片设计", land_min=100, land_max=200, zones=["town_xiyong"])
    assert r.project_id.iloc[0] == "HTS-T2-06"  # 西永集成电路孵化片区, 150 亩 (可用), 表2
    assert r.score.iloc[0] == 1.0 and r.score.iloc[1] < 0.9
    assert "集成电路" in r.reasons_zh.iloc[0] and "150 亩" in r.reasons_zh.iloc[0]
    assert rank(sector_text="IC design", land_min=100, land_max=200, zones=["town_xiyong"]).project_id.iloc[0] == "HTS-T2-06"


def test_testing_lab_gets_the_jinfeng_testing_parcels(rank):
    r = rank(sector_text="检验检测认证", land_min=50, land_max=150)
    assert set(r.project_id.iloc[:2]) == {"HTS-T4-02", "HTS-T4-03"}  # 106 亩 and 80 亩 in the 金凤检验检测片区


def test_biotech_rd_prefers_biomedicine_over_generic_rd(rank):
    r = rank(sector_text="biotech R&D center", land_min=500, land_max=1000)
    assert r.project_id.iloc[0] == "HTS-T2-05"  # 金凤生物医药产业园 780 亩
    generic = r.set_index("project_id").loc["HTS-T2-04"]  # 金凤智能装备研发孵化片区: R&D but not biomedicine
    assert generic.s_sector == pytest.approx(0.5 / 1.5)


def test_data_centre_inside_the_bonded_zone(rank):
    r = rank(sector_text="data center", land_min=10, land_max=30, in_bonded_zone=True)
    top = r.iloc[0]
    assert top.project_id == "HTS-T3-05" and top.in_bonded_zone  # 中国移动(西永)数据中心, 西永综保区B
    assert "综合保税区" in top.reasons_zh


def test_sector_chosen_from_the_list_and_open_ended_area(rank):
    r = rank(sectors=["科技金融"], land_min=1000)
    assert r.project_id.iloc[0] == "HTS-S35-01"  # 科技金融街 2400 亩


def test_near_metro_wish_uses_distance(rank):
    r = rank(sector_text="software", near_metro=True).set_index("project_id")
    near, far = r.loc["HTS-T3-03"], r.loc["HTS-T3-06"]  # 信创产业示范基地 (大学城) vs 金凤软件信息片区
    assert near.metro_m < 800 and far.metro_m > 5000
    assert near.s_wishes == 1.0 and far.s_wishes == 0.0


def test_distances_against_independent_geodesic(data, rank):
    r = rank(sector_text="IC").set_index("project_id")
    parcel = data.parcels.set_index("project_id").loc["HTS-T2-06"].geometry
    st = data.pois[data.pois.name_zh == r.loc["HTS-T2-06", "metro_name"]].geometry.iloc[0]
    ring = parcel.exterior
    pts = [ring.interpolate(t, normalized=True) for t in np.linspace(0, 1, 4001)]
    g = Geod(ellps="GRS80")
    d = min(g.inv(st.x, st.y, p.x, p.y)[2] for p in pts)
    assert r.loc["HTS-T2-06", "metro_m"] == pytest.approx(d, rel=1e-3)  # GK planar vs ellipsoid: scale 1.0004


@pytest.mark.parametrize("text,topic", [("集成电路设计", "ic"), ("IC design house", "ic"), ("生物医药", "biomed"),
                                        ("esports", "creative"), ("fintech", "finance"), ("工业设计", "creative")])
def test_topics(text, topic):
    assert topic in topics_of(text)


def test_ai_is_not_found_inside_other_words():
    assert "ai" not in topics_of("retail chain")


def test_preferred_district_matches_any_of_a_projects_districts(data, rank):
    from geo.core.filter import split_multi
    e = data.enriched.set_index("project_id")
    r = rank(districts=["沙坪坝区"])
    inside = r.project_id.map(lambda p: "沙坪坝区" in split_multi(e.districts[p]))
    assert inside.any() and (~inside).any()
    assert (r.s_location[inside] == 1.0).all() and (r.s_location[~inside] < 1.0).all()
    assert all("沙坪坝区" in x for x in r.reasons_zh[inside])


@pytest.mark.parametrize("wanted", [["science_city"], ["西部（重庆）科学城"], ["Western (Chongqing) Science City"]])
def test_preferred_functional_area_by_id_or_name(data, wanted):
    r = match(data, FirmProfile(districts=wanted), "en")
    assert len(r) and (r.s_location == 1.0).all()  # every shipped parcel lies in the Science City
    assert all("西部(重庆)科学城" in x for x in r.reasons_zh)
    assert all("Western (Chongqing) Science City" in x and "科学城" not in x for x in r.reasons_en)
    away = match(data, FirmProfile(districts=["两江新区"]), "en")  # no parcel there: none is "in" it
    assert len(away) and (away.s_location < 1.0).all()


def test_preferred_places_reads_districts_and_areas(data):
    import pandas as pd

    from geo.core.matching import preferred_places
    cells = pd.DataFrame({"districts": ["渝北区;江北区", "沙坪坝区", ""], "areas": ["liangjiang_new_area", "", ""]})
    assert preferred_places(data, cells, ["两江新区", "沙坪坝区"]).tolist() == [["liangjiang_new_area"], ["沙坪坝区"], []]
    assert preferred_places(data, cells, ["Jiangbei District"]).tolist() == [["江北区"], [], []]
    assert preferred_places(data, cells, []).tolist() == [[], [], []]

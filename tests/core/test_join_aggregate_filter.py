"""Joins, aggregates and the shared filter on the shipped data, against hand-computed figures."""

import math

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from geo.core import aggregate, join
from geo.core.crs import M2_PER_MU
from geo.core.filter import Filter, apply_filter, search, sectors_of, split_multi


def _shoelace_m2(coords):
    x, y = np.asarray(coords).T
    return 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))


@pytest.mark.parametrize("pid,mu", [("HTS-T2-01", 3052), ("HTS-T3-05", 15), ("HTS-T5-08", 3000), ("HTS-T4-01", 1011)])
def test_parcel_area_matches_hand_computed_mu(data, pid, mu):
    """Independent of geo.crs: project the ring with pyproj and apply the shoelace formula."""
    parcel = data.parcels.set_index("project_id").loc[pid]
    ring = parcel.geometry.exterior.coords
    t = Transformer.from_crs("EPSG:4326", "EPSG:4544", always_xy=True)
    m2 = _shoelace_m2([t.transform(x, y) for x, y in ring])
    assert m2 == pytest.approx(mu * 10000 / 15, rel=0.005)  # e.g. 3052 亩 = 2 034 666.7 m²
    assert parcel.area_mu == pytest.approx(m2 / M2_PER_MU, rel=1e-4)
    assert parcel.geometry_source == "schematic"


def test_parcels_do_not_overlap_and_lie_in_their_zone(data):
    g = data.parcels.geometry.values
    for i in range(len(g)):
        for j in range(i + 1, len(g)):
            assert g[i].intersection(g[j]).area == 0, (data.parcels.parcel_id[i], data.parcels.parcel_id[j])
    zones = data.zones.set_index("zone_id").geometry
    for r in data.parcels.itertuples():
        assert zones[r.zone_id].buffer(1e-6).contains(r.geometry), r.parcel_id


def test_parcels_joined_carry_project_and_zone(data):
    pj = join.parcels_joined(data)
    assert len(pj) == len(data.parcels)
    r = pj.set_index("project_id").loc["HTS-T4-01"]
    assert r.name_zh == "国家质检基地" and r.output_target_yi == 90 and r.zone_name_zh == "金凤检验检测片区"


def test_zone_chain_and_layout_membership(data, memberships):
    anc = join.ancestors(data.zones)
    assert anc["hts_fin_street"][:2] == ["hts_fin_street", "hts_core"]
    m = memberships
    # 国家质检基地 is declared in the 金凤检验检测片区 → member of 一核双圈两片
    lay = set(m[m.project_id == "HTS-T4-01"].layout_id.dropna())
    assert "hts_1core2circles2areas" in lay
    assert {"declared", "spatial"} == set(m.method)


def test_hts_rd_incubation_aggregate_by_hand(enriched):
    # 表2: land 3052+1650+888+700+780+150+400 = 7620 亩; outputs 80+50+50+20+40 = 240 亿元 on
    # 888+700+780+150+400 = 2918 亩 → 240e4 / 2918 = 822.48 万元/亩
    t2 = enriched[(enriched.source_doc == "HTS") & (enriched.source_ref == "表2")]
    s = aggregate.summarize(t2)
    assert s["count"] == 7 and s["land_mu"] == 7620 and s["output_target_yi"] == 240
    assert s["output_per_mu_wan"] == pytest.approx(240e4 / 2918)


def test_missing_figures_stay_missing_in_aggregates(enriched):
    no_land = enriched[enriched.source_doc == "STI"]
    by = aggregate.aggregate(no_land, "source_doc").iloc[0]
    assert by["count"] == len(no_land) and math.isnan(by["land_mu"]) and math.isnan(by["output_per_mu_wan"])
    empty = aggregate.summarize(enriched.iloc[0:0])
    assert empty["count"] == 0 and math.isnan(empty["land_mu"])


def test_aggregate_by_layout_counts_each_project_once(enriched, memberships):
    t = aggregate.aggregate_memberships(enriched, memberships, "layout_id").set_index("layout_id")
    hts = t.loc["hts_1core2circles2areas"]
    members = memberships[memberships.layout_id == "hts_1core2circles2areas"].project_id.unique()
    assert hts["count"] == len(members)
    assert hts["land_mu"] == enriched[enriched.project_id.isin(members)].land_mu.sum()


def test_output_per_mu_column(enriched):
    r = enriched.set_index("project_id").loc["HTS-T4-01"]  # 90 亿元 on 1011 亩
    assert r.output_per_mu_wan == pytest.approx(90e4 / 1011)
    assert pd.isna(enriched.set_index("project_id").loc["HTS-T2-01"].output_per_mu_wan)


def test_filter_by_sector(data, enriched, memberships):
    sel = apply_filter(data, Filter(sectors=["检验检测"]))
    assert set(sel.parcels.project_id) == {"HTS-T4-01", "HTS-T4-02", "HTS-T4-03"}
    assert (sel.projects.sector_zh.map(lambda v: "检验检测" in split_multi(v))).all()
    assert sel.projects.project_id.isin(["HTS-S33-01"]).any()
    # English names select the same
    en = enriched.set_index("sector_zh").sector_en.get("检验检测")
    en = en.iloc[0] if isinstance(en, pd.Series) else en
    sel_en = apply_filter(data, Filter(sectors=[en]))
    assert set(sel_en.projects.project_id) == set(sel.projects.project_id)


def test_filter_land_range_excludes_missing(data, enriched, memberships):
    sel = apply_filter(data, Filter(land_mu=(100, 500)))
    assert sel.projects.land_mu.between(100, 500).all()
    expected = set(enriched.project_id[enriched.land_mu.between(100, 500)])
    assert set(sel.projects.project_id) == expected and len(expected) == 13


def test_filter_plan_layout_district_and_geometry(data, enriched, memberships):
    sel = apply_filter(data, Filter(plans=["HTS"], layouts=["hts_1core2circles2areas"]))
    assert (sel.projects.source_doc == "HTS").all() and len(sel.projects) > 0
    assert set(sel.zones.layout_id) == {"hts_1core2circles2areas"}
    yz = apply_filter(data, Filter(districts=["渝中区"]))
    assert (yz.projects.district == "渝中区").all() and (yz.projects.source_doc == "YZ").all()
    hide = apply_filter(data, Filter(geometry_sources=["surveyed", "digitised", "gazetteer"]))
    assert len(hide.parcels) == 0 and "schematic" not in set(hide.zones.geometry_source)
    assert len(hide.projects) == len(enriched)  # precision filters drawing, not the list


def test_filter_by_zone_includes_descendants(data, enriched, memberships):
    sel = apply_filter(data, Filter(zones=["hts_jinfeng_testing"]))
    assert {"HTS-T4-01", "HTS-T4-02", "HTS-T4-03"} <= set(sel.projects.project_id)


def test_empty_filter_selects_everything(data, enriched, memberships):
    sel = apply_filter(data, Filter())
    assert len(sel.projects) == len(data.projects) and len(sel.parcels) == len(data.parcels)
    assert len(sel.zones) == len(data.zones) and Filter().summary() == "all"


@pytest.mark.parametrize("q,expect", [("科学谷", "科学谷"), ("science valley", "科学谷"), ("kexuegu", "科学谷"),
                                      ("kxg", "科学谷"), ("Jinfeng", "金凤"), ("质检", "质检")])
def test_search_by_chinese_english_pinyin(data, q, expect):
    hits = search(data, q)
    assert len(hits) and expect in hits.name_zh.iloc[0] or any(expect in n for n in hits.name_zh)
    b = hits.bounds.iloc[0]
    assert 105 < b[0] <= b[2] < 108 and 28.5 < b[1] <= b[3] < 30.5


def test_filter_summary_is_filename_safe():
    f = Filter(sectors=["检验检测"], land_mu=(100, None), query="a/b c")
    s = f.summary()
    assert "/" not in s and " " not in s and "检验检测" in s and "100-mu" in s


def test_sector_list_splits_multi_valued_cells(enriched):
    sectors = sectors_of(enriched)
    assert {"研发孵化", "软件信息", "检验检测", "数字文创", "科技金融"} <= set(sectors)
    assert not any(";" in s for s in sectors)


def test_arrow_isin_matches_pandas(enriched):
    import numpy as np
    import pandas as pd

    from geo.core.filter import isin
    s = pd.concat([enriched.zone_id, pd.Series([None, "", "x"], dtype="str")], ignore_index=True)
    for values in (set(enriched.zone_id[:40]), list(enriched.zone_id[::3]), enriched.zone_id[5:9], [], {""}, [None]):
        expected = s.isin(list(values) if isinstance(values, set) else values).to_numpy()
        assert np.array_equal(isin(s, values), expected), values
    nums = enriched.land_mu
    assert np.array_equal(isin(nums, [100.0]), nums.isin([100.0]).to_numpy())

"""The shipped data holds every row, place and figure of the plans, checked against the plan texts."""

import re
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
HTS_TEXT = (ROOT / "data/plans/000_3950dd1b38987c41.txt").read_text(encoding="utf-8")
STI_TEXT = (ROOT / "data/plans/004_937c6c7ecafe199b.txt").read_text(encoding="utf-8")


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _table_block(text: str, title: str, end: str) -> str:
    start = text.index(title)
    return text[start:text.index(end, start)]


TABLES = {
    "表2": ("表2:研发孵化重点平台项目列表", "(二)着力发展软件信息"),
    "表3": ("表3:软件信息重点平台项目列表", "(三)着力发展检验检测"),
    "表4": ("表4:检验检测重点平台项目", "(四)着力发展数字文创"),
    "表5": ("表5:数字文创平台重点项目", "(五)着力发展科技金融"),
}


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_row_of_hts_tables_2_to_5_is_in_projects_with_exact_figures(data, table):
    """Consume the linearised table text row by row with the CSV's cells: every row must be
    found in order, and nothing but the header may be left over."""
    title, end = TABLES[table]
    block = _squash(_table_block(HTS_TEXT, title, end))
    rows = data.projects[(data.projects.source_doc == "HTS") & (data.projects.source_ref == table)]
    assert len(rows) >= 3
    pos = block.index("(亿元)") + len("(亿元)")
    for r in rows.itertuples():
        cells = _squash(r.name_zh + r.region_zh + r.function_zh + r.land_mu_text + r.output_target_text)
        assert block.startswith(cells, pos), f"{r.project_id}: {cells!r} not next in {table}: {block[pos:pos + 60]!r}"
        pos += len(cells)
    assert block[pos:] == "", f"{table} has text not in projects.csv: {block[pos:]!r}"


def test_table_figures_are_numbers_and_dashes_stay_missing(data):
    p = data.projects.set_index("project_id")
    assert p.loc["HTS-T2-01", "land_mu"] == 3052 and pd.isna(p.loc["HTS-T2-01", "output_target_yi"])
    assert p.loc["HTS-T2-01", "output_target_text"] == "——"
    assert p.loc["HTS-T2-06", "land_mu"] == 150 and p.loc["HTS-T2-06", "land_note"] == "可用"
    assert pd.isna(p.loc["HTS-T5-02", "land_mu"]) and p.loc["HTS-T5-02", "land_mu_text"] == "——"
    # every numeric land figure equals the number written in its verbatim cell
    hts = data.projects[data.projects.land_mu.notna() & data.projects.land_mu_text.str.match(r"^\d")]
    for r in hts.itertuples():
        assert float(re.match(r"[\d.]+", r.land_mu_text).group()) == r.land_mu, r.project_id


LAYOUT_000 = ["科创中央商务核", "金融街", "研发创新生态圈", "科学公园", "寨山坪", "科学谷", "大学城活力创意圈",
              "金凤检验检测片区", "金凤国家质检基地", "金凤生物医药产业园", "西永集成电路设计片区", "微电子科创街", "微电园研发群楼"]
LAYOUT_004 = ["科学大道创新发展轴", "西永微电园", "西永综保区", "重大科技基础设施集聚区", "重庆大学城", "含谷", "金凤",
              "石板", "巴福", "走马", "白市驿", "科学动力储能中心", "科技活力赋能中心", "科技效力释能中心",
              "源头创新区", "活力创新交流区", "科学公园", "科学谷", "凤栖湖", "光大人工智能产业基地",
              "金凤生物医药产业园", "石板大健康板块", "石板新能源及智能网联汽车产业园", "重庆市科技工作者众创之家",
              "川美文创微型企业园", "集成电路设计创新孵化中心", "重庆师范大学大学生创业孵化园", "大创谷·梦花园",
              "清研理工智能制造产业园", "中冶赛迪智能制造产业基地"]


def _has_feature(zones, name: str) -> bool:
    names = zones.name_zh.tolist()
    return any(name in n or n in name for n in names)


@pytest.mark.parametrize("name", LAYOUT_000)
def test_every_place_of_1core_2circles_2areas_is_a_feature(data, name):
    para = HTS_TEXT[HTS_TEXT.index("(四)空间布局"):HTS_TEXT.index("三、构筑“五大赛道”")]
    assert name in para  # the list above is the plan's own words
    assert _has_feature(data.zones, name)


@pytest.mark.parametrize("name", LAYOUT_004)
def test_every_place_of_1axis_3centres_multipoints_is_a_feature(data, name):
    box = STI_TEXT[STI_TEXT.index("专栏2 “一轴三心多点”"):STI_TEXT.index("第三章 重点任务")]
    assert name in box
    assert _has_feature(data.zones, name)


def test_axis_is_a_line_in_three_segments(data):
    axis = data.zones[data.zones.layer_id == "sti_axis"].set_index("zone_id")
    for seg in ("sti_axis_north", "sti_axis_middle", "sti_axis_south"):
        assert axis.loc[seg].geometry.geom_type == "LineString"
    assert axis.loc["sti_axis"].geometry.geom_type in ("LineString", "MultiLineString")
    # the segments are chained north → south
    n, m, s = (axis.loc[k].geometry for k in ("sti_axis_north", "sti_axis_middle", "sti_axis_south"))
    assert n.coords[0][1] > m.coords[0][1] > s.coords[-1][1]


def test_five_incubation_and_four_rd_clusters(data):
    z = data.zones
    assert (z.layout_id == "sti_5incubation_clusters").sum() == 5
    assert (z.layout_id == "sti_4rd_clusters").sum() == 4


def test_every_feature_says_how_its_geometry_was_obtained(data):
    for df in (data.zones, data.parcels):
        assert df.geometry_source.isin(["surveyed", "digitised", "gazetteer", "schematic"]).all()
    assert (data.zones.position_source.str.len() > 10).all()
    assert data.zones.source_doc.isin(["HTS", "YZ", "LJ", "JLP", "STI"]).all()


def test_every_project_joins_to_a_zone_and_every_land_figure_has_a_parcel(data):
    assert data.projects.zone_id.isin(data.zones.zone_id).all()
    with_land = set(data.projects.project_id[data.projects.land_mu > 0])
    assert with_land == set(data.parcels.project_id)


def test_all_five_plans_contribute_projects_places_and_targets(data):
    for doc in ("HTS", "YZ", "LJ", "JLP", "STI"):
        assert (data.zones.source_doc == doc).any(), doc
        assert (data.targets.source_doc == doc).any(), doc
    assert {"HTS", "YZ", "STI"} <= set(data.projects.source_doc)


def test_sti_indicator_table_2020_to_2025(data):
    t = data.targets[(data.targets.source_doc == "STI") & data.targets.source_ref.str.contains("指标体系表")]
    assert t.indicator_id.nunique() == 20
    rd = t[t.indicator_zh.str.startswith("R&D经费支出占GDP比重")].set_index("year").value
    assert rd.loc[2020] == 4.9 and rd.loc[2025] == 5.5
    award = t[t.indicator_zh.str.startswith("新获得国家级科技奖项")]
    base = award[award.value_kind == "baseline"]
    assert base.value.isna().all() and (base.value_text == "-").all()  # printed "-" stays missing


def test_yuzhong_yearly_targets_2024_to_2027(data):
    t = data.targets[(data.targets.source_doc == "YZ") & data.targets.source_ref.str.startswith("表1")]
    out = t[t.indicator_zh == "总产值"].set_index("year").value
    assert out.to_dict() == {2024: 600, 2025: 730, 2026: 860, 2027: 1000}


def test_functional_areas_are_loaded_and_optional(data, data_copy):
    from geo.core import areas
    from geo.core.filter import without_district
    from geo.io.files import load_all
    src = pd.read_csv(ROOT / "data/src/functional_areas.csv", dtype=str, keep_default_na=False)
    assert list(areas.area_table(data).area_id) == list(src.area_id)
    d, lay = data_copy
    (d / "src" / "functional_areas.csv").unlink()
    bare = load_all(d, lay)  # strict: a data folder without the table is valid
    assert bare.functional_areas is not None and len(bare.functional_areas) == 0
    e = bare.enriched
    assert (e.areas == "").all() and "plan" not in set(e.district_how)
    # without the districts' own plans, their projects still get districts from their zones
    assert without_district(e) == without_district(data.enriched)
    assert set(areas.functional_areas(bare).kind) == {"district"}

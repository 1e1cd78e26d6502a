"""A sixth plan is added by data alone: with no code change it appears in the catalogue, the plan filter,
the map layers, an export and the validator.

The test copies data/ and layers/ to a temporary folder and adds a made-up plan "TST" there: its row in
sources.csv with its text, its places, projects and targets in data/src/ (every row quoting the text),
and its two layers' rows in data/src/layers.csv. Then `python -m geo build` runs on the copy.
"""

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import pytest

from geo.config import COMMON_LAYER
from geo.core.filter import Filter, apply_filter
from geo.io import export
from geo.io.files import load_all
from geo.render import mapview
from geo.render.options import MapOptions

ROOT = Path(__file__).resolve().parents[2]
NEW = "TST"
RING, OTHERS = "tst_1ring2points", "tst_places"
TEXT = ("测试片区产业发展规划。一、空间布局：构建“一环两点”格局。环：西部创新环，占地1200亩，重点发展软件信息。"
        "点：东部检测基地，占地300亩，重点发展检验检测。二、重点项目：西部软件园项目，用地150亩；东部检测中心，用地80亩。"
        "三、发展目标：到2027年，软件信息产业规模突破100亿元。")

PLACES = [  # columns of data/src/SCHEMA.md
    {"zone_id": "tst_ring", "name_zh": "西部创新环", "name_en": "Western innovation ring", "layout": "一环两点",
     "layout_id": RING, "role_zh": "环", "role_en": "ring", "parent_id": "", "district_zh": "", "geom_kind": "area",
     "position_hint": "ll:29.45,106.05", "position_note": "made up for the test", "area_mu": "1200",
     "area_text": "占地1200亩", "sectors_zh": "软件信息", "source_doc": NEW, "source_ref": "一、空间布局",
     "quote_zh": "环：西部创新环，占地1200亩"},
    {"zone_id": "tst_testing_base", "name_zh": "东部检测基地", "name_en": "Eastern testing base", "layout": "",
     "layout_id": "", "role_zh": "基地", "role_en": "base", "parent_id": "", "district_zh": "", "geom_kind": "area",
     "position_hint": "ll:29.47,106.09", "position_note": "made up for the test", "area_mu": "300",
     "area_text": "占地300亩", "sectors_zh": "检验检测", "source_doc": NEW, "source_ref": "一、空间布局",
     "quote_zh": "东部检测基地，占地300亩"},
]
PROJECTS = [
    {"project_id": "TST-01", "name_zh": "西部软件园项目", "name_en": "Western software park", "kind": "park",
     "sector_zh": "软件信息", "sector_en": "software and information services", "zone_id": "tst_ring",
     "land_mu": "150", "land_mu_text": "150", "source_doc": NEW, "source_ref": "二、重点项目",
     "quote_zh": "西部软件园项目，用地150亩"},
    {"project_id": "TST-02", "name_zh": "东部检测中心", "name_en": "Eastern testing centre", "kind": "facility",
     "sector_zh": "检验检测", "sector_en": "inspection and testing", "zone_id": "tst_testing_base",
     "land_mu": "80", "land_mu_text": "80", "source_doc": NEW, "source_ref": "二、重点项目",
     "quote_zh": "东部检测中心，用地80亩"},
]
TARGETS = [
    {"target_id": "TST-001", "indicator_id": "TST-I01", "scope_zh": "测试片区", "sector_zh": "软件信息",
     "indicator_zh": "软件信息产业规模", "indicator_en": "Software and information industry", "unit_zh": "亿元",
     "unit_en": "100 million yuan", "year": "2027", "value": "100", "value_text": "突破100亿元",
     "value_kind": "target", "comparator": ">", "source_doc": NEW, "source_ref": "三、发展目标",
     "quote_zh": "到2027年，软件信息产业规模突破100亿元"},
]
LAYER_ROWS = [  # layer_id, kind, title_zh, title_en, colour, weight, fill_opacity, dash_array, shown, context
    [RING, "zones", "测试片区 一环两点", "Test area: one ring, two points", "#0f766e", "2", "0.08", "6 4", "yes", "no"],
    [OTHERS, "zones", "测试片区 其他载体", "Test area: other carriers", "#a16207", "2", "0.08", "6 4", "no", "no"],
]


def _write_rows(path: Path, rows: list[dict], like: Path) -> None:
    """Write rows with the columns of an existing source table (empty where a row has no value)."""
    header = pd.read_csv(like, nrows=0).columns.tolist()
    pd.DataFrame(rows).reindex(columns=header, fill_value="").to_csv(path, index=False)


def _append(path: Path, row: list[str]) -> None:
    with path.open("a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(row)


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """data/ and layers/ copied, the sixth plan added as data, and built with `python -m geo build`."""
    tmp = tmp_path_factory.mktemp("sixth_plan")
    d, lay = tmp / "data", tmp / "layers"
    shutil.copytree(ROOT / "data", d)
    shutil.copytree(ROOT / "layers", lay)
    (d / "plans" / "900_test_plan.txt").write_text(TEXT, encoding="utf-8")
    _append(d / "sources.csv", [NEW, "plans/900_test_plan.txt", "测试片区产业发展规划", "Test area industrial plan",
                                "测试片区管委会", "", "2025-01-01", "2025–2027", "plan"])
    src = d / "src"
    _write_rows(src / f"{NEW}_places.csv", PLACES, like=src / "HTS_places.csv")
    _write_rows(src / f"{NEW}_projects.csv", PROJECTS, like=src / "HTS_projects.csv")
    _write_rows(src / f"{NEW}_targets.csv", TARGETS, like=src / "HTS_targets.csv")
    for row in LAYER_ROWS:
        _append(src / "layers.csv", row)
    r = _run("build", "--data", str(d), "--layers", str(lay))
    assert r.returncode == 0, r.stdout + r.stderr
    return d, lay


@pytest.fixture(scope="module")
def data(folders):
    return load_all(*folders)  # strict: any schema error fails


def test_the_catalogue_and_the_ui_choices_list_the_new_plan_and_its_layers(data):
    cat = data.catalogue
    assert cat.plan_ids[-1] == NEW and cat.plan(NEW).title("en") == "Test area industrial plan"
    assert {layer.layer_id for layer in cat.layers_of(NEW)} == {RING, OTHERS}
    assert cat.layer(RING).title("zh") == "测试片区 一环两点" and cat.layer(RING).style["color"] == "#0f766e"
    assert OTHERS in cat.hidden_layer_ids and RING not in cat.hidden_layer_ids
    # the plan picker offers the rows of sources.csv
    assert NEW in list(data.sources.set_index("source_doc").index)


def test_the_plan_filter_selects_its_projects_parcels_and_zones(data):
    sel = apply_filter(data, Filter(plans=[NEW]))
    assert set(sel.projects.project_id) == {"TST-01", "TST-02"}
    assert set(sel.parcels.project_id) == {"TST-01", "TST-02"}
    assert set(sel.projects.source_doc) == {NEW}
    own = sel.zones[sel.zones.layer_id != COMMON_LAYER]
    assert set(own.zone_id) == {"tst_ring", "tst_testing_base"} and set(own.source_doc) == {NEW}
    ring = apply_filter(data, Filter(layouts=[RING]))
    assert set(ring.projects.project_id) == {"TST-01"}
    # the other plans are untouched
    assert NEW not in set(apply_filter(data, Filter(plans=["HTS"])).projects.source_doc)


def _groups(m: folium.Map) -> dict[str, tuple[bool, list[str]]]:
    """Each feature group of the map: (shown when the map opens, the names of its features)."""
    out = {}
    for el in m._children.values():
        if isinstance(el, folium.FeatureGroup):
            names = [f["properties"].get("_n") for sub in el._children.values() if isinstance(sub, folium.GeoJson)
                     for f in sub.data["features"]]
            out[el.layer_name] = (el.show, names)
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_map_draws_the_new_layers_with_their_titles_and_visibility(data, lang):
    m = mapview.build_map(data, apply_filter(data, Filter()), MapOptions(lang=lang, basemap="none"))
    groups = _groups(m)
    ring_title = data.catalogue.layer(RING).title(lang)
    others_title = data.catalogue.layer(OTHERS).title(lang)
    assert groups[f"{ring_title} (1)"] == (True, ["西部创新环" if lang == "zh" else "Western innovation ring"])
    assert groups[f"{others_title} (1)"] == (False, ["东部检测基地" if lang == "zh" else "Eastern testing base"])
    parcels = [names for title, (_, names) in groups.items() if "Western software park" in names
               or "西部软件园项目" in names]
    assert parcels, "the new plan's parcels are drawn"


def test_an_export_holds_its_features(data, tmp_path):
    snap = export.export(data, Filter(plans=[NEW]), "gpkg", tmp_path)
    parcels = gpd.read_file(snap.path, layer="parcels")
    projects = gpd.read_file(snap.path, layer="projects")
    zones = gpd.read_file(snap.path, layer="zones")
    assert set(parcels.project_id) == {"TST-01", "TST-02"} and set(projects.project_id) == {"TST-01", "TST-02"}
    assert {"tst_ring", "tst_testing_base"} <= set(zones.zone_id)
    assert parcels.geometry.notna().all() and projects.geometry.notna().all()


def test_the_validator_passes_and_checks_the_new_plans_quotes_against_its_text(folders, tmp_path):
    d, lay = folders
    r = _run("validate", "--data", str(d), "--layers", str(lay))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 error(s)" in r.stdout
    bad_d, bad_lay = tmp_path / "data", tmp_path / "layers"
    shutil.copytree(d, bad_d)
    shutil.copytree(lay, bad_lay)
    p = pd.read_csv(bad_d / "projects.csv", dtype=str, keep_default_na=False)
    p.loc[p.project_id == "TST-02", "quote_zh"] = "东部检测中心，用地99亩"  # not what the plan says
    p.to_csv(bad_d / "projects.csv", index=False)
    r = _run("validate", "--data", str(bad_d), "--layers", str(bad_lay))
    assert r.returncode == 1, r.stdout
    errors = [x for x in r.stdout.splitlines() if x.startswith("ERROR")]
    assert len(errors) == 1 and "(TST-02)" in errors[0] and f"is not in the text of {NEW}" in errors[0], errors

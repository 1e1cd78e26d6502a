"""`python -m geo validate`: passes on the shipped data, fails clearly on broken copies."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geo.pipeline import validate

ROOT = Path(__file__).resolve().parents[2]


def run(data_dir=None, layers_dir=None):
    cmd = [sys.executable, "-m", "geo", "validate"]
    if data_dir:
        cmd += ["--data", str(data_dir), "--layers", str(layers_dir)]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_shipped_data_validates_and_reports_the_plans_own_inconsistencies():
    r = run()
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 error(s)" in r.stdout
    # 表2's five non-facility rows sum to 2918 亩; the text says 2978 亩: both numbers are reported
    line = next(x for x in r.stdout.splitlines() if "HTS-C2" in x)
    assert "2918" in line and "2978" in line and "DISAGREES" in line
    assert "HTS-C1" not in r.stdout  # 3052 + 1650 = 4702 agrees with the text, so no warning
    assert "stated totals agree with their tables" in r.stdout


def _edit_csv(path: Path, fn):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    fn(df)
    df.to_csv(path, index=False)


def _set(id_col, ident, col, value):
    def f(df):
        df.loc[df[id_col] == ident, col] = value
    return f


def _drop(col):
    def f(df):
        del df[col]
    return f


def _edit_json(path: Path, fn):
    obj = json.loads(path.read_text(encoding="utf-8"))
    fn(obj)
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")


def _feature(obj, key, value):
    return next(f for f in obj["features"] if f["properties"][key] == value)


def _scale_parcel(obj):
    f = _feature(obj, "parcel_id", "P-HTS-T2-03")
    ring = f["geometry"]["coordinates"][0]
    x0, y0 = ring[0]
    f["geometry"]["coordinates"][0] = [[x0 + (x - x0) * 1.1, y0 + (y - y0) * 1.1] for x, y in ring]


def _bowtie(obj):
    f = _feature(obj, "parcel_id", "P-HTS-T3-02")
    (a, b, c, d, e) = f["geometry"]["coordinates"][0][:5]
    f["geometry"]["coordinates"][0] = [a, c, b, d, a]


def _projected(obj):
    f = _feature(obj, "parcel_id", "P-HTS-T4-01")
    f["geometry"]["coordinates"][0] = [[630000 + i * 10, 3270000 + (i % 2) * 10] for i in range(3)] + [[630000, 3270000]]


def _swap_latlon(obj):
    f = _feature(obj, "parcel_id", "P-HTS-T4-02")
    f["geometry"]["coordinates"][0] = [[y, x] for x, y in f["geometry"]["coordinates"][0]]


def _overlap(obj):
    a = _feature(obj, "parcel_id", "P-HTS-T5-01")
    b = _feature(obj, "parcel_id", "P-HTS-T5-04")
    b["geometry"] = a["geometry"]


BROKEN = [
    ("projects.csv", _set("project_id", "HTS-T2-04", "land_mu", "七百"),
     "data/projects.csv", "(HTS-T2-04)", "land_mu: '七百' is not a number"),
    ("projects.csv", _set("project_id", "HTS-T3-01", "zone_id", "nowhere"),
     "data/projects.csv", "(HTS-T3-01)", "zone_id 'nowhere' does not join"),
    ("projects.csv", _set("project_id", "HTS-T3-02", "project_id", "HTS-T3-01"),
     "data/projects.csv", "HTS-T3-01", "duplicate project_id"),
    ("projects.csv", _drop("sector_zh"),
     "data/projects.csv", "header", "missing column(s): sector_zh"),
    ("projects.csv", _set("project_id", "HTS-T2-05", "quote_zh", "金凤生物医药产业园 占地9999亩"),
     "data/projects.csv", "(HTS-T2-05)", "is not in the text of HTS"),
    ("targets.csv", _set("target_id", "HTS-22", "value_kind", "guess"),
     "data/targets.csv", "(HTS-22)", "value_kind: 'guess' is not one of"),
    ("parcels.geojson", _scale_parcel, "data/parcels.geojson", "P-HTS-T2-03", "plan says 888 亩"),
    ("parcels.geojson", _bowtie, "data/parcels.geojson", "P-HTS-T3-02", "invalid geometry"),
    ("parcels.geojson", _projected, "data/parcels.geojson", "P-HTS-T4-01", "not longitude/latitude"),
    ("parcels.geojson", _swap_latlon, "data/parcels.geojson", "P-HTS-T4-02", "lat/lon swapped?"),
    ("parcels.geojson", _overlap, "data/parcels.geojson", "P-HTS-T5-01", "overlaps"),
]


@pytest.mark.parametrize("file,breaker,named_file,named_where,problem", BROKEN,
                         ids=[b[4][:30] for b in BROKEN])
def test_broken_copy_fails_with_a_message_naming_file_feature_and_problem(data_copy, file, breaker, named_file,
                                                                           named_where, problem):
    d, lay = data_copy
    path = d / file
    if path.suffix == ".csv":
        _edit_csv(path, breaker)
    else:
        _edit_json(path, breaker)
    r = run(d, lay)
    assert r.returncode == 1, r.stdout
    lines = [x for x in r.stdout.splitlines() if x.startswith("ERROR") and problem in x]
    assert lines, r.stdout
    assert named_file in lines[0] and named_where in lines[0]


def test_duplicate_zone_id_across_layers_is_an_error(data_copy):
    d, lay = data_copy
    _edit_json(lay / "hts_1core2circles2areas.geojson",
               lambda o: o["features"][0]["properties"].__setitem__("zone_id", "town_jinfeng"))
    r = run(d, lay)
    assert r.returncode == 1 and "zone_id used more than once" in r.stdout


def test_truncated_and_non_wgs84_files_are_reported(data_copy):
    d, lay = data_copy
    text = (d / "parcels.geojson").read_text(encoding="utf-8")
    (d / "parcels.geojson").write_text(text[: len(text) // 2], encoding="utf-8")
    _edit_json(lay / "towns.geojson", lambda o: o.__setitem__(
        "crs", {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4544"}}))
    r = run(d, lay)
    assert r.returncode == 1
    assert "data/parcels.geojson: file: is not valid JSON" in r.stdout
    assert "declares urn:ogc:def:crs:EPSG::4544" in r.stdout


def test_validate_api_returns_structured_issues(data_copy):
    d, lay = data_copy
    issues, results = validate.validate(d, lay)
    assert not [i for i in issues if i.level == "error"]
    by_id = {r.check_id: r for r in results}
    assert by_id["HTS-C1"].ok and by_id["HTS-C1"].table_sum == 4702
    assert not by_id["HTS-C5"].ok and by_id["HTS-C5"].table_sum == 3779 and by_id["HTS-C5"].stated == 754


AREA_BREAKS = [
    (_set("area_id", "liangjiang_new_area", "quote_zh", ""), "(liangjiang_new_area)", "quote_zh is empty"),
    (_set("area_id", "hightech_zone", "members", "plan:HTS;zone:no_such_zone"), "(hightech_zone)",
     "member zone:no_such_zone is unknown"),
    (_set("area_id", "science_city", "members", "plan:XYZ"), "(science_city)", "member plan:XYZ is unknown"),
    (_set("area_id", "science_city", "members", "district:火星区"), "(science_city)", "member district:火星区 is unknown"),
    (_set("area_id", "science_city", "members", "town_huxi"), "(science_city)", "member 'town_huxi' is not plan:"),
    (_set("area_id", "liangjiang_new_area", "quote_zh", "两江新区覆盖江北区、渝北区、北碚区"), "(liangjiang_new_area)",
     "is not in the text of LJ"),
    (_set("area_id", "渝中区", "name_zh", "渝东区"), "(渝中区)", "is not in the district layer"),
]


@pytest.mark.parametrize("breaker,named_where,problem", AREA_BREAKS, ids=[b[2][:30] for b in AREA_BREAKS])
def test_functional_area_rows_need_a_quote_and_known_members(data_copy, breaker, named_where, problem):
    d, lay = data_copy
    _edit_csv(d / "src" / "functional_areas.csv", breaker)
    issues, _ = validate.validate(d, lay)
    hits = [i for i in issues if i.level == "error" and problem in i.problem]
    assert hits, [str(i) for i in issues if i.level == "error"]
    assert "functional_areas.csv" in hits[0].file and named_where in hits[0].where


def test_shipped_functional_areas_validate(data):
    assert validate.check_functional_areas(data) == []
    assert not [i for i in validate.check_quotes(data) if "functional_areas" in i.file]

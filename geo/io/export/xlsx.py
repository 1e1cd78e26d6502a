"""Excel snapshot: one sheet per layer (geometry as WKT and a point's x/y) and a ``metadata`` sheet."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.io.export.base import LAYERS, ExportFormat, Job
from geo.io.export.common import formula_leading, from_wkt_table, wkt_table


def write(job: Job) -> Path:
    """Write ``<stem>.xlsx``; a text a spreadsheet would run as a formula stays text.

    The rule is the CSV's (:func:`geo.io.export.common.formula_leading`); Excel keeps its own form of
    the leading ``'``: the cell is a text cell with the quote-prefix flag set, so the value reads back
    unchanged, Excel neither evaluates nor drops it, and editing the cell keeps it text.

    Parameters
    ----------
    job : Job

    Returns
    -------
    Path
    """
    p = job.path(FORMAT.suffix)
    with pd.ExcelWriter(p, engine="openpyxl") as xw:
        for name, g in job.layers.items():
            wkt_table(g).to_excel(xw, sheet_name=name, index=False)
        pd.DataFrame([{"key": k, "value": json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v}
                      for k, v in job.meta.items()]).to_excel(xw, sheet_name="metadata", index=False)
        for sheet in xw.sheets.values():  # every sheet, the metadata's too (a filter or a title is data)
            for row in sheet.iter_rows():
                for cell in row:
                    if formula_leading(cell.value):
                        cell.data_type = "s"  # openpyxl took a text starting with "=" for a formula
                        cell.quotePrefix = True
    return p


def read(path: Path, crs: str) -> dict[str, gpd.GeoDataFrame]:
    """Read the layers of an Excel snapshot.

    Parameters
    ----------
    path : Path
    crs : str

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
    """
    sheets = pd.read_excel(path, sheet_name=None, dtype=object)
    return {layer: from_wkt_table(t, crs) for layer, t in sheets.items() if layer in LAYERS}


FORMAT = ExportFormat("xlsx", "Excel", ".xlsx", write, read, order=60)

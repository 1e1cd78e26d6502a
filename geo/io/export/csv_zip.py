"""CSV snapshot (zip): one UTF-8 CSV per layer with the geometry as WKT and a point's x/y.

Named ``csv_zip`` so that it does not shadow the standard library's ``csv``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.io.export.base import LAYERS, ExportFormat, Job
from geo.io.export.common import csv_bytes, from_wkt_table, metadata_json, restore_cell, wkt_table, zip_members


def write(job: Job) -> Path:
    """Write ``<stem>.csv.zip``: ``parcels.csv``, ``zones.csv``, ``projects.csv``, ``metadata.json``.

    The CSVs carry a byte-order mark so that Excel opens Chinese text correctly; a text a spreadsheet
    would run as a formula is written with a leading ``'`` (:func:`geo.io.export.common.formula_leading`),
    which :func:`read` takes off again.

    Parameters
    ----------
    job : Job

    Returns
    -------
    Path
    """
    z = job.path(FORMAT.suffix)
    members = {f"{name}.csv": csv_bytes(wkt_table(g)) for name, g in job.layers.items()}
    zip_members(z, members | {"metadata.json": metadata_json(job.meta)})
    return z


def read(path: Path, crs: str) -> dict[str, gpd.GeoDataFrame]:
    """Read the layers of a CSV snapshot.

    Parameters
    ----------
    path : Path
    crs : str

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
    """
    with zipfile.ZipFile(path) as zf:
        tables = {layer: pd.read_csv(zf.open(f"{layer}.csv"), dtype=object, encoding="utf-8-sig",
                                     keep_default_na=False, na_values=[""])
                  for layer in LAYERS if f"{layer}.csv" in zf.namelist()}
    return {layer: from_wkt_table(t.map(restore_cell), crs) for layer, t in tables.items()}


FORMAT = ExportFormat("csv", "CSV (WKT + x/y, zip)", ".csv.zip", write, read, order=50)

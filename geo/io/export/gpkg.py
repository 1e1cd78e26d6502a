"""GeoPackage snapshot: one table per layer, and the metadata as a ``snapshot_metadata`` table."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.io.export.base import LAYERS, ExportFormat, Job
from geo.io.export.common import clean


def write(job: Job) -> Path:
    """Write ``<stem>.gpkg`` (GeoPackage 1.2, which older ArcGIS, QGIS and GDAL open too).

    Parameters
    ----------
    job : Job

    Returns
    -------
    Path
    """
    import pyogrio

    p = job.path(FORMAT.suffix)
    for name, g in job.layers.items():
        if not len(g):
            continue
        # GeoPackage 1.2: opened by older ArcGIS/QGIS/GDAL too (GDAL 3.12 would write 1.4)
        clean(g).to_file(p, layer=name, driver="GPKG", engine="pyogrio", append=p.exists(),
                         **({} if p.exists() else {"dataset_options": {"VERSION": "1.2"}}))
    md = pd.DataFrame({"key": ["metadata"], "value": [json.dumps(job.meta, ensure_ascii=False)]})
    pyogrio.write_dataframe(md, p, layer="snapshot_metadata", driver="GPKG", append=True)
    return p


def read(path: Path, crs: str) -> dict[str, gpd.GeoDataFrame]:
    """Read the layers of a GeoPackage snapshot (the CRS is in the file).

    Parameters
    ----------
    path : Path
    crs : str

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
    """
    import pyogrio

    return {layer: gpd.read_file(path, layer=layer) for layer, _ in pyogrio.list_layers(path) if layer in LAYERS}


FORMAT = ExportFormat("gpkg", "GeoPackage", ".gpkg", write, read, order=20)

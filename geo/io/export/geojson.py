"""GeoJSON snapshot: one FeatureCollection per layer in a zip, with the metadata inside each and beside.

GeoJSON is WGS84 by definition; a projected snapshot names its CRS in the (pre-RFC 7946) ``crs``
member, which GDAL and QGIS honour.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd

from geo.io.export.base import LAYERS, ExportFormat, Job
from geo.io.export.common import clean, file_crs, metadata_json, zip_members


def _collection(g: gpd.GeoDataFrame, meta: dict) -> str:
    fc = json.loads(clean(g).to_json(ensure_ascii=False, drop_id=True, na="null"))
    if meta["crs"] not in ("EPSG:4326", "GCJ02"):
        fc["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{meta['crs'].split(':')[1]}"}}
    fc["metadata"] = meta  # a foreign member: ignored by GIS tools, kept for the record
    return json.dumps(fc, ensure_ascii=False)


def write(job: Job) -> Path:
    """Write ``<stem>.geojson.zip``: ``parcels.geojson``, ``zones.geojson``, ``projects.geojson``, ``metadata.json``.

    Parameters
    ----------
    job : Job

    Returns
    -------
    Path
    """
    z = job.path(FORMAT.suffix)
    members = {f"{name}.geojson": _collection(g, job.meta) for name, g in job.layers.items()}
    zip_members(z, members | {"metadata.json": metadata_json(job.meta)})
    return z


def read(path: Path, crs: str) -> dict[str, gpd.GeoDataFrame]:
    """Read the layers of a GeoJSON snapshot.

    Parameters
    ----------
    path : Path
    crs : str
        The snapshot's CRS.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
    """
    out = {}
    with zipfile.ZipFile(path) as zf:
        for layer in LAYERS:
            if f"{layer}.geojson" in zf.namelist():
                fc = json.loads(zf.read(f"{layer}.geojson"))
                out[layer] = gpd.GeoDataFrame.from_features(fc["features"]).set_crs(file_crs(crs), allow_override=True)
    return out


FORMAT = ExportFormat("geojson", "GeoJSON (zip)", ".geojson.zip", write, read, order=10)

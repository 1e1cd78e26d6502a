"""KML snapshot (Google Earth, 奥维): one folder per layer, placemarks named by ``name_zh``.

KML holds longitude/latitude only; the metadata is the root document's name and an ``ExtendedData``
JSON value. A placemark's description is HTML to Google Earth's balloon: it is written escaped
(:func:`geo.render.markup.html`), so an id from the data shows as text there.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.sax.saxutils import escape

import geopandas as gpd

from geo.io.export.base import ID_COLUMN, LAYERS, LONLAT_CRS, ExportError, ExportFormat, Job
from geo.io.export.common import clean
from geo.render import markup


def _head(meta: dict) -> str:
    """The root document's name and metadata, as KML."""
    return (f"<name>{escape('科学城规划一张图 ' + meta['filter_summary'] + ' ' + meta['created'])}</name>"
            f"<ExtendedData><Data name=\"scimap_metadata\"><value>{escape(json.dumps(meta, ensure_ascii=False))}"
            f"</value></Data></ExtendedData>")


def write(job: Job) -> Path:
    """Write ``<stem>.kml`` with the LIBKML driver.

    Parameters
    ----------
    job : Job

    Returns
    -------
    Path

    Raises
    ------
    ExportError
        For a projected CRS.
    """
    import pyogrio

    if job.crs not in LONLAT_CRS:
        raise ExportError(f"KML holds longitude/latitude only: choose {', '.join(LONLAT_CRS[:-1])} or "
                          f"{LONLAT_CRS[-1]}, not {job.crs}")
    p = job.path(FORMAT.suffix)
    first = True
    for name, g in job.layers.items():
        g = clean(g)
        if not len(g):
            continue
        g = g[g.geometry.notna()].copy()
        g.insert(0, "Name", g["name_zh"].fillna("") if "name_zh" in g else "")
        g["Description"] = [markup.html(f"{name}: {i}") for i in g[ID_COLUMN[name]]]
        pyogrio.write_dataframe(g, p, layer=name, driver="LIBKML", append=not first)
        first = False
    text = re.sub(r'(<Document id="root_doc">)', lambda m: m.group(1) + _head(job.meta), p.read_text(encoding="utf-8"),
                  count=1)
    p.write_text(text, encoding="utf-8")
    return p


def read(path: Path, crs: str) -> dict[str, gpd.GeoDataFrame]:
    """Read the layers of a KML snapshot (placemark name and description dropped).

    Parameters
    ----------
    path : Path
    crs : str

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
    """
    import pyogrio

    out = {}
    for layer, _ in pyogrio.list_layers(path):
        if layer in LAYERS:
            g = gpd.read_file(path, layer=layer, engine="pyogrio")
            out[layer] = g.drop(columns=[c for c in ("Name", "Description") if c in g.columns])
    return out


FORMAT = ExportFormat("kml", "KML (Google Earth / 奥维)", ".kml", write, read, order=40)

"""HTML snapshot: the selection drawn as a self-contained web map (assets inlined, metadata embedded).

Not read back by :func:`geo.io.export.read_snapshot`: it is a picture of the selection, not data.
"""

from __future__ import annotations

import json
from pathlib import Path

from geo.io.export.base import ExportError, ExportFormat, Job


def write(job: Job) -> Path:
    """Write ``<stem>.html``: the app's map of the selection in the job's view, with no external requests.

    Parameters
    ----------
    job : Job

    Returns
    -------
    Path

    Raises
    ------
    ExportError
        For any CRS but WGS84 (the web map shifts to GCJ-02 itself when its basemap needs it).
    """
    from geo.render import assets, mapview, options

    if job.crs != "EPSG:4326":
        raise ExportError("the HTML map is drawn on a web map in WGS84; choose EPSG:4326 (its basemap handles GCJ-02)")
    v = job.view
    opts = options.MapOptions(lang=job.lang, basemap=v.get("basemap", "none"), thematic=v.get("thematic", "none"),
                              center=v.get("center", options.DEFAULT_CENTER), zoom=v.get("zoom", options.DEFAULT_ZOOM),
                              tianditu_key=v.get("tianditu_key", ""))
    page = assets.inline_assets(mapview.build_map(job.data, job.selection, opts).get_root().render())
    page = page.replace("<head>", "<head>\n<script type=\"application/json\" id=\"scimap-metadata\">"
                        + json.dumps(job.meta, ensure_ascii=False).replace("<", "\\u003c") + "</script>", 1)
    p = job.path(FORMAT.suffix)
    p.write_text(page, encoding="utf-8")
    return p


FORMAT = ExportFormat("html", "HTML map (self-contained)", ".html", write, order=70)

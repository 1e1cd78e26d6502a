"""The boundaries page shows the CRS a file was read in as its characters: a GeoPackage's own WKT names its CRS,
and a name such as ``![x](http://…)`` must not become an image (AppTest, no browser)."""

from __future__ import annotations

import re

import geopandas as gpd
from pyproj import CRS
from streamlit.testing.v1 import AppTest

from geo.io.files import load_all

EVIL = "![x](http://evil.example/a.png) $\\x$ **b**"


def _evil_crs() -> CRS:
    """EPSG:4545 with another central meridian (so no EPSG code matches) and a name chosen by the file."""
    wkt = CRS.from_epsg(4545).to_wkt().replace("CGCS2000 / 3-degree Gauss-Kruger CM 108E", EVIL)
    wkt = re.sub(r',ID\["EPSG",4545\]', "", wkt.replace("108", "107.9999"))
    return CRS.from_wkt(wkt)


def _review_page(path: str) -> None:
    from geo.io import importer
    from geo.io.files import load_all as load
    from ui import boundaries
    data = load()
    rv = importer.review(path, data, "parcels", None, name="evil.gpkg")
    boundaries._review(rv, "parcels", "me", "evil.gpkg", "0" * 16, "en")


def test_a_crs_name_from_the_file_is_shown_as_text(tmp_path):
    data = load_all()
    p = data.parcels.iloc[0]
    path = tmp_path / "evil.gpkg"
    crs = _evil_crs()
    assert crs.to_epsg() is None
    gpd.GeoDataFrame({"project_id": [p.project_id]}, geometry=[p.geometry], crs=4326).to_crs(crs).to_file(path)
    at = AppTest.from_function(_review_page, args=(str(path),), default_timeout=90).run()
    assert not at.exception, [e.message for e in at.exception]
    [caption] = [c.value for c in at.caption if "CRS" in c.value or "PROJCS" in c.value]
    assert caption.startswith("CRS used\\: PROJCS\\[") and "\\!\\[x\\]" in caption  # Markdown-escaped
    assert "![x](" not in caption and "**b**" not in caption  # escaped: shown as characters, never rendered
    assert len(caption) < 400  # a long WKT is cut

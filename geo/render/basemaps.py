"""Basemaps and their datum. Gaode/Amap tiles are GCJ-02: overlays are shifted to sit on them.

Default: Gaode street map — reachable in mainland China without a key, fast, familiar to
planners; OSM tiles are slow or unreachable from many Chinese networks and Tianditu needs a
key. With `none` the map needs no network at all (intranet/offline). Titles: ``i18n.BASEMAP_TITLES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd

from geo import config, i18n
from geo.core.gcj02 import shift_frame


@dataclass(frozen=True)
class Basemap:
    """One basemap: its tile layers (a base and optional label overlays) and their datum."""

    key: str
    datum: str  # "wgs84" | "gcj02" | "none"
    tiles: tuple[tuple[str, str], ...]  # (url template, attribution)
    subdomains: str = "abc"
    max_zoom: int = 18
    needs_key: bool = False


TIANDITU = "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}"

BASEMAPS = {
    "gaode": Basemap("gaode", "gcj02",
                     (("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
                       "© 高德地图 AutoNavi"),), subdomains="1234"),
    "gaode_sat": Basemap("gaode_sat", "gcj02",
                         (("https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}", "© 高德地图 AutoNavi"),),
                         subdomains="1234"),
    "osm": Basemap("osm", "wgs84", (("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors"),),
                   subdomains="abc", max_zoom=19),
    "tianditu": Basemap("tianditu", "wgs84",
                        ((TIANDITU.replace("{layer}", "vec"), "© 天地图"), (TIANDITU.replace("{layer}", "cva"), "© 天地图")),
                        subdomains="01234567", needs_key=True),
    "tianditu_img": Basemap("tianditu_img", "wgs84",
                            ((TIANDITU.replace("{layer}", "img"), "© 天地图"), (TIANDITU.replace("{layer}", "cia"), "© 天地图")),
                            subdomains="01234567", needs_key=True),
    "none": Basemap("none", "none", ()),
}
DEFAULT = "gaode"


def tianditu_key(secrets: dict[str, Any] | None = None) -> str:
    """The Tianditu developer key (``tk``): Streamlit secrets ``tianditu_key`` or the configured one.

    Parameters
    ----------
    secrets : dict, optional
        Streamlit's secrets (a mapping), if any.

    Returns
    -------
    str
        "" when there is none.
    """
    if secrets and secrets.get("tianditu_key"):
        return str(secrets["tianditu_key"])
    return config.settings().tianditu_key


def title(key: str, lang: str) -> str:
    """A basemap's name in the layer control and the basemap picker.

    Parameters
    ----------
    key : str
        A key of :data:`BASEMAPS`.
    lang : {"zh", "en"}

    Returns
    -------
    str
    """
    return i18n.pick(i18n.BASEMAP_TITLES, key, lang)


def tile_layers(key: str, tk: str = "") -> list[dict[str, Any]]:
    """Keyword arguments of ``folium.TileLayer`` for each tile layer of a basemap.

    Parameters
    ----------
    key : str
        A key of :data:`BASEMAPS`.
    tk : str, default ""
        The Tianditu key, for basemaps that need one.

    Returns
    -------
    list of dict

    Raises
    ------
    ValueError
        The basemap needs a key and none is given.
    """
    b = BASEMAPS[key]
    if b.needs_key and not tk:
        raise ValueError(f"basemap {key} needs a Tianditu key (env TIANDITU_KEY or secrets tianditu_key)")
    return [{"tiles": url.replace("{key}", tk) if "{key}" in url else url, "attr": attr,
             "subdomains": b.subdomains, "max_zoom": b.max_zoom, "max_native_zoom": b.max_zoom}
            for url, attr in b.tiles]


def overlay(gdf: gpd.GeoDataFrame, key: str) -> gpd.GeoDataFrame:
    """A WGS84 frame as drawn over a basemap: shifted to GCJ-02 for Gaode, unchanged otherwise.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        WGS84.
    key : str
        A key of :data:`BASEMAPS`.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    return shift_frame(gdf) if BASEMAPS[key].datum == "gcj02" and len(gdf) else gdf

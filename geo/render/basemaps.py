"""Basemaps and their datum. Gaode/Amap tiles are GCJ-02: overlays are shifted to sit on them.

Default: Gaode street map — reachable in mainland China without a key, fast, familiar to
planners; OSM tiles are slow or unreachable from many Chinese networks and Tianditu needs a
key. With `none` the map needs no network at all (intranet/offline).
"""

from __future__ import annotations

from dataclasses import dataclass

from geo import config


@dataclass(frozen=True)
class Basemap:
    key: str
    title_zh: str
    title_en: str
    datum: str  # "wgs84" | "gcj02" | "none"
    tiles: tuple[tuple[str, str], ...]  # (url template, attribution)
    subdomains: str = "abc"
    max_zoom: int = 18
    needs_key: bool = False


TIANDITU = "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}"

BASEMAPS = {
    "gaode": Basemap("gaode", "高德地图（街道）", "Gaode/Amap street", "gcj02",
                     (("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
                       "© 高德地图 AutoNavi"),), subdomains="1234"),
    "gaode_sat": Basemap("gaode_sat", "高德地图（影像）", "Gaode/Amap satellite", "gcj02",
                         (("https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}", "© 高德地图 AutoNavi"),),
                         subdomains="1234"),
    "osm": Basemap("osm", "OpenStreetMap", "OpenStreetMap", "wgs84",
                   (("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors"),), subdomains="abc",
                   max_zoom=19),
    "tianditu": Basemap("tianditu", "天地图（矢量）", "Tianditu vector", "wgs84",
                        ((TIANDITU.replace("{layer}", "vec"), "© 天地图"), (TIANDITU.replace("{layer}", "cva"), "© 天地图")),
                        subdomains="01234567", needs_key=True),
    "tianditu_img": Basemap("tianditu_img", "天地图（影像）", "Tianditu imagery", "wgs84",
                            ((TIANDITU.replace("{layer}", "img"), "© 天地图"), (TIANDITU.replace("{layer}", "cia"), "© 天地图")),
                            subdomains="01234567", needs_key=True),
    "none": Basemap("none", "无底图（离线 / 内网）", "No basemap (offline / intranet)", "none", ()),
}
DEFAULT = "gaode"


def tianditu_key(secrets: dict | None = None) -> str:
    """The Tianditu developer key (`tk`): Streamlit secrets `tianditu_key` or env TIANDITU_KEY."""
    if secrets and secrets.get("tianditu_key"):
        return str(secrets["tianditu_key"])
    return config.settings().tianditu_key


def title(key: str, lang: str) -> str:
    b = BASEMAPS[key]
    return b.title_zh if lang == "zh" else b.title_en


def tile_layers(key: str, tk: str = "") -> list[dict]:
    """kwargs for folium.TileLayer for each tile layer of the basemap."""
    b = BASEMAPS[key]
    if b.needs_key and not tk:
        raise ValueError(f"basemap {key} needs a Tianditu key (env TIANDITU_KEY or secrets tianditu_key)")
    return [{"tiles": url.replace("{key}", tk) if "{key}" in url else url, "attr": attr,
             "subdomains": b.subdomains, "max_zoom": b.max_zoom, "max_native_zoom": b.max_zoom}
            for url, attr in b.tiles]

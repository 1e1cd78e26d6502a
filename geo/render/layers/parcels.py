"""Parcels, one GeoJSON per sector group with a fixed style, and their legend.

Kept apart from the base map so that the app can swap it in place (st_folium
``feature_group_to_add``) when only the project filters or the view change: the map is not rebuilt
in the browser. At district scale only the parcels in view are sent, with lean properties, or
density cells when the view still holds too many (:mod:`geo.render.layers.density`).
"""

from __future__ import annotations

import math

import folium
import geopandas as gpd
import numpy as np
import shapely

from geo import i18n
from geo.core.filter import Selection
from geo.render import basemaps, style
from geo.render.elements.labels import Labels
from geo.render.elements.legend import Legend
from geo.render.elements.zorder import PARCELS, ZOrder
from geo.render.geojson import geojson_layer
from geo.render.layers import labels
from geo.render.layers.density import density_layer
from geo.render.options import MapOptions
from geo.render.popup import PARCEL_FIELDS, map_fields, with_props

DETAIL_MAX = 3000  # above this many parcels in view, the map shows density cells instead
VIEW_PAD = 0.25  # at district scale the parcels of the view and a quarter of it on each side are sent
LEAN_FIELDS = ["project_id", "name_zh", "sector_zh", "land_mu", "geometry_source"]

Bounds = tuple[float, float, float, float]


def viewport_bounds(center: tuple[float, float], zoom: int, size_px: tuple[int, int] = (1600, 700)) -> Bounds:
    """WGS84 bounds of a Web Mercator view, estimated before Leaflet reports them.

    Used on the first run at a street zoom from a shared link.

    Parameters
    ----------
    center : (float, float)
        (lat, lon).
    zoom : int
    size_px : (int, int), default (1600, 700)
        The map's width and height in pixels.

    Returns
    -------
    (float, float, float, float)
        minx, miny, maxx, maxy.
    """
    lat, lon = center
    deg_per_px = 360 / (256 * 2 ** zoom)
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    dy = math.radians(size_px[1] * deg_per_px) / 2
    dx = size_px[0] * deg_per_px / 2

    def lat_of(v: float) -> float:
        return math.degrees(2 * math.atan(math.exp(v)) - math.pi / 2)

    return (lon - dx, lat_of(y - dy), lon + dx, lat_of(y + dy))


def in_view(parcels: gpd.GeoDataFrame, box: Bounds) -> gpd.GeoDataFrame:
    """Parcels whose bounds meet a box.

    Uses the bounds columns that :func:`geo.core.join.parcels_joined` prepares, else a spatial index.

    Parameters
    ----------
    parcels : geopandas.GeoDataFrame
    box : (float, float, float, float)
        WGS84 minx, miny, maxx, maxy.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    x0, y0, x1, y1 = box
    if {"bx0", "by0", "bx1", "by1"} <= set(parcels.columns):
        hit = ((parcels.bx1.to_numpy() >= x0) & (parcels.bx0.to_numpy() <= x1)
               & (parcels.by1.to_numpy() >= y0) & (parcels.by0.to_numpy() <= y1))
        return parcels[hit]
    return parcels.iloc[np.sort(parcels.sindex.query(shapely.box(x0, y0, x1, y1), predicate="intersects"))]


def padded(bounds: Bounds, pad: float = VIEW_PAD) -> Bounds:
    """Bounds grown by a share of their width and height on each side (what a view sends).

    Parameters
    ----------
    bounds : (float, float, float, float)
        minx, miny, maxx, maxy.
    pad : float, default VIEW_PAD
        Share of the width (height) added left and right (below and above).

    Returns
    -------
    (float, float, float, float)
    """
    minx, miny, maxx, maxy = bounds
    px, py = (maxx - minx) * pad, (maxy - miny) * pad
    return (minx - px, miny - py, maxx + px, maxy + py)


def _sector_groups(fg: folium.FeatureGroup, parcels: gpd.GeoDataFrame, fields: list[str],
                   opts: MapOptions) -> list[tuple[str, str, str]]:
    """The parcels as one layer per sector group × precision; returns the legend rows."""
    lang = opts.lang
    pp = with_props(parcels, map_fields(fields, opts.popups), lang, "p").assign(
        sector_group_zh=parcels.sector_group_zh.values, sector_group_en=parcels.sector_group_en.values,
        geometry_source=parcels.geometry_source.values)
    pp["_group"] = pp.sector_group_zh.map(lambda g: str(g).split(";")[0])
    rows = []
    for grp, part in pp.groupby("_group", sort=True):
        colour = style.group_colour(grp)
        for precise, sub in part.groupby(part.geometry_source.isin(style.PRECISE_SOURCES)):
            st = {"color": colour, "weight": style.stroke(2, opts.prefer_canvas), "fillColor": colour,
                  "fillOpacity": 0.55, "dashArray": None if precise else "4 3", "className": "scimap-parcel"}
            geojson_layer(sub, f"parcels-{grp}", st, popups=opts.popups).add_to(fg)
        label = str(part[i18n.col("sector_group", lang)].iloc[0]).split(";")[0]
        rows.append((colour, f"{label} ({len(part)})", "dashed"))
    return rows


def parcel_layer(sel: Selection, opts: MapOptions, bounds: Bounds | None = None,
                 zoom: int | None = None) -> folium.FeatureGroup:
    """The selection's parcels by sector group, with their legend and names (from street zoom).

    District scale: when more than DETAIL_MAX parcels would be drawn, only those in the current view
    (``bounds``, padded by a quarter) are sent with lean properties (the full record comes on click,
    beside the map); if the view still holds too many, or there is no view yet, the map shows
    density cells (count and Σ亩 per cell) instead.

    Parameters
    ----------
    sel : Selection
    opts : MapOptions
    bounds : (float, float, float, float), optional
        The view, WGS84 (minx, miny, maxx, maxy).
    zoom : int, optional
        The view's zoom (the density cells' size).

    Returns
    -------
    folium.FeatureGroup
    """
    parcels = sel.parcels
    fields = PARCEL_FIELDS
    if len(parcels) > DETAIL_MAX:
        fields = LEAN_FIELDS
        if bounds is not None:
            parcels = in_view(parcels, padded(bounds))
        if len(parcels) > DETAIL_MAX or bounds is None:
            return density_layer(parcels, opts, zoom)
    parcels = basemaps.overlay(parcels, opts.basemap)
    fg = folium.FeatureGroup(name=f"{i18n.t('parcels', opts.lang)} ({len(parcels)})", show=True)
    rows = _sector_groups(fg, parcels, fields, opts) if len(parcels) else []
    ZOrder("parcels", PARCELS).add_to(fg)
    if opts.labels:
        Labels(labels.parcel_labels(parcels, opts.lang), key="parcels").add_to(fg)
    Legend(style.legend_html(i18n.t("legend_sector", opts.lang), rows) if rows else "", key="parcels",
           position="bottomright").add_to(fg)
    return fg

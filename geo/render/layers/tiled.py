"""The parcel layer from vector tiles: for a selection the tiles can show exactly, by sector group alone.

The tiles hold every parcel (:mod:`geo.pipeline.tileset`); the browser keeps those of the selected sector
groups (:class:`geo.render.elements.tiled.TiledParcels`). That is the selection only when the selection is
exactly "every parcel of these groups" — :func:`tile_sectors` checks it by counting; any other filter (a
district, a 亩 range, a search …) is drawn as before, from the selection itself.
"""

from __future__ import annotations

import functools
import weakref

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo import i18n
from geo.core.filter import Selection
from geo.core.gcj02 import wgs84_to_gcj02
from geo.core.tiling import MAX_DATA_ZOOM, TILE_PROPERTIES, sector_of
from geo.render import style
from geo.render.elements.legend import Legend
from geo.render.elements.tiled import SCRIPT, TiledParcels
from geo.render.elements.zorder import PARCELS, ZOrder
from geo.render.options import MapOptions

GCJ_STEP = 0.02
"""Degrees between the points of the GCJ-02 shift grid sent to the browser (the shift varies by < 0.5 m in it)."""
GCJ_PAD = 0.2
"""Degrees around the tile set's bounds the grid covers (beyond, the edge's shift)."""
LABEL_ZOOM = 16
"""Parcel names from this zoom (street level), as on the GeoJSON layer."""
_SECTORS: dict[int, tuple[weakref.ref, pd.Series]] = {}


def sectors_of_all(parcels: gpd.GeoDataFrame) -> pd.Series:
    """The parcels' sector groups (:func:`geo.core.tiling.sector_of`), computed once per frame (the data's joined
    parcels, or one selection's).

    Parameters
    ----------
    parcels : geopandas.GeoDataFrame

    Returns
    -------
    pandas.Series of str
    """
    hit = _SECTORS.get(id(parcels))
    if hit is not None and hit[0]() is parcels:
        return hit[1]
    s = sector_of(parcels)
    for k in [k for k, (ref, _) in _SECTORS.items() if ref() is None]:  # frames gone: their entries go too
        del _SECTORS[k]
    _SECTORS[id(parcels)] = (weakref.ref(parcels), s)
    return s


def tile_sectors(all_parcels: gpd.GeoDataFrame, sel: Selection) -> tuple[bool, list[str] | None]:
    """Whether the tiles show exactly the selection when filtered by sector group, and the groups.

    Parameters
    ----------
    all_parcels : geopandas.GeoDataFrame
        Every parcel (what the tiles hold).
    sel : Selection

    Returns
    -------
    (bool, list of str or None)
        Exact or not; the sector groups to keep (None: all of them).
    """
    if len(sel.parcels) == len(all_parcels):
        return True, None
    groups = sorted(set(selection_sectors(all_parcels, sel)))
    n = int(sectors_of_all(all_parcels).isin(groups).sum())
    return n == len(sel.parcels), groups


def selection_sectors(all_parcels: gpd.GeoDataFrame, sel: Selection) -> pd.Series:
    """Each selected parcel's sector group: computed once per selection frame (the check and the legend share it),
    and taken from every parcel's (:func:`sectors_of_all`) when the selection is all of them.

    Parameters
    ----------
    all_parcels : geopandas.GeoDataFrame
    sel : Selection

    Returns
    -------
    pandas.Series of str
    """
    if len(sel.parcels) == len(all_parcels):
        return sectors_of_all(all_parcels)
    return sectors_of_all(sel.parcels)


@functools.lru_cache(maxsize=8)
def gcj_grid(bounds: tuple[float, float, float, float]) -> dict:
    """The GCJ-02 shift on a grid over a WGS84 box (padded by :data:`GCJ_PAD`), for the browser to interpolate
    (computed once per box, not on every rerun; the caller does not change it).

    Parameters
    ----------
    bounds : (float, float, float, float)
        (west, south, east, north).

    Returns
    -------
    dict
        ``x0``, ``y0``, ``step``, ``nx``, ``ny`` and ``dlon``, ``dlat`` (degrees, row by row from the south-west).
    """
    w, s, e, n = bounds
    x0, y0 = round(w - GCJ_PAD, 2), round(s - GCJ_PAD, 2)
    nx = int(np.ceil((e + GCJ_PAD - x0) / GCJ_STEP)) + 1
    ny = int(np.ceil((n + GCJ_PAD - y0) / GCJ_STEP)) + 1
    lon, lat = np.meshgrid(x0 + GCJ_STEP * np.arange(nx), y0 + GCJ_STEP * np.arange(ny))
    glon, glat = wgs84_to_gcj02(lon.ravel(), lat.ravel())
    return {"x0": x0, "y0": y0, "step": GCJ_STEP, "nx": nx, "ny": ny,
            "dlon": np.round(np.asarray(glon) - lon.ravel(), 8).tolist(),
            "dlat": np.round(np.asarray(glat) - lat.ravel(), 8).tolist()}


def tiled_layer(sel: Selection, opts: MapOptions, meta: dict, url: str, allowed: list[str] | None,
                static_base: str = "/app/static", groups: pd.Series | None = None) -> folium.FeatureGroup:
    """The selection's parcels drawn from the tiles, with the legend of the sectors and of the density cells.

    Parameters
    ----------
    sel : Selection
    opts : MapOptions
    meta : dict
        The tile set's metadata (sectors, first parcel zoom, density classes).
    url : str
        The tiles' URL template (:func:`geo.io.tiles.tile_url`).
    allowed : list of str or None
        Sector groups kept (:func:`tile_sectors`).
    static_base : str, default "/app/static"
        Where the vendored renderer is served.
    groups : pandas.Series, optional
        The selected parcels' sector groups (:func:`selection_sectors`), when already at hand.

    Returns
    -------
    folium.FeatureGroup
    """
    lang = opts.lang
    sectors = list(meta.get("sectors", []))
    parcel_zoom = int(meta.get("parcel_min_zoom", MAX_DATA_ZOOM))
    breaks = {str(k): list(v) for k, v in (meta.get("density_breaks") or {}).items()}
    n_classes = max((len(b) for b in breaks.values()), default=1)
    options = {"url": url, "script": f"{static_base.rstrip('/')}/{SCRIPT}",
               "colours": {s: style.group_colour(s) for s in sectors}, "fallback": style.FALLBACK_COLOUR,
               "sectors": sectors, "allowed": allowed, "precise": list(style.PRECISE_SOURCES),
               "parcelZoom": parcel_zoom, "maxDataZoom": int(meta.get("max_zoom", MAX_DATA_ZOOM)),
               "breaks": breaks, "ramp": style.class_colours(n_classes),
               "gcj": gcj_grid(tuple(meta["bounds_wgs84"])) if opts.datum == "gcj02" else None,
               "nameProp": TILE_PROPERTIES[i18n.col("name", lang)], "labelZoom": LABEL_ZOOM,
               "idLabel": i18n.pick(i18n.FIELD_LABELS, "project_id", lang)}
    name = i18n.pick(i18n.MAP, "tiled", lang, layer=i18n.t("parcels", lang), n=i18n.number(len(sel.parcels), 0))
    fg = folium.FeatureGroup(name=name, show=True)
    TiledParcels(options).add_to(fg)
    ZOrder("parcels", PARCELS).add_to(fg)
    groups = sector_of(sel.parcels) if groups is None else groups
    shown = sel.parcels[i18n.col("sector_group", lang)].fillna("").astype(str).str.split(";").str[0].str.strip()
    label = dict(zip(groups, shown.where(shown != "", groups), strict=True))  # the group's name in the language
    rows = [(style.group_colour(g), f"{label[g]} ({i18n.number(n, 0)})", "solid")
            for g, n in sorted(groups.value_counts().items()) if g]
    html = style.legend_html(i18n.t("legend_sector", lang), rows)
    if breaks:  # the cells of the zooms above the parcels (the browser changes zoom without the server)
        bins = breaks.get(str(parcel_zoom - 1)) or breaks[max(breaks, key=int)]
        html += style.legend_html(i18n.pick(i18n.MAP, "tiled_density", lang, z=parcel_zoom), style.class_rows(bins, 0))
    Legend(html, key="parcels", position="bottomright").add_to(fg)
    return fg

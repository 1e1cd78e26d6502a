"""Density cells: square cells (size by zoom) with the number of parcels and Σ亩 — a district overview."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import i18n
from geo.config import GK_CM105, WGS84
from geo.core.tiling import cell_size
from geo.render import basemaps, style
from geo.render.elements.legend import Legend
from geo.render.elements.zorder import PARCELS, ZOrder
from geo.render.geojson import geojson_layer
from geo.render.options import MapOptions


def cells(parcels: gpd.GeoDataFrame, cell_m: int) -> gpd.GeoDataFrame:
    """Count and Σ亩 of the parcels per square cell of a grid in :data:`geo.config.GK_CM105`.

    Parameters
    ----------
    parcels : geopandas.GeoDataFrame
        WGS84; the ``rep_x``/``rep_y`` columns (representative points in the grid's CRS) are used
        when present.
    cell_m : int
        Cell size in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        WGS84 cells with ``n`` and ``mu``.
    """
    if "rep_x" in parcels.columns:
        xs, ys = parcels.rep_x.to_numpy(dtype=float), parcels.rep_y.to_numpy(dtype=float)
    else:
        pts = parcels.geometry.representative_point().to_crs(GK_CM105)
        xs, ys = pts.x.to_numpy(), pts.y.to_numpy()
    df = pd.DataFrame({"gx": np.floor(xs / cell_m).astype(np.int64), "gy": np.floor(ys / cell_m).astype(np.int64),
                       "mu": parcels.area_mu.to_numpy(dtype=float)})
    agg = df.groupby(["gx", "gy"]).agg(n=("mu", "size"), mu=("mu", "sum")).reset_index()
    boxes = [shapely.box(x * cell_m, y * cell_m, (x + 1) * cell_m, (y + 1) * cell_m)
             for x, y in zip(agg.gx, agg.gy, strict=True)]
    return gpd.GeoDataFrame(agg, geometry=boxes, crs=GK_CM105).to_crs(WGS84)


def density_layer(parcels: gpd.GeoDataFrame, opts: MapOptions, zoom: int | None) -> folium.FeatureGroup:
    """The parcels as density cells classed by count, with their legend.

    Parameters
    ----------
    parcels : geopandas.GeoDataFrame
    opts : MapOptions
    zoom : int, optional
        The view's zoom (:func:`cell_size`).

    Returns
    -------
    folium.FeatureGroup
    """
    lang = opts.lang
    cell_m = cell_size(zoom)
    fg = folium.FeatureGroup(name=i18n.pick(i18n.MAP, "density", lang, layer=i18n.t("parcels", lang), n=len(parcels)),
                             show=True)
    if not len(parcels):
        return fg
    g = basemaps.overlay(cells(parcels, cell_m), opts.basemap)
    idx, bins = style.classify(g.n.to_numpy(dtype=float))
    cols = style.class_colours(len(bins))
    for k in sorted(set(idx)):
        part = g[idx == k]
        recs = [{"_k": "cell", "_n": i18n.pick(i18n.MAP, "density_cell", lang, n=int(r.n)),
                 "_s": i18n.pick(i18n.MAP, "density_sum", lang, mu=i18n.number(r.mu, 0)), "zone_id": f"{cell_m} m",
                 "_w": ""} for r in part.itertuples()]
        sub = gpd.GeoDataFrame({"_p": recs}, geometry=part.geometry.values, crs=WGS84)
        st = {"color": "#7c2d12", "weight": 0.5, "fillColor": cols[int(k)], "fillOpacity": 0.7,
              "className": "scimap-density"}
        geojson_layer(sub, f"density-{k}", st, highlight=False, precision=5, popups=opts.popups).add_to(fg)
    ZOrder("parcels", PARCELS).add_to(fg)
    Legend(style.legend_html(i18n.pick(i18n.MAP, "density_legend", lang, cell=cell_m), style.class_rows(bins, 0)),
           key="parcels", position="bottomright").add_to(fg)
    return fg

"""A GeoJSON layer with one fixed style, its features carrying plain properties (``_p``).

Coordinates are rounded for display and serialised in GEOS; tooltip and popup come from the page's
renderer (:class:`geo.render.elements.bind.BindRenderer`), never from HTML in the data.
"""

from __future__ import annotations

import json
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely

from geo.render.elements.bind import BindRenderer

HOVER = {"weight": 4, "fillOpacity": 0.35}


def feature_collection(gdf: gpd.GeoDataFrame, precision: int) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of a frame with a ``_p`` (properties) column.

    Vectorised: the coordinates are rounded (display only: GEOS ``set_precision`` would also repair
    topology, 40 µs a parcel), serialised in GEOS and parsed with the C json module.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
    precision : int
        Decimals of degrees kept.

    Returns
    -------
    dict
    """
    geoms = shapely.transform(np.asarray(gdf.geometry.values, dtype=object), lambda c: np.round(c, precision))
    feats = [{"type": "Feature", "properties": p, "geometry": json.loads(g) if g is not None else None}
             for p, g in zip(gdf["_p"], shapely.to_geojson(geoms), strict=True)]
    return {"type": "FeatureCollection", "features": feats}


def geojson_layer(gdf: gpd.GeoDataFrame, name: str, style: dict[str, Any], marker: folium.Marker | None = None,
                  highlight: bool = True, precision: int | None = None, popups: bool = True) -> folium.GeoJson:
    """One GeoJSON layer, every feature in the same style, bound to the page's tooltip and popup.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features with a ``_p`` column (:func:`geo.render.popup.with_props`).
    name : str
        The layer's name (tests and feature counts find it by this).
    style : dict
        Leaflet path options.
    marker : folium.Marker, optional
        How points are drawn (a ``CircleMarker``).
    highlight : bool, default True
        Thicken a feature under the pointer.
    precision : int, optional
        Decimals of degrees kept: by default 6 (~0.1 m) for parcels, 5 (~1 m) for the approximate zones.
    popups : bool, default True
        Bind the popup (``MapOptions.popups``); the tooltip is always bound.

    Returns
    -------
    folium.GeoJson
    """
    if precision is None:
        precision = 6 if len(gdf) and gdf["_p"].iloc[0].get("_k") == "p" else 5
    kw = {"marker": marker} if marker is not None else {}
    gj = folium.GeoJson(
        feature_collection(gdf, precision), name=name, style_function=lambda _f, s=style: s,
        highlight_function=(lambda _f: HOVER) if highlight else None, **kw,
    )
    BindRenderer(popups).add_to(gj)
    return gj

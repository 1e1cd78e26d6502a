"""The selected parcel or zone outlined in yellow."""

from __future__ import annotations

import folium

from geo.core.model import PlanData
from geo.render import basemaps
from geo.render.elements.zorder import SELECTED, ZOrder

SELECTED_STYLE = {"color": "#facc15", "weight": 5, "fill": False, "opacity": 1, "className": "scimap-selected"}


def highlight_group(data: PlanData, ident: str, basemap: str) -> folium.FeatureGroup:
    """The selected feature's outline, in a group of its own.

    Kept out of the map itself so that st_folium can swap it (``feature_group_to_add``) without
    redrawing the whole map.

    Parameters
    ----------
    data : PlanData
    ident : str
        A ``project_id`` (its parcel) or a ``zone_id``; "" selects nothing.
    basemap : str
        The map's basemap key (the outline follows its datum).

    Returns
    -------
    folium.FeatureGroup
        Empty when nothing is selected or the id is unknown.
    """
    fg = folium.FeatureGroup(name="selected", control=False)
    hit = data.parcels[data.parcels.project_id == ident]
    if not len(hit):
        hit = data.zones[data.zones.zone_id == ident]
    if ident and len(hit):
        g = basemaps.overlay(hit[["geometry"]].copy(), basemap)
        folium.GeoJson(g.to_json(drop_id=True), name="selected-outline",
                       style_function=lambda _f: SELECTED_STYLE).add_to(fg)
    ZOrder("selected", SELECTED).add_to(fg)
    return fg

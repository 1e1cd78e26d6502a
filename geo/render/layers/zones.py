"""District boundaries and the plans' zone layers (polygons, axis lines, points), one group per layer.

Zones without a position are listed in their own hidden group; a thematic map fills the zones of
its layer by class (:mod:`geo.render.layers.thematic`).
"""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from geo import i18n
from geo.core.filter import Selection
from geo.core.model import PlanData
from geo.render import basemaps, style
from geo.render.geojson import geojson_layer
from geo.render.layers import thematic
from geo.render.options import MapOptions
from geo.render.popup import ZONE_FIELDS, with_props

DISTRICT_STYLE = {"color": "#4b5563", "weight": 1.2, "fill": False, "dashArray": None, "interactive": False}
UNLOCATED_STYLE = {"color": "#6b7280", "weight": 1.5, "fillColor": "#f3f4f6", "fillOpacity": 0.8, "radius": 5,
                   "dashArray": "2 3", "className": "scimap-unlocated"}


def district_layer(data: PlanData, opts: MapOptions) -> folium.FeatureGroup | None:
    """The district boundaries (surveyed), outlines only and not clickable.

    Parameters
    ----------
    data : PlanData
    opts : MapOptions

    Returns
    -------
    folium.FeatureGroup or None
        None when the data has no districts.
    """
    if not len(data.districts):
        return None
    d = basemaps.overlay(data.districts[["name_zh", "geometry"]].copy(), opts.basemap)
    title = next(x[i18n.col("title", opts.lang)] for x in data.layers if x["layer_id"] == "districts")
    fg = folium.FeatureGroup(name=title, show=True)
    folium.GeoJson(d.to_json(ensure_ascii=False, drop_id=True), style_function=lambda _f: DISTRICT_STYLE,
                   name="districts").add_to(fg)
    return fg


def _polygons(fg: folium.FeatureGroup, polys: gpd.GeoDataFrame, layer: dict[str, Any], opts: MapOptions,
              values: pd.Series | None) -> None:
    lid, colour, look = layer["layer_id"], layer["default_style"]["color"], layer["default_style"]
    if values is not None and len(polys) and lid == opts.thematic_layer:
        # a zone spanning its siblings (a hull or a whole district) would paint over them: outline it
        whole = polys.extent_method.str.contains(thematic.SPANNING, regex=True)
        thematic.add_classes(fg, polys[~whole], values, colour, lid)
        if whole.any():
            geojson_layer(polys[whole], f"{lid}-outline", {"color": colour, "weight": style.stroke(2, opts.prefer_canvas),
                                                           "fill": False, "dashArray": "6 4",
                                                           "className": f"scimap-zone scimap-{lid}"}).add_to(fg)
        return
    for precise, part in polys.groupby(polys.geometry_source.isin(style.PRECISE_SOURCES)):
        st = {"color": colour, "weight": style.stroke(look["weight"], opts.prefer_canvas), "fillColor": colour,
              "fillOpacity": 0.0 if lid == "towns" else look["fill_opacity"],
              "dashArray": None if precise else "6 4", "className": f"scimap-zone scimap-{lid}"}
        geojson_layer(part, f"{lid}-{'precise' if precise else 'approx'}", st).add_to(fg)


def _lines_and_points(fg: folium.FeatureGroup, sub: gpd.GeoDataFrame, lid: str, colour: str) -> None:
    gtype = sub.geometry.geom_type
    lines = sub[gtype.isin(["LineString", "MultiLineString"])]
    pts = sub[gtype == "Point"]
    if len(lines):
        # the axis segments are drawn; the parent axis (their union) stays in the data for queries
        segs = lines[~lines.zone_id.isin(lines.parent_id)]  # a parent axis is the union of its segments
        segs = segs if len(segs) else lines
        geojson_layer(segs, f"{lid}-lines", {"color": colour, "weight": 5, "opacity": 0.85, "dashArray": "10 6",
                                             "className": "scimap-axis"}).add_to(fg)
    if len(pts):
        geojson_layer(pts, f"{lid}-points", {"color": colour, "weight": 2, "fillColor": "#ffffff", "fillOpacity": 0.9,
                                             "radius": 6, "className": "scimap-point"},
                      marker=folium.CircleMarker(radius=6)).add_to(fg)


def zone_layer(layer: dict[str, Any], zones: gpd.GeoDataFrame, opts: MapOptions, values: pd.Series | None,
               show: bool) -> folium.FeatureGroup | None:
    """One plan layer's located zones as a feature group.

    Parameters
    ----------
    layer : dict
        The layer's manifest entry (``layer_id``, titles, ``default_style``).
    zones : geopandas.GeoDataFrame
        Located zones of the selection (all layers), already over the basemap's datum.
    opts : MapOptions
    values : pandas.Series, optional
        The thematic values (:func:`geo.render.layers.thematic.classed_values`).
    show : bool
        Shown at start.

    Returns
    -------
    folium.FeatureGroup or None
        None when the layer has no zone in the selection.
    """
    lid = layer["layer_id"]
    sub = zones[zones.layer_id == lid]
    if not len(sub):
        return None
    sub = with_props(sub, ZONE_FIELDS, opts.lang, "z", values).assign(
        geometry_source=sub.geometry_source.values, zone_id=sub.zone_id.values,
        extent_method=sub.extent_method.values, parent_id=sub.parent_id.values)
    fg = folium.FeatureGroup(name=f"{layer[i18n.col('title', opts.lang)]} ({len(sub)})", show=show)
    polys = sub[sub.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    _polygons(fg, polys, layer, opts, values)
    _lines_and_points(fg, sub, lid, layer["default_style"]["color"])
    return fg


def unlocated_layer(zones: gpd.GeoDataFrame, opts: MapOptions) -> folium.FeatureGroup:
    """Zones the plans name without a position, as small markers in a hidden group.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        The unlocated zones.
    opts : MapOptions

    Returns
    -------
    folium.FeatureGroup
    """
    fg = folium.FeatureGroup(name=f"{i18n.t('not_located', opts.lang)} ({len(zones)})", show=False)
    geojson_layer(with_props(zones, ZONE_FIELDS, opts.lang, "z"), "unlocated", UNLOCATED_STYLE,
                  marker=folium.CircleMarker(radius=5)).add_to(fg)
    return fg


def zone_layers(data: PlanData, sel: Selection, opts: MapOptions,
                values: pd.Series | None) -> list[folium.FeatureGroup]:
    """Every plan layer's group (in the manifest's order), then the unlocated zones' group.

    Parameters
    ----------
    data : PlanData
    sel : Selection
    opts : MapOptions
    values : pandas.Series, optional
        The thematic values.

    Returns
    -------
    list of folium.FeatureGroup
    """
    zones = basemaps.overlay(sel.zones, opts.basemap)
    located = zones[zones.position_confidence != "none"] if len(zones) else zones
    unlocated = zones[zones.position_confidence == "none"] if len(zones) else zones
    hidden = data.catalogue.hidden_layer_ids  # data/src/layers.csv "shown"
    out = []
    for layer in data.layers:
        lid = layer["layer_id"]
        if lid == "districts" or not len(located):
            continue
        show = lid in opts.show_layers if opts.show_layers else lid not in hidden
        fg = zone_layer(layer, located, opts, values, show)
        if fg is not None:
            out.append(fg)
    if len(unlocated):
        out.append(unlocated_layer(unlocated, opts))
    return out

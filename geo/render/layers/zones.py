"""District boundaries and the plans' zone layers (polygons, axis lines, points), one group per layer.

Zones without a position are listed in their own hidden group, except those of the plans the user
filtered (``MapOptions.focus_plans``): these are drawn as hollow markers at their located parent's
place, in their own layer. A thematic map fills the zones of its layer by class
(:mod:`geo.render.layers.thematic`); that layer's group comes last so its fills lie over the other
zones. Every group carries its names (:mod:`geo.render.layers.labels`).
"""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo import i18n
from geo.core.filter import Selection
from geo.core.model import PlanData
from geo.render import basemaps, style
from geo.render.elements.labels import Labels
from geo.render.elements.zorder import POINTS, THEMATIC, ZOrder
from geo.render.geojson import geojson_layer
from geo.render.layers import labels, thematic
from geo.render.options import MapOptions
from geo.render.popup import ZONE_FIELDS, map_fields, with_props

DISTRICT_STYLE = {"color": "#4b5563", "weight": 1.2, "fill": False, "dashArray": None, "interactive": False}
UNLOCATED_STYLE = {"color": "#6b7280", "weight": 1.5, "fill": True, "fillColor": "#f3f4f6", "fillOpacity": 0.8, "radius": 5,
                   "dashArray": "2 3", "className": "scimap-unlocated"}
AT_PARENT_STYLE = {"weight": 2, "fill": True, "fillColor": "#ffffff", "fillOpacity": 0.6, "radius": 6, "dashArray": "3 3",
                   "className": "scimap-at-parent"}
SPREAD_M = 150  # zones shown at one parent are spread on a sunflower around it, this far apart
AXIS_STYLE = {"weight": 5, "opacity": 0.85, "dashArray": "10 6", "className": "scimap-axis"}
POINT_STYLE = {"weight": 2, "fill": True, "fillColor": "#ffffff", "fillOpacity": 0.9, "radius": 6, "className": "scimap-point"}


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
    if opts.labels:
        Labels(labels.district_labels(_label_points(data.districts, opts), opts.lang), key="districts").add_to(fg)
    return fg


def _label_points(districts: gpd.GeoDataFrame, opts: MapOptions) -> gpd.GeoDataFrame:
    """The districts' label points (their boundary's inner point where none is given), over the basemap."""
    d = districts.copy()
    if {"label_lon", "label_lat"} <= set(d.columns):
        lon, lat = pd.to_numeric(d.label_lon, errors="coerce"), pd.to_numeric(d.label_lat, errors="coerce")
        given = lon.notna() & lat.notna()
        pts = gpd.points_from_xy(lon.fillna(0), lat.fillna(0), crs=d.crs)
        d["geometry"] = [p if ok else g.representative_point() for p, ok, g in zip(pts, given, d.geometry, strict=True)]
    return basemaps.overlay(d, opts.basemap)


def _polygons(fg: folium.FeatureGroup, polys: gpd.GeoDataFrame, layer: dict[str, Any], opts: MapOptions,
              values: pd.Series | None) -> None:
    lid, colour, look = layer["layer_id"], layer["default_style"]["color"], layer["default_style"]
    if values is not None and len(polys) and lid == opts.thematic_layer:
        # a zone spanning its siblings (a hull or a whole district) would paint over them: outline it
        whole = polys.extent_method.str.contains(thematic.SPANNING, regex=True)
        thematic.add_classes(fg, polys[~whole], values, colour, lid, opts.popups)
        if whole.any():
            geojson_layer(polys[whole], f"{lid}-outline", {"color": colour, "weight": style.stroke(2, opts.prefer_canvas),
                                                           "fill": False, "dashArray": "6 4",
                                                           "className": f"scimap-zone scimap-{lid}"},
                          popups=opts.popups).add_to(fg)
        ZOrder(f"thematic-{lid}", THEMATIC).add_to(fg)
        return
    for precise, part in polys.groupby(polys.geometry_source.isin(style.PRECISE_SOURCES)):
        st = {"color": colour, "weight": style.stroke(look["weight"], opts.prefer_canvas), "fillColor": colour,
              "fillOpacity": 0.0 if lid == "towns" else look["fill_opacity"],
              "dashArray": None if precise else "6 4", "className": f"scimap-zone scimap-{lid}"}
        geojson_layer(part, f"{lid}-{'precise' if precise else 'approx'}", st, popups=opts.popups).add_to(fg)


def _lines_and_points(fg: folium.FeatureGroup, sub: gpd.GeoDataFrame, lid: str, colour: str, opts: MapOptions) -> None:
    gtype = sub.geometry.geom_type
    lines = sub[gtype.isin(["LineString", "MultiLineString"])]
    pts = sub[gtype == "Point"]
    if len(lines):
        # the axis segments are drawn; the parent axis (their union) stays in the data for queries
        segs = lines[~lines.zone_id.isin(lines.parent_id)]  # a parent axis is the union of its segments
        segs = segs if len(segs) else lines
        gj = geojson_layer(segs, f"{lid}-lines", {"color": colour, **AXIS_STYLE}, popups=opts.popups)
        ZOrder(f"lines-{lid}", POINTS).add_to(gj)
        gj.add_to(fg)
    if len(pts):
        gj = geojson_layer(pts, f"{lid}-points", {"color": colour, **POINT_STYLE},
                           marker=folium.CircleMarker(radius=6), popups=opts.popups)
        ZOrder(f"points-{lid}", POINTS).add_to(gj)
        gj.add_to(fg)


def spread(points: gpd.GeoSeries, step_m: float = SPREAD_M) -> gpd.GeoSeries:
    """Points that share a place moved onto a sunflower around it (the first stays), ``step_m`` apart.

    Parameters
    ----------
    points : geopandas.GeoSeries
        Lon/lat points.
    step_m : float, default SPREAD_M

    Returns
    -------
    geopandas.GeoSeries
    """
    x, y = points.x.to_numpy(dtype=float).copy(), points.y.to_numpy(dtype=float).copy()
    key = pd.Series([f"{a:.6f},{b:.6f}" for a, b in zip(x, y, strict=True)])
    k = key.groupby(key).cumcount().to_numpy()
    r, a = step_m * np.sqrt(k), np.radians(137.508 * k)
    y2 = y + r * np.sin(a) / 111_320
    x2 = x + r * np.cos(a) / (111_320 * np.cos(np.radians(y)))
    return gpd.GeoSeries(gpd.points_from_xy(x2, y2), index=points.index, crs=points.crs)


def at_parent(unlocated: gpd.GeoDataFrame, every_zone: pd.DataFrame, plans: tuple[str, ...]) -> gpd.GeoDataFrame:
    """The unlocated zones of the given plans whose chain reaches a located zone, with that zone's id.

    Their geometry is already their first located ancestor's point (the placement step); the
    column ``at_id`` names that ancestor.

    Parameters
    ----------
    unlocated : geopandas.GeoDataFrame
        Zones with ``position_confidence`` "none".
    every_zone : pandas.DataFrame
        All zones (the parent chains).
    plans : tuple of str
        ``source_doc`` values.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    z = every_zone.set_index("zone_id")
    parent, conf = z.parent_id.fillna("").astype(str).to_dict(), z.position_confidence.astype(str).to_dict()

    def located_ancestor(zid: str) -> str:
        seen = set()
        p = parent.get(zid, "")
        while p and p not in seen and conf.get(p, "none") == "none":
            seen.add(p)
            p = parent.get(p, "")
        return p if p in conf else ""

    sub = unlocated[unlocated.source_doc.isin(plans)].copy()
    sub["at_id"] = [located_ancestor(z) for z in sub.zone_id]
    return sub[(sub.at_id != "") & sub.geometry.notna() & (sub.geom_type == "Point")]


def _at_parent_markers(fg: folium.FeatureGroup, zones: gpd.GeoDataFrame, every_zone: pd.DataFrame, colour: str,
                       lid: str, opts: MapOptions) -> None:
    """Hollow markers of a layer's zones shown at their parent, the parent named in the tooltip."""
    names = dict(zip(every_zone.zone_id, labels.local_names(every_zone, opts.lang), strict=True))
    pts = zones.assign(geometry=spread(zones.geometry))
    props = with_props(pts, map_fields(ZONE_FIELDS, opts.popups), opts.lang, "z")
    for p, at in zip(props["_p"], pts.at_id, strict=True):
        p["_u"] = i18n.pick(i18n.MAP, "at_parent", opts.lang, parent=names.get(at, at))
    gj = geojson_layer(props, f"{lid}-at-parent", {"color": colour, **AT_PARENT_STYLE},
                       marker=folium.CircleMarker(radius=6), popups=opts.popups)
    ZOrder(f"at-parent-{lid}", POINTS).add_to(gj)
    gj.add_to(fg)
    if opts.labels:
        Labels(labels.at_parent_labels(pts, opts.lang), key=f"at-parent-{lid}").add_to(fg)


def zone_layer(layer: dict[str, Any], zones: gpd.GeoDataFrame, opts: MapOptions, values: pd.Series | None,
               show: bool, every_zone: pd.DataFrame | None = None,
               shown_at_parent: gpd.GeoDataFrame | None = None) -> folium.FeatureGroup | None:
    """One plan layer's located zones as a feature group, with their names.

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
    every_zone : pandas.DataFrame, optional
        All zones (the parents' layouts and names); by default ``zones``.
    shown_at_parent : geopandas.GeoDataFrame, optional
        Unlocated zones (all layers) drawn at their parent (:func:`at_parent`).

    Returns
    -------
    folium.FeatureGroup or None
        None when the layer has no zone to draw.
    """
    lid, colour = layer["layer_id"], layer["default_style"]["color"]
    every_zone = zones if every_zone is None else every_zone
    raw = zones[zones.layer_id == lid]
    extra = shown_at_parent[shown_at_parent.layer_id == lid] if shown_at_parent is not None else raw.iloc[:0]
    if not len(raw) and not len(extra):
        return None
    sub = with_props(raw, map_fields(ZONE_FIELDS, opts.popups), opts.lang, "z", values).assign(
        geometry_source=raw.geometry_source.values, zone_id=raw.zone_id.values,
        extent_method=raw.extent_method.values, parent_id=raw.parent_id.values)
    fg = folium.FeatureGroup(name=f"{layer[i18n.col('title', opts.lang)]} ({len(raw) + len(extra)})", show=show)
    polys = sub[sub.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    _polygons(fg, polys, layer, opts, values)
    _lines_and_points(fg, sub, lid, colour, opts)
    if opts.labels and len(raw):
        Labels(labels.zone_labels(raw, every_zone, opts.lang, colour), key=f"zones-{lid}").add_to(fg)
    if len(extra):
        _at_parent_markers(fg, extra, every_zone, colour, lid, opts)
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
    geojson_layer(with_props(zones, map_fields(ZONE_FIELDS, opts.popups), opts.lang, "z"), "unlocated", UNLOCATED_STYLE,
                  marker=folium.CircleMarker(radius=5), popups=opts.popups).add_to(fg)
    return fg


def layer_shown(layer_id: str, data: PlanData, opts: MapOptions) -> bool:
    """Whether a layer is on at start: the options' list (else the catalogue's default), or a focus plan's layer.

    Parameters
    ----------
    layer_id : str
    data : PlanData
    opts : MapOptions

    Returns
    -------
    bool
    """
    show = layer_id in opts.show_layers if opts.show_layers else layer_id not in data.catalogue.hidden_layer_ids
    if opts.focus_plans and not show:
        docs = data.zones.loc[data.zones.layer_id == layer_id, "source_doc"]
        show = bool(docs.isin(opts.focus_plans).any())
    return show


def zone_layers(data: PlanData, sel: Selection, opts: MapOptions,
                values: pd.Series | None) -> list[tuple[dict[str, Any] | None, folium.FeatureGroup]]:
    """Every plan layer's group (the manifest's order, the thematic layer last), then the unlocated zones' group.

    Parameters
    ----------
    data : PlanData
    sel : Selection
    opts : MapOptions
    values : pandas.Series, optional
        The thematic values.

    Returns
    -------
    list of (dict or None, folium.FeatureGroup)
        The layer's manifest entry (None for the unlocated zones' group) and its group.
    """
    zones = basemaps.overlay(sel.zones, opts.basemap)
    located = zones[zones.position_confidence != "none"] if len(zones) else zones
    unlocated = zones[zones.position_confidence == "none"] if len(zones) else zones
    shown_at = at_parent(unlocated, data.zones, tuple(opts.focus_plans)) if len(unlocated) else unlocated
    out, last = [], []
    for layer in data.layers:
        lid = layer["layer_id"]
        if lid == "districts" or not len(zones):
            continue
        fg = zone_layer(layer, located, opts, values, layer_shown(lid, data, opts), data.zones, shown_at)
        if fg is not None:
            (last if values is not None and lid == opts.thematic_layer else out).append((layer, fg))
    rest = unlocated[~unlocated.zone_id.isin(shown_at.zone_id)] if len(unlocated) else unlocated
    if len(rest):
        out.append((None, unlocated_layer(rest, opts)))
    return out + last

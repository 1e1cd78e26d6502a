"""The map of a selection: basemap, district boundaries, every zone layer, names, one legend and tools.

:func:`base_map` draws what changes rarely (the app caches it per session); the parcels
(:func:`geo.render.layers.parcels.parcel_layer`) and the highlighted feature come as separate feature
groups the app swaps in place; :func:`build_map` puts everything on one page (exports, tests,
benchmark).
"""

from __future__ import annotations

import json
from typing import Any

import folium
from folium import plugins

from geo import i18n
from geo.core.filter import Selection, reached_zones
from geo.core.gcj02 import wgs84_to_gcj02
from geo.core.model import PlanData
from geo.render import assets, basemaps
from geo.render.elements.layercontrol import LayerControl
from geo.render.elements.legend import Legend
from geo.render.elements.reach import Reach
from geo.render.elements.renderer import Renderer
from geo.render.elements.zoomtitles import ZoomTitles
from geo.render.layers import thematic
from geo.render.layers.parcels import parcel_layer
from geo.render.layers.zones import district_layer, zone_layers
from geo.render.legendbox import base_legend
from geo.render.options import MapOptions


def _frame(opts: MapOptions) -> folium.Map:
    """The Leaflet map itself, centred in the basemap's datum."""
    lat, lon = opts.center
    if opts.datum == "gcj02":
        lon, lat = wgs84_to_gcj02(lon, lat)
    return folium.Map(location=[lat, lon], zoom_start=opts.zoom, tiles=None, control_scale=True,
                      prefer_canvas=opts.prefer_canvas, max_zoom=19)


def _tiles(m: folium.Map, opts: MapOptions) -> list[dict[str, Any]]:
    """The basemap's tile layers (label overlays after the base); returns their arguments."""
    if opts.datum == "none":
        return []
    name = basemaps.title(opts.basemap, opts.lang)
    tiles = basemaps.tile_layers(opts.basemap, opts.tianditu_key)
    for i, kw in enumerate(tiles):
        folium.TileLayer(name=name if i == 0 else f"{name} ·", overlay=i > 0, control=i == 0, **kw).add_to(m)
    return tiles


def _tools(m: folium.Map, tiles: list[dict[str, Any]], lang: str) -> None:
    """Full screen, measuring, and an overview map of the basemap; their words in the language."""
    word = lambda k: i18n.pick(i18n.MAP, k, lang)  # noqa: E731
    ZoomTitles(word("zoom_in"), word("zoom_out")).add_to(m)
    plugins.Fullscreen(position="topleft", title=word("fullscreen"), title_cancel=word("fullscreen_exit")).add_to(m)
    plugins.MeasureControl(position="topleft", primary_length_unit="meters", secondary_length_unit="kilometers",
                           primary_area_unit="sqmeters", secondary_area_unit="hectares",
                           localization=word("measure_locale")).add_to(m)
    if tiles:
        mini = folium.TileLayer(tiles=tiles[0]["tiles"], attr=tiles[0]["attr"], subdomains=tiles[0]["subdomains"])
        plugins.MiniMap(tile_layer=mini, position="bottomleft", toggle_display=True, zoom_level_offset=-5).add_to(m)


def base_map(data: PlanData, sel: Selection, opts: MapOptions) -> folium.Map:
    """Basemap, district boundaries, every zone layer with its names, the legend, tools.

    Parameters
    ----------
    data : PlanData
    sel : Selection
        The filtered zones (and the projects a thematic map sums).
    opts : MapOptions

    Returns
    -------
    folium.Map
        Its assets point at ``opts.asset_base``.
    """
    m = _frame(opts)
    tiles = _tiles(m, opts)
    districts = district_layer(data, opts)
    if districts is not None:
        districts.add_to(m)
    values, measure_label = thematic.classed_values(sel, data.memberships, opts)
    groups = zone_layers(data, sel, opts, values)
    for _layer, fg in groups:
        fg.add_to(m)
    classes = thematic.legend_html(values, measure_label, opts.lang) if values is not None else ""
    district_title = next((x[i18n.col("title", opts.lang)] for x in data.layers if x["layer_id"] == "districts"), "")
    legend = base_legend(groups, districts, district_title, classes, _has_at_parent(groups), opts.lang)
    Legend(legend, key="base", title=i18n.pick(i18n.MAP, "legend", opts.lang),
           groups=[fg for _layer, fg in groups] + ([districts] if districts is not None else [])).add_to(m)
    Renderer(opts.lang, measure_label).add_to(m)
    _tools(m, tiles, opts.lang)
    assets.localize(m, opts.asset_base)
    return m


def _has_at_parent(groups: list[tuple[dict[str, Any] | None, folium.FeatureGroup]]) -> bool:
    """Whether a zone group draws zones at their parent's place."""
    return any(isinstance(ch, folium.GeoJson) and str(ch.layer_name).endswith("-at-parent")
               for _layer, fg in groups for ch in fg._children.values())


def build_map(data: PlanData, sel: Selection, opts: MapOptions, bounds: tuple[float, float, float, float] | None = None,
              zoom: int | None = None) -> folium.Map:
    """The whole map in one page (exports, tests, benchmark): base map, parcels (zones the filter does
    not reach faded: :class:`geo.render.elements.reach.Reach`) and the layer control.

    Parameters
    ----------
    data : PlanData
    sel : Selection
    opts : MapOptions
    bounds : (float, float, float, float), optional
        The view (district scale: the parcels in it).
    zoom : int, optional
        The view's zoom.

    Returns
    -------
    folium.Map
    """
    m = base_map(data, sel, opts)
    parcels = parcel_layer(sel, opts, bounds, zoom)
    Reach(reached_zones(data, sel)).add_to(parcels)
    parcels.add_to(m)
    LayerControl(collapsed=True, position="topright").add_to(m)
    assets.localize(m, opts.asset_base)
    return m


def map_feature_counts(m: folium.Map) -> dict[str, int]:
    """How many features each GeoJSON layer of a map's groups carries (tests and the status line).

    Parameters
    ----------
    m : folium.Map

    Returns
    -------
    dict of str to int
        Layer name → number of features.
    """
    out = {}
    for el in m._children.values():
        for sub in getattr(el, "_children", {}).values():
            if isinstance(sub, folium.GeoJson):
                data = sub.data if isinstance(sub.data, str) else json.dumps(sub.data)
                out[sub.layer_name] = len(json.loads(data)["features"])
    return out

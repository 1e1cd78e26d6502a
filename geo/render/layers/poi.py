"""Rail stations and universities as small markers (the promoter's context)."""

from __future__ import annotations

import folium
import geopandas as gpd

from geo import i18n
from geo.core.model import PlanData
from geo.render import basemaps
from geo.render.geojson import geojson_layer
from geo.render.options import MapOptions

CATEGORIES = (("metro_station", "#dc2626"), ("university", "#047857"))


def poi_layer(data: PlanData, opts: MapOptions,
              bounds: tuple[float, float, float, float] | None = None) -> folium.FeatureGroup:
    """Stations (with their lines) and universities (approximate positions), one marker per place.

    Parameters
    ----------
    data : PlanData
    opts : MapOptions
    bounds : (float, float, float, float), optional
        Only the places within these WGS84 bounds (minx, miny, maxx, maxy).

    Returns
    -------
    folium.FeatureGroup
    """
    lang = opts.lang
    fg = folium.FeatureGroup(name=i18n.pick(i18n.MAP, "pois", lang), show=True)
    if data.pois is None:
        return fg
    pois = data.pois[data.pois.geometry.notna() & data.pois.category.isin([c for c, _ in CATEGORIES])]
    if bounds is not None:
        minx, miny, maxx, maxy = bounds
        pois = pois.cx[minx:maxx, miny:maxy]
    pois = basemaps.overlay(pois, opts.basemap)
    name, university = i18n.col("name", lang), i18n.pick(i18n.MAP, "university", lang)
    for cat, colour in CATEGORIES:
        sub = pois[pois.category == cat].drop_duplicates("geometry")
        if not len(sub):
            continue
        recs = [{"_k": "poi", "_n": getattr(r, name), "_s": (r.lines or "") if cat == "metro_station" else university,
                 "zone_id": r.poi_id, "_w": ""} for r in sub.itertuples()]
        g = gpd.GeoDataFrame({"_p": recs}, geometry=sub.geometry.values, crs=sub.crs)
        geojson_layer(g, f"poi-{cat}", {"color": colour, "weight": 2, "fillColor": "#ffffff", "fillOpacity": 1, "radius": 5,
                                        "className": f"scimap-poi scimap-{cat}"},
                      marker=folium.CircleMarker(radius=5), highlight=False, precision=6, popups=opts.popups).add_to(fg)
    return fg

"""Which names the map shows at which scale, and in which order they claim space.

Ranks (lower placed first when labels would overlap), then bigger before smaller within a rank:

====  ==========================================================  =========
rank  what                                                        from zoom
====  ==========================================================  =========
0     layout elements: a plan layout's top zones and its axis       11
1     their sub-zones (axis segments, the areas inside a circle)    12
2     district names                                                9 – 12
3     towns, subdistricts, University Town, the bonded zone         12 – 14
4     other places and carriers of the plans                        13
5     a plan's zones without a position, shown at their parent      13
6     parcels (project names)                                       15
====  ==========================================================  =========

At street zoom (:data:`STREET_ZOOM` and closer) parcels claim their space first: there a planner reads
parcels, and the zone names they would hide are those of zones much bigger than the view.

Names are in the page's language, English falling back to Chinese where a name has no English form.
"""

from __future__ import annotations

import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import i18n
from geo.render.elements.labels import STREET_ZOOM

LAYOUT, SUB, DISTRICT, TOWN, PLACE, AT_PARENT, PARCEL = range(7)
MIN_ZOOM = {LAYOUT: 11, SUB: 12, DISTRICT: 9, TOWN: 12, PLACE: 13, AT_PARENT: 13, PARCEL: STREET_ZOOM}
MAX_ZOOM = {DISTRICT: 12, TOWN: 14}  # at street zoom a town's name would take the parcels' place
CLASSES = {LAYOUT: "layout", SUB: "sub", DISTRICT: "district", TOWN: "town", PLACE: "place",
           AT_PARENT: "unlocated", PARCEL: "parcel"}
CONTEXT_LAYERS = ("towns",)  # named as orientation (rank TOWN), not as plan places
LONG_NAME = 12  # characters: a longer name breaks its line before a bracket, "园区\n(别名)"
RANK_STEP = 100_000  # priorities of one rank stay below the next rank's
POINT_OFFSET_PX = 8  # a point marker's name sits below it


def local_names(df: pd.DataFrame, lang: str) -> list[str]:
    """``name_<lang>`` where given, else ``name_zh`` (ids never shown as names).

    Parameters
    ----------
    df : pandas.DataFrame
        With ``name_zh`` (and ``name_en``).
    lang : {"zh", "en"}

    Returns
    -------
    list of str
    """
    zh = df["name_zh"].fillna("").astype(str).str.strip() if "name_zh" in df.columns else pd.Series([""] * len(df))
    own = i18n.col("name", lang)
    loc = df[own].fillna("").astype(str).str.strip() if own in df.columns else zh
    return [a or b for a, b in zip(loc.tolist(), zh.tolist(), strict=True)]


def broken(name: str) -> str:
    """A long name with a line break before the bracketed part that ends it (the label wraps there, not mid-word).

    Parameters
    ----------
    name : str

    Returns
    -------
    str
    """
    return re.sub(r"([（(][^（()）]*[)）])$", r"\n\1", name) if len(name) > LONG_NAME else name


def anchors(geoms: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """Where a feature's name goes: a polygon's centre (inside it), a line's middle, the point itself.

    Parameters
    ----------
    geoms : geopandas.GeoSeries

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Longitudes and latitudes.
    """
    g = np.asarray(geoms.values, dtype=object)
    pts = shapely.centroid(g)
    kind = shapely.get_type_id(g)
    lines = np.isin(kind, (1, 5))  # LineString, MultiLineString
    if lines.any():
        merged = np.array([shapely.line_merge(x) if x.geom_type == "MultiLineString" else x for x in g[lines]], dtype=object)
        pts[lines] = shapely.line_interpolate_point(merged, 0.5, normalized=True)
    polys = np.isin(kind, (3, 6))
    outside = polys & ~shapely.contains(g, pts)
    if outside.any():
        pts[outside] = shapely.point_on_surface(g[outside])
    return shapely.get_x(pts), shapely.get_y(pts)


def sizes(geoms: gpd.GeoSeries) -> np.ndarray:
    """A size to order names by within a rank: area of polygons, length of lines (degrees, scaled by latitude).

    Parameters
    ----------
    geoms : geopandas.GeoSeries

    Returns
    -------
    numpy.ndarray
    """
    g = np.asarray(geoms.values, dtype=object)
    k = np.cos(np.radians(np.nan_to_num(shapely.get_y(shapely.centroid(g)), nan=30.0)))
    return np.where(np.isin(shapely.get_type_id(g), (1, 5)), (shapely.length(g) * k) ** 2 / 20, shapely.area(g) * k)


def items(names: list[str], geoms: gpd.GeoSeries, ranks: np.ndarray, colours: list[str] | None = None,
          offsets: np.ndarray | None = None, ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Label records (:class:`geo.render.elements.labels.Labels`), biggest first within each rank.

    Parameters
    ----------
    names : list of str
        "" for a feature without a name (left out).
    geoms : geopandas.GeoSeries
        Over the basemap's datum.
    ranks : numpy.ndarray of int
    colours : list of str, optional
        Text colour per label ("" for the class's own).
    offsets : numpy.ndarray of bool, optional
        Points with a marker: the name goes below it.
    ids : list of str, optional
        The features' zone ids: a zone faded by a filter (:class:`geo.render.elements.reach.Reach`)
        loses its name.

    Returns
    -------
    list of dict
    """
    if not len(names):
        return []
    x, y = anchors(geoms)
    size = sizes(geoms)
    order = np.lexsort((-size, ranks))
    out = []
    for pos, i in enumerate(order):
        if not names[i] or not np.isfinite(x[i]) or not np.isfinite(y[i]):
            continue
        r = int(ranks[i])
        it = {"t": broken(names[i]), "y": round(float(y[i]), 6), "x": round(float(x[i]), 6), "z": MIN_ZOOM[r],
              "p": r * RANK_STEP + pos, "c": CLASSES[r]}
        if r in MAX_ZOOM:
            it["Z"] = MAX_ZOOM[r]
        if r == PARCEL:
            it["P"] = pos - RANK_STEP  # at street zoom: before every other rank
        if colours is not None and colours[i]:
            it["col"] = colours[i]
        if offsets is not None and offsets[i]:
            it["o"] = POINT_OFFSET_PX
        if ids is not None:
            it["id"] = str(ids[i])
        out.append(it)
    return out


def zone_ranks(zones: pd.DataFrame, every_zone: pd.DataFrame) -> np.ndarray:
    """The rank of each zone: layout top zone, layout sub-zone, town, or place.

    Parameters
    ----------
    zones : pandas.DataFrame
        The zones to name (``layer_id``, ``layout_id``, ``parent_id``, ``zone_id``).
    every_zone : pandas.DataFrame
        All zones (a parent's layout).

    Returns
    -------
    numpy.ndarray of int
    """
    layout_of = every_zone.set_index("zone_id")["layout_id"].fillna("").astype(str).to_dict()
    lay = zones["layout_id"].fillna("").astype(str)
    parent_layout = zones["parent_id"].fillna("").astype(str).map(lambda p: layout_of.get(p, ""))
    ranks = np.where(lay == "", PLACE, np.where(parent_layout == lay, SUB, LAYOUT))
    return np.where(zones["layer_id"].isin(CONTEXT_LAYERS), TOWN, ranks)


def zone_labels(zones: gpd.GeoDataFrame, every_zone: pd.DataFrame, lang: str, colour: str) -> list[dict[str, Any]]:
    """Labels of one layer's located zones.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Over the basemap's datum.
    every_zone : pandas.DataFrame
        All zones of the plans (parents' layouts).
    lang : {"zh", "en"}
    colour : str
        The layer's colour: layout names are written in it.

    Returns
    -------
    list of dict
    """
    ranks = zone_ranks(zones, every_zone)
    colours = [colour if r in (LAYOUT, SUB) else "" for r in ranks]
    return items(local_names(zones, lang), zones.geometry, ranks, colours, (zones.geom_type == "Point").to_numpy(),
                 ids=_zone_ids(zones))


def at_parent_labels(zones: gpd.GeoDataFrame, lang: str) -> list[dict[str, Any]]:
    """Labels of zones without a position, drawn at their parent's place.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Points, over the basemap's datum.
    lang : {"zh", "en"}

    Returns
    -------
    list of dict
    """
    return items(local_names(zones, lang), zones.geometry, np.full(len(zones), AT_PARENT),
                 offsets=np.ones(len(zones), dtype=bool), ids=_zone_ids(zones))


def _zone_ids(zones: pd.DataFrame) -> list[str] | None:
    return zones["zone_id"].astype(str).tolist() if "zone_id" in zones.columns else None


def parcel_labels(parcels: gpd.GeoDataFrame, lang: str) -> list[dict[str, Any]]:
    """Labels of parcels (their project's name), from street zoom.

    Parameters
    ----------
    parcels : geopandas.GeoDataFrame
        Over the basemap's datum.
    lang : {"zh", "en"}

    Returns
    -------
    list of dict
    """
    return items(local_names(parcels, lang), parcels.geometry, np.full(len(parcels), PARCEL))


def district_labels(districts: gpd.GeoDataFrame, lang: str) -> list[dict[str, Any]]:
    """Labels of the districts at their label points (or their centres).

    Parameters
    ----------
    districts : geopandas.GeoDataFrame
        Over the basemap's datum.
    lang : {"zh", "en"}

    Returns
    -------
    list of dict
    """
    return items(local_names(districts, lang), districts.geometry, np.full(len(districts), DISTRICT))

"""Thematic zones: Σ of a measure of the selected projects per zone, classed by Natural Breaks."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from geo import i18n
from geo.core import aggregate
from geo.core.filter import Selection
from geo.render import style
from geo.render.geojson import geojson_layer
from geo.render.options import MapOptions

THEMATIC_MEASURES = {"land": "land_mu", "output": "output_target_yi", "per_mu": "output_per_mu_wan"}
MEASURE_LABELS = {"land": "land_sum", "output": "output_sum", "per_mu": "per_mu"}  # keys of i18n.STRINGS
SPANNING = "hull|district boundary"  # extent methods of a zone drawn over its siblings: outlined, never classed


def zone_values(sel: Selection, memberships: pd.DataFrame, measure: str) -> pd.Series:
    """Σ of a measure per zone over the selected projects.

    Projects of descendant zones and parcels inside the zone count once.

    Parameters
    ----------
    sel : Selection
    memberships : pandas.DataFrame
        ``PlanData.memberships``.
    measure : {"land", "output", "per_mu"}

    Returns
    -------
    pandas.Series
        Indexed by ``zone_id``.
    """
    t = aggregate.aggregate_memberships(sel.projects, memberships, "zone_id")
    if len(t) == 0:
        return pd.Series(dtype=float)
    return t.set_index("zone_id")[THEMATIC_MEASURES[measure]].astype(float)


def classed_values(sel: Selection, memberships: pd.DataFrame, opts: MapOptions) -> tuple[pd.Series | None, str]:
    """The values of the zones the map classes (the thematic layer's, not the spanning ones).

    Parameters
    ----------
    sel : Selection
    memberships : pandas.DataFrame
    opts : MapOptions

    Returns
    -------
    (pandas.Series or None, str)
        The values (None: no thematic map) and the measure's name.
    """
    if opts.thematic not in THEMATIC_MEASURES:
        return None, ""
    values = zone_values(sel, memberships, opts.thematic)
    z = sel.zones
    shown = z[(z.layer_id == opts.thematic_layer) & ~z.extent_method.str.contains(SPANNING)]
    return values[values.index.isin(shown.zone_id)], i18n.t(MEASURE_LABELS[opts.thematic], opts.lang)


def add_classes(fg: folium.FeatureGroup, polys: gpd.GeoDataFrame, values: pd.Series, colour: str, lid: str,
                popups: bool = True) -> None:
    """The zones of a layer filled by class, one fixed style per class (no data: not filled).

    Parameters
    ----------
    fg : folium.FeatureGroup
        The layer's group.
    polys : geopandas.GeoDataFrame
        Its polygons, with ``_p`` and ``zone_id``.
    values : pandas.Series
        Per ``zone_id``.
    colour : str
        The layer's outline colour.
    lid : str
        Layer id.
    popups : bool, default True
        Bind the record popup (``MapOptions.popups``).
    """
    idx, bins = style.classify(polys.zone_id.map(values).astype(float).to_numpy())
    cols = style.class_colours(len(bins))
    for k, part in polys.assign(_cls=idx).groupby("_cls"):
        fill = style.NO_DATA if k < 0 else cols[int(k)]
        st = {"color": colour, "weight": 1.5, "fillColor": fill, "fillOpacity": 0.0 if k < 0 else 0.5,
              "dashArray": "6 4", "className": f"scimap-zone scimap-{lid} scimap-class-{k}"}
        geojson_layer(part, f"{lid}-class-{k}", st, popups=popups).add_to(fg)


def legend_html(values: pd.Series, title: str, lang: str) -> str:
    """The thematic legend: the classes and a "not given" row.

    Parameters
    ----------
    values : pandas.Series
    title : str
        The measure's name.
    lang : {"zh", "en"}

    Returns
    -------
    str
    """
    _, bins = style.classify(values.dropna().to_numpy(dtype=float))
    rows = style.class_rows(bins, 1) + [("#ffffff", i18n.t("missing", lang), "dashed")]
    return style.legend_html(i18n.pick(i18n.MAP, "jenks", lang, title=title), rows)

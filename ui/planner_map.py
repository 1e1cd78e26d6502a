"""The planning map's map tab: the cached base map, the parcels of the view swapped in, the selected
feature highlighted, clicks on the map selecting a feature, and its record beside the map.

The tab is a fragment (:func:`map_tab`): a click or a pan reruns only the map and the details, not
the page. A click is read from the map's reported value at the start of that rerun (no second
rerun), selects the feature (:mod:`ui.selection`) and is drawn at once.
"""

from __future__ import annotations

import re
import threading
import time
import weakref
from collections import OrderedDict
from typing import Any

import pandas as pd
import streamlit as st

from geo import i18n
from geo.core.filter import Filter, Selection, reached_zones, unlocated
from geo.core.gcj02 import gcj02_to_wgs84, wgs84_to_gcj02
from geo.core.model import PlanData
from geo.render import markup, popup
from geo.render.elements.layercontrol import LayerControl
from geo.render.elements.reach import Reach
from geo.render.layers import labels
from geo.render.layers.highlight import highlight_group
from geo.render.layers.parcels import DETAIL_MAX, parcel_layer, viewport_bounds
from geo.render.options import MapOptions
from ui import basemap, guard, mapcache, notice, selection, state
from ui.mapframe import leaflet_map
from ui.tiled import tiled_parcels

CLICKED_ID = re.compile(r"(?:编号|ID)\s+(\S+)\s*$")
"""The feature's id at the end of its tooltip (the label of ``project_id`` / ``zone_id`` in either language)."""
RETURNED = ["last_object_clicked_tooltip", "center", "zoom", "bounds"]
RETURNED_TILED = ["last_object_clicked_tooltip", "last_object_clicked_popup"]
"""With the tiled parcel layer the map reports clicks only (pans and zooms load tiles in the browser, no rerun);
a click brings the view it happened in as its "popup" (:class:`geo.render.elements.tiled.TiledParcels`)."""
CLICK_VIEW = re.compile(r"^(\d{1,2}) (-?\d{1,3}\.\d+) (-?\d{1,3}\.\d+)$")


def click_view(ret: dict[str, Any] | None) -> tuple[float, float, int] | None:
    """(lat, lon, zoom), WGS84, of the view a tiled-layer click happened in, or None."""
    m = CLICK_VIEW.match(str((ret or {}).get("last_object_clicked_popup") or "").strip())
    return (float(m.group(2)), float(m.group(3)), int(m.group(1))) if m else None


def reported_view(ret: dict[str, Any] | None, gcj: bool) -> mapcache.View | None:
    """((minx, miny, maxx, maxy) WGS84, zoom) from the bounds the map reported, or None."""
    b = (ret or {}).get("bounds") or {}
    sw, ne = b.get("_southWest") or {}, b.get("_northEast") or {}
    if sw.get("lng") is None or ne.get("lng") is None:
        return None
    (x0, y0), (x1, y1) = (sw["lng"], sw["lat"]), (ne["lng"], ne["lat"])
    if gcj:  # the map shows GCJ-02 coordinates on Gaode tiles; the data is WGS84
        x0, y0 = gcj02_to_wgs84(x0, y0)
        x1, y1 = gcj02_to_wgs84(x1, y1)
    return ((x0, y0, x1, y1), ret.get("zoom"))


def focus_plans(sel: Selection) -> tuple[str, ...]:
    """The plans whose layers the map shows even where they are off by default: those the filter names,
    else — for a district, area, zone or name filter — those of the projects it selects (a district whose
    places belong to one plan shows them)."""
    f = sel.filter
    if f.plans:
        return tuple(f.plans)
    if f.districts or f.zones or f.query:
        return tuple(sorted(set(sel.projects.source_doc.dropna())))
    return ()


def map_options(data: PlanData, sel: Selection, lang: str) -> MapOptions:
    """The map's options from the session: basemap (warns when Tianditu has no key), thematic map, view,
    the plans in focus (:func:`focus_plans`)."""
    s = st.session_state
    return MapOptions(lang=lang, basemap=basemap.usable(lang, warn=True), thematic=state.thematic(),
                      tianditu_key=basemap.tianditu_key(), thematic_layer=s.get("thematic_layer", MapOptions.thematic_layer),
                      center=s["view_center"], zoom=s["view_zoom"], popups=False, focus_plans=focus_plans(sel),
                      prefer_canvas=len(data.parcels) > DETAIL_MAX)  # district scale: Canvas, not an SVG path each


def parcel_view(opts: MapOptions, gcj: bool) -> mapcache.View:
    """The view to send parcels for: the one the map reported with the interaction that started this run
    (a pan inside what was already sent keeps it), else an estimate from the centre and zoom it opens at."""
    reported = reported_view(st.session_state.get("map"), gcj)
    if reported:
        st.session_state["view_bounds"] = mapcache.keep_view(st.session_state.get("view_bounds"), reported)
    vb = st.session_state.get("view_bounds")
    return vb or (viewport_bounds(opts.center, opts.zoom, (1600, opts.height)), opts.zoom)


def fly_to(gcj: bool) -> dict[str, Any]:
    """The map's centre and zoom for the map to move to (:mod:`ui.selection`), in the basemap's datum."""
    fly = st.session_state.get("fly_to")
    if not fly:
        return {}
    (lat, lon), zoom = fly
    if gcj:
        lon, lat = wgs84_to_gcj02(lon, lat)
    return {"center": (round(lat, 6), round(lon, 6)), "zoom": zoom}


def draw(data: PlanData, sel: Selection, lang: str, started: float) -> tuple[dict[str, Any] | None, bool]:
    """The map: the base map built and rendered only when the zones shown or the options change (shared by
    the sessions, :mod:`ui.mapframe`), the parcel layer and highlight swapped in place.

    Returns
    -------
    (dict or None, bool)
        What the map reported, and whether it shows GCJ-02 coordinates.
    """
    opts = map_options(data, sel, lang)
    gcj = opts.datum == "gcj02"
    cache = st.session_state.setdefault("_base_map_cache", mapcache.BaseMapCache(mapcache.SHARED))
    base = cache.rendered(data, sel, opts)
    bounds, zoom = parcel_view(opts, gcj)
    tiled = tiled_parcels(data, sel, opts)
    parcels = tiled if tiled is not None else parcel_layer(sel, opts, bounds=bounds, zoom=zoom)
    reached = reached_zones(data, sel)
    Reach(reached).add_to(parcels)
    build_s = time.perf_counter() - started
    hl = highlight_group(data, st.session_state["selected"], opts.basemap)
    ret = leaflet_map(base, key="map", height=opts.height, groups=[parcels, hl],
                      returned_objects=RETURNED if tiled is None else RETURNED_TILED,
                      layer_control=LayerControl(collapsed=True, position="topright"), **fly_to(gcj))
    notice.caption(f"{i18n.t('render_time', lang)} {build_s * 1000:.0f} ms · {len(sel.parcels)} / {len(data.parcels)} "
               f"{i18n.t('parcels_thematic', lang)} · {len(sel.zones)} / {len(data.zones)} {i18n.t('zone', lang)}")
    reach_note(data, sel, reached, lang)
    return ret, gcj


REACH_NAMES_SHOWN = 8


def reach_note(data: PlanData, sel: Selection, reached: list[str] | None, lang: str) -> None:
    """Say which zones the filter reaches (drawn as usual) and how many others are faded."""
    if reached is None:
        return
    local = labels.local_names(data.zones.set_index("zone_id").reindex(reached), lang)
    shown = i18n.pick(i18n.REASONS, "list_sep", lang).join(local[:REACH_NAMES_SHOWN])
    if len(local) > REACH_NAMES_SHOWN:
        shown += i18n.t("and_more", lang, n=len(local) - REACH_NAMES_SHOWN)
    notice.caption(i18n.t("reach_note", lang, k=len(reached), n=len(sel.zones), names=shown or "—",
                      rest=len(sel.zones) - len(reached)))


def take_click(data: PlanData) -> None:
    """A click the map reported since the last run selects that feature, centred at the same zoom."""
    ret = st.session_state.get("map") or {}
    m = CLICKED_ID.search((ret.get("last_object_clicked_tooltip") or "").strip())
    if m and m.group(1) != st.session_state.get("clicked_from_map"):
        st.session_state["clicked_from_map"] = m.group(1)
        seen = click_view(ret)
        selection.select(data, m.group(1), zoom=ret.get("zoom") or (seen[2] if seen else st.session_state["view_zoom"]))


def follow_map(ret: dict[str, Any] | None, gcj: bool) -> None:
    """The map's centre and zoom go to the URL."""
    if not ret:
        return
    if ret.get("center") and ret.get("zoom"):
        lat, lon = ret["center"]["lat"], ret["center"]["lng"]
        if gcj:  # the map shows GCJ-02 coordinates on Gaode tiles; the URL keeps WGS84
            lon, lat = gcj02_to_wgs84(lon, lat)
        st.session_state["view_latlon"] = (lat, lon, ret["zoom"])
    elif (seen := click_view(ret)) and ret.get("last_object_clicked_popup") != st.session_state.get("_click_view"):
        st.session_state["_click_view"] = ret.get("last_object_clicked_popup")  # a new click: its view, once
        st.session_state["view_latlon"] = seen


def details(data: PlanData, lang: str) -> None:
    """The selected project's or zone's full record."""
    st.subheader(i18n.t("details", lang))
    sel_id = st.session_state["selected"]
    prow = data.enriched[data.enriched.project_id == sel_id]
    zrow = data.zones[data.zones.zone_id == sel_id]
    names = popup.place_names(data.zones)
    if len(prow):
        show = prow.iloc[0].copy()
        parcel = data.parcels[data.parcels.project_id == sel_id]
        if len(parcel):
            for field in ("area_mu", "geometry_source", "placement_note"):
                show[field] = parcel.iloc[0][field]
        st.markdown(popup.table_html(show, popup.PARCEL_FIELDS, lang, names), unsafe_allow_html=True)
    elif len(zrow):
        st.markdown(popup.table_html(zrow.iloc[0], popup.ZONE_FIELDS, lang, names), unsafe_allow_html=True)
    else:
        notice.caption(i18n.t("click_hint", lang))


UNLOCATED_KEPT = 32
"""Lists of not-located places kept for all sessions (by data and filter): a click or a pan reruns the map
with the same filter, and the next planner opening the page asks for the same list."""
_UNLOCATED: OrderedDict[tuple[int, str], tuple[weakref.ref, pd.DataFrame]] = OrderedDict()
_UNLOCATED_LOCK = threading.Lock()


def unlocated_rows(data: PlanData, sel: Selection) -> pd.DataFrame:
    """:func:`geo.core.filter.unlocated` of the selection, computed once per data and filter for the server."""
    key = (id(data), repr(sel.filter))
    with _UNLOCATED_LOCK:
        hit = _UNLOCATED.get(key)
        if hit is not None and hit[0]() is data:
            _UNLOCATED.move_to_end(key)
            return hit[1]
    rows = unlocated(data, sel)
    with _UNLOCATED_LOCK:
        _UNLOCATED[key] = (weakref.ref(data), rows)
        while len(_UNLOCATED) > UNLOCATED_KEPT:
            _UNLOCATED.popitem(last=False)
    return rows


def not_located(data: PlanData, sel: Selection, lang: str) -> None:
    """The selection's places the plans name without a position, each with the place it belongs to, so
    a plan with nothing located never leaves an empty map without a reason. A plain escaped table, not
    ``st.dataframe``: the data grid's ~1.2 MB of JavaScript would load with every opening of the map."""
    rows = unlocated_rows(data, sel)
    if not len(rows):
        return
    with st.expander(i18n.t("unlocated_list", lang, n=len(rows)), expanded=sel.parcels.empty):
        name, parent = i18n.col("name", lang), i18n.col("parent_name", lang)
        names = rows[name].where(rows[name].fillna("") != "", rows.name_zh)
        parents = rows[parent].where(rows[parent].fillna("") != "", rows.parent_name_zh)
        located = rows.parent_located.map(lambda v: i18n.t("yes" if v else "no", lang))
        table = markup.html_table([i18n.t(k, lang) for k in ("col_name", "col_id", "plan", "col_parent", "col_parent_located")],
                                  [list(r) for r in zip(names, rows.id, rows.plan, parents, located, strict=True)])
        st.html(f"<div style='max-height:360px;overflow:auto'>{table}</div>")  # HTML as it is: no Markdown pass


@st.fragment
@guard.guarded
def map_tab(data: PlanData, sel: Selection, flt: Filter, lang: str, started: float) -> None:
    """The map tab, a fragment: the map, then the selected feature's record beside it.

    Parameters
    ----------
    data : PlanData
    sel : Selection
        The filtered selection.
    flt : Filter
        The filter (a click or a pan writes the view into the link).
    lang : {"zh", "en"}
    started : float
        ``time.perf_counter()`` when filtering began (the caption reports the build time).
    """
    take_click(data)
    col_map, col_info = st.columns([3, 1])
    with col_info:  # written first: the record reaches the browser before the map's ~0.4 MB
        details(data, lang)
    with col_map:
        ret, gcj = draw(data, sel, lang, started)
    follow_map(ret, gcj)
    not_located(data, sel, lang)
    state.write_url(flt, lang)

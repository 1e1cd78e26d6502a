"""规划浏览 / the planning map page (URL ``/``): filters, totals, search, then the map, project table,
charts, plan targets, exports and notes on the data in tabs. The view lives in the URL
(:mod:`ui.urlstate`), so a link reopens it.

All filtering, joining, styling and map building is geo/; this module wires widgets to it.
"""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from geo import i18n
from geo.core import aggregate
from geo.core.filter import Filter, apply_filter, search
from ui import basemap, planner_export, planner_map, planner_tabs, urlstate
from ui.data import AppData
from ui.labels import Labels
from ui.timing import Marks

FILTER_KEYS = ("plans", "layouts", "sectors", "districts", "zones", "geoms")
GEOMETRY_SOURCES = ("surveyed", "digitised", "gazetteer", "schematic")
THEMATIC = {"none": "thematic_none", "land": "thematic_land", "output": "thematic_output", "per_mu": "thematic_per_mu"}
TABS = ("tab_map", "tab_table", "tab_charts", "tab_targets", "tab_export", "tab_about")


def _list_filters(app: AppData, labels: Labels, lang: str) -> None:
    """The plan, layout, sector, district and zone pickers (kept across pages)."""
    data, every = app.data, i18n.t("all", lang)
    pick = dict(placeholder=every, persist_state="session")
    st.multiselect(i18n.t("plan", lang), list(labels.docs.index), key="plans", format_func=labels.doc, **pick)
    st.multiselect(i18n.t("layout", lang), list(labels.layers), key="layouts", format_func=labels.layer, **pick)
    st.multiselect(i18n.t("sector", lang), app.sectors, key="sectors", format_func=labels.sector, **pick)
    districts = sorted(x for x in data.enriched.district.unique() if x)
    st.multiselect(i18n.t("district", lang), districts, key="districts", **pick)
    zones = list(data.zones.sort_values(["layer_id", "zone_id"]).zone_id)
    st.multiselect(i18n.t("zone", lang), zones, key="zones", format_func=labels.zone, **pick)


def _range(key: str, label: str, top: float, step: float) -> None:
    """A range slider over [0, top] whose open ends are stored as None (no bound)."""
    lo, hi = st.session_state[key]
    a, b = st.slider(label, 0.0, top, (lo or 0.0, hi or top), step=step, format="%.0f")
    st.session_state[key] = (a if a > 0 else None, b if b < top else None)


def _map_choices(labels: Labels, lang: str) -> None:
    """Basemap, thematic map and the layer it classifies."""
    basemap.picker(lang)
    st.selectbox(i18n.t("thematic", lang), list(THEMATIC), key="thematic", persist_state="session",
                 format_func=lambda k: i18n.t(THEMATIC[k], lang))
    if st.session_state["thematic"] != "none":
        zone_layers = [lid for lid, layer in labels.layers.items() if layer["kind"] == "zones"]
        st.selectbox(i18n.t("thematic_layer", lang), zone_layers, key="thematic_layer", persist_state="session",
                     format_func=labels.layer)


def _reset(lang: str) -> None:
    if st.button(i18n.t("reset", lang)):
        for k in FILTER_KEYS:
            st.session_state[k] = []
        st.session_state["land"] = st.session_state["output"] = (None, None)
        st.session_state["selected"] = ""
        st.rerun()


def current_filter() -> Filter:
    """The filter the sidebar's widgets hold."""
    s = st.session_state
    return Filter(plans=s["plans"], layouts=s["layouts"], sectors=s["sectors"], districts=s["districts"],
                  zones=s["zones"], land_mu=s["land"], output_yi=s["output"], geometry_sources=s["geoms"])


def sidebar(app: AppData, labels: Labels, lang: str) -> Filter:
    """The sidebar: filters, map choices and reset.

    Returns
    -------
    Filter
        What the widgets select.
    """
    projects = app.data.enriched
    with st.sidebar:
        st.header(i18n.t("filters", lang))
        _list_filters(app, labels, lang)
        _range("land", i18n.t("land_range", lang), float(projects.land_mu.max()), 10.0)
        _range("output", i18n.t("output_range", lang), float(projects.output_target_yi.max()), 1.0)
        st.multiselect(i18n.t("precision", lang), list(GEOMETRY_SOURCES), key="geoms", placeholder=i18n.t("all", lang),
                       persist_state="session", format_func=lambda s: i18n.geometry_source_label(s, lang))
        st.divider()
        _map_choices(labels, lang)
        _reset(lang)
    return current_filter()


def header(projects: pd.DataFrame, lang: str) -> None:
    """Title, the link's warnings and the selection's totals."""
    st.title(i18n.t("app_title", lang))
    st.caption(i18n.t("app_subtitle", lang))
    for key, values in st.session_state.get("url_warnings", []):
        st.warning(i18n.t(key, lang, **values))
    totals = aggregate.summarize(projects)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(i18n.t("count", lang), f"{int(totals['count'])}",
              help=f"{int(totals['n_with_land'])} {i18n.t('with_land', lang)}")
    c2.metric(i18n.t("land_sum", lang), i18n.number(totals["land_mu"], 0))
    c3.metric(i18n.t("output_sum", lang), i18n.number(totals["output_target_yi"], 1))
    c4.metric(i18n.t("per_mu", lang), i18n.number(totals["output_per_mu_wan"], 1), help=i18n.t("per_mu_help", lang))


def search_box(app: AppData, lang: str) -> None:
    """Find a project or zone by name or pinyin: select it and fly the map to it (does not filter)."""
    q = st.text_input(i18n.t("search", lang), key="q")
    if not q:
        return
    hits = search(app.data, q)
    if not len(hits):
        st.info(i18n.t("no_hits", lang))
        return
    names = hits[i18n.col("name", lang)].fillna("").where(lambda s: s != "", hits.name_zh)
    labels = [f"{'▢' if kind == 'project' else '◎'} {name} ({ident})"
              for kind, name, ident in zip(hits.kind, names, hits.id, strict=True)]
    pick = st.selectbox(i18n.t("search_hits", lang), range(len(hits)), format_func=lambda i: labels[i], key="hit")
    h = hits.iloc[pick]
    if st.session_state.get("last_hit") != (q, h.id):
        st.session_state["last_hit"] = (q, h.id)
        st.session_state["selected"] = h.id
        minx, miny, maxx, maxy = h.bounds
        st.session_state["fly_to"] = ((miny + maxy) / 2, (minx + maxx) / 2, 15 if h.kind == "project" else 13)


def write_url(flt: Filter, lang: str) -> None:
    """Put the view into the address bar (only when it changed)."""
    s = st.session_state
    vl = s.get("view_latlon")
    view = urlstate.ViewState(filter=flt, lang=lang, basemap=s["basemap"], thematic=s["thematic"],
                              selected=s["selected"], lat=vl[0] if vl else None, lon=vl[1] if vl else None,
                              zoom=vl[2] if vl else None)
    params = urlstate.to_params(view)
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


def page(app: AppData, lang: str) -> None:
    """The planning map page.

    Parameters
    ----------
    app : AppData
        The loaded plan data.
    lang : {"zh", "en"}
    """
    marks = Marks()
    labels = Labels(app, lang)
    flt = sidebar(app, labels, lang)
    marks("sidebar")
    started = time.perf_counter()
    sel = apply_filter(app.data, flt)
    header(sel.projects, lang)
    search_box(app, lang)
    tabs = st.tabs([i18n.t(k, lang) for k in TABS])
    with tabs[0]:
        planner_map.map_tab(app.data, sel, lang, started)
    marks("map")
    with tabs[1]:
        planner_tabs.table_tab(sel.projects, flt, lang)
    with tabs[2]:
        planner_tabs.charts_tab(sel.projects, lang)
    with tabs[3]:
        planner_tabs.targets_tab(app.data, labels, lang)
    with tabs[4]:
        planner_export.export_tab(app.data, flt, lang)
    with tabs[5]:
        planner_tabs.about_tab(app, lang)
    marks("tabs")
    write_url(flt, lang)
    marks.report()

"""规划浏览 / the planning map page (URL ``/``): filters, totals, search, then the map, project table,
charts, plan targets, exports and notes on the data in tabs. The view lives in the URL
(:mod:`ui.urlstate`), so a link reopens it.

All filtering, joining, styling and map building is geo/; this module wires widgets to it.
"""

from __future__ import annotations

import dataclasses
import time

import pandas as pd
import streamlit as st

from geo import i18n
from geo.config import COMMON_LAYER
from geo.core import aggregate
from geo.core.filter import Filter, Selection, apply_filter, search, without_district
from ui import basemap, choices, notice, planner_export, planner_map, planner_tabs, selection, state, urlstate
from ui.data import AppData
from ui.labels import PICKER, Labels
from ui.timing import Marks

FILTER_KEYS = ("plans", "layouts", "sectors", "districts", "zones", "geoms")
GEOMETRY_SOURCES = ("surveyed", "digitised", "gazetteer", "schematic")
THEMATIC = {"none": "thematic_none", "land": "thematic_land", "output": "thematic_output", "per_mu": "thematic_per_mu"}
SELECTIONS_KEPT = 4
TABS = ("tab_map", "tab_table", "tab_charts", "tab_targets", "tab_export", "tab_about")


def _list_filters(app: AppData, labels: Labels, lang: str) -> dict[str, list[str]]:
    """The plan, layout, sector, district and zone pickers (kept across pages); returns what they hold."""
    data, every = app.data, i18n.t("all", lang)
    pick = dict(placeholder=every, persist_state="session", **PICKER)
    zones = list(data.zones.sort_values(["layer_id", "zone_id"]).zone_id)
    offered = {"plans": list(labels.docs.index), "layouts": list(labels.layers), "sectors": app.sectors,
               "districts": labels.area_keys(), "zones": zones}
    for key, options in offered.items():  # a link naming what does not exist: said, then dropped
        for v in choices.unknown(key, options):
            st.session_state.setdefault("url_warnings", []).append(
                ("url_bad_item", {"param": urlstate.LIST_KEYS[key], "value": str(v)[:60]}))
    picked = st.session_state.get("selected")
    if picked and not (data.projects.project_id == picked).any() and not (data.zones.zone_id == picked).any():
        st.session_state.setdefault("url_warnings", []).append(("url_bad_item", {"param": "sel", "value": str(picked)[:60]}))
        st.session_state["selected"] = ""  # only a link can name a feature that is not there
    return {
        "plans": choices.multiselect(st, i18n.t("plan", lang), list(labels.docs.index), key="plans",
                                     format_func=labels.doc, **pick),
        "layouts": choices.multiselect(st, i18n.t("layout", lang), list(labels.layers), key="layouts",
                                       format_func=labels.layer, **pick),
        "sectors": choices.multiselect(st, i18n.t("sector", lang), app.sectors, key="sectors",
                                       format_func=labels.sector, **pick),
        "districts": choices.multiselect(st, i18n.t("district_area", lang), labels.area_keys(), key="districts",
                                         format_func=labels.area, **pick),
        "zones": choices.multiselect(st, i18n.t("zone", lang), zones, key="zones", format_func=labels.zone, **pick),
    }


def _range(key: str, label: str, top: float, step: float, lang: str) -> None:
    """A range by slider over [0, top] or by typed numbers (any value, beyond the slider too); open ends
    are stored as None (no bound) in ``st.session_state[key]``, which both widgets follow."""
    s = st.session_state
    lo, hi = s[key]
    slider, lo_key, hi_key = f"{key}_slider", f"{key}_lo", f"{key}_hi"

    def from_slider() -> None:
        a, b = s[slider]
        s[key] = (a if a > 0 else None, b if b < top else None)

    def from_numbers() -> None:
        a, b = s[lo_key], s[hi_key]
        if a is not None and b is not None and a > b:
            a, b = b, a
        s[key] = (a, b)

    s[slider] = (min(lo or 0.0, top), min(hi, top) if hi is not None else top)
    s[lo_key], s[hi_key] = lo, hi
    st.slider(label, 0.0, top, key=slider, step=step, format="%.0f", on_change=from_slider)
    c1, c2 = st.columns(2)
    c1.number_input(i18n.t("range_from", lang), min_value=0.0, value=None, key=lo_key, format="%.1f",
                    placeholder=i18n.t("range_from", lang), on_change=from_numbers)
    c2.number_input(i18n.t("range_to", lang), min_value=0.0, value=None, key=hi_key, format="%.1f",
                    placeholder=i18n.t("range_to", lang), on_change=from_numbers)


def _map_choices(labels: Labels, lang: str) -> None:
    """Basemap, thematic map and the layer it classifies."""
    basemap.picker(lang)
    choices.selectbox(st, i18n.t("thematic", lang), list(THEMATIC), key="thematic", persist_state="session",
                      format_func=lambda k: i18n.t(THEMATIC[k], lang))
    if st.session_state["thematic"] != "none":
        zone_layers = [lid for lid, layer in labels.layers.items() if layer["kind"] == "zones"]
        if st.session_state.get("thematic_layer") not in zone_layers:  # a link naming a layer that does not exist
            notice.warning(i18n.t("url_bad_thematic_layer", lang, value=str(st.session_state.get("thematic_layer"))))
            st.session_state["thematic_layer"] = COMMON_LAYER
        choices.selectbox(st, i18n.t("thematic_layer", lang), zone_layers, key="thematic_layer",
                          persist_state="session", format_func=labels.layer)


def _reset(lang: str) -> None:
    if st.button(i18n.t("reset", lang)):
        for k in FILTER_KEYS:
            st.session_state[k] = []
        st.session_state["land"] = st.session_state["output"] = (None, None)
        st.session_state["selected"] = ""
        st.rerun()


def current_filter(picked: dict[str, list[str]]) -> Filter:
    """The filter the sidebar's widgets hold (``picked``: the list pickers' options, :mod:`ui.choices`)."""
    s = st.session_state
    return Filter(plans=picked["plans"], layouts=picked["layouts"], sectors=picked["sectors"],
                  districts=picked["districts"], zones=picked["zones"], land_mu=s["land"], output_yi=s["output"],
                  geometry_sources=picked["geoms"])


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
        picked = _list_filters(app, labels, lang)
        _range("land", i18n.t("land_range", lang), float(projects.land_mu.max()), 10.0, lang)
        _range("output", i18n.t("output_range", lang), float(projects.output_target_yi.max()), 1.0, lang)
        picked["geoms"] = choices.multiselect(
            st, i18n.t("precision", lang), list(GEOMETRY_SOURCES), key="geoms", **PICKER, placeholder=i18n.t("all", lang),
            persist_state="session", format_func=lambda s: i18n.geometry_source_label(s, lang))
        st.divider()
        _map_choices(labels, lang)
        _reset(lang)
    return current_filter(picked)


def district_note(app: AppData, flt: Filter, lang: str) -> None:
    """With a district filter on: how many of the otherwise selected projects have no district, so
    none is dropped without a word."""
    if not flt.districts:
        return
    others = filtered(app, dataclasses.replace(flt, districts=[]))
    n = without_district(others.projects)
    if n:
        st.caption(i18n.t("without_district", lang, n=n))


def header(projects: pd.DataFrame, lang: str) -> None:
    """Title, the link's warnings and the selection's totals."""
    st.title(i18n.t("app_title", lang))
    st.caption(i18n.t("app_subtitle", lang))
    for key, values in st.session_state.get("url_warnings", []):
        notice.warning(i18n.t(key, lang, **values))
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
        selection.select(app.data, h.id, show_map=True)


def filtered(app: AppData, flt: Filter) -> Selection:
    """The filter's selection, kept per session for the last few filters (a click, a pan or a tab
    switch reruns the page with the same filter; the district note asks for a second one)."""
    key = (id(app.data), repr(flt))
    kept = st.session_state.setdefault("_selections", {})
    if key not in kept:
        if len(kept) >= SELECTIONS_KEPT:
            kept.pop(next(iter(kept)))
        kept[key] = apply_filter(app.data, flt)
    return kept[key]


def open_tab(lang: str) -> str:
    """The tab bar (one segmented control): returns the open tab's key (of ``TABS``); only that tab is drawn.

    Not ``st.tabs``: its labels change with the language, and Streamlit then rebuilds the tab container
    and everything in it — the map's iframe would load again on every language switch. The control sits
    above the open tab's content, which keeps its place. A pick elsewhere (a table row, a search hit)
    brings the map forward (``tab_goto``).
    """
    s = st.session_state
    if goto := s.pop("tab_goto", None):
        s["tab_key"] = goto
        s["tab"] = goto
    current = s.get("tab_key", TABS[0])
    if "tab" not in s:
        s["tab"] = current
    picked = choices.segmented(st, i18n.t("tabs", lang), list(TABS), key="tab", format_func=lambda k: i18n.t(k, lang),
                               label_visibility="collapsed")
    s["tab_key"] = picked or current  # a click on the open tab unselects it: it stays open
    return s["tab_key"]


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
    sel = filtered(app, flt)
    marks("filter")
    selection.fit_to_filter(app.data, flt, sel)
    if request := st.session_state.pop("select_request", None):  # a row picked in the project table
        selection.select(app.data, request, show_map=True)
    header(sel.projects, lang)
    district_note(app, flt, lang)
    search_box(app, lang)
    marks("header")
    current = open_tab(lang)
    with st.container():
        if current == "tab_map":
            planner_map.map_tab(app.data, sel, flt, lang, started)
        elif current == "tab_table":
            planner_tabs.table_tab(sel.projects, flt, lang)
        elif current == "tab_charts":
            planner_tabs.charts_tab(sel.projects, lang)
        elif current == "tab_targets":
            planner_tabs.targets_tab(app.data, labels, lang)
        elif current == "tab_export":
            planner_export.export_tab(app.data, flt, lang)
        else:
            planner_tabs.about_tab(app, lang)
    marks("tabs")
    state.write_url(flt, lang)
    marks.report()

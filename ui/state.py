"""Session state the pages share: the first view from the link, and widget values kept across a
language switch.

A widget whose label changes with the language can come back reset after the switch. Its value is
therefore kept in ``_kept`` together with the language it was kept in (``_kept_lang``), and both
are written only at the end of a run that completed (:func:`commit`): a run interrupted by the next
event (the map reporting its view right after the switch) leaves them as they were, so the next run
restores them again (:func:`restore`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from geo import config
from geo.core.filter import Filter
from ui import basemap, choices, urlstate

WIDGET_KEYS = ("plans", "layouts", "sectors", "districts", "zones", "geoms", "basemap", "thematic", "thematic_layer")
"""The planning map's widgets whose values survive a language switch (the filters, basemap, thematic map)."""


def first_view(params: Mapping[str, str]) -> dict[str, Any]:
    """The session's starting values from the link it was opened with.

    Parameters
    ----------
    params : Mapping[str, str]
        The query parameters of the first run.

    Returns
    -------
    dict
        Session-state keys and values.
    """
    view, warnings = urlstate.from_params(params)
    f = view.filter
    return {
        "lang": view.lang, "basemap": view.basemap, "thematic": view.thematic, "plans": f.plans,
        "layouts": f.layouts, "sectors": f.sectors, "districts": f.districts, "zones": f.zones,
        "geoms": f.geometry_sources, "land": f.land_mu, "output": f.output_yi, "selected": view.selected,
        "view_center": (view.lat, view.lon) if view.lat is not None else config.DEFAULT_CENTER,
        "view_zoom": view.zoom or config.DEFAULT_ZOOM, "url_warnings": warnings, "fly_to": None,
        "view_from_link": view.lat is not None,
        "thematic_layer": view.thematic_layer,
    }


def init_from_url() -> None:
    """On the session's first run, set its starting values from the link (later runs keep theirs)."""
    if "init" not in st.session_state:
        st.session_state.update(first_view({k: st.query_params.get(k) for k in st.query_params}))
        st.session_state["init"] = True


def restore(lang: str) -> None:
    """After a language switch, put back the widget values of the last completed run.

    Parameters
    ----------
    lang : str
        The language of this run.
    """
    if st.session_state.get("_kept_lang", lang) != lang:
        for k, v in st.session_state.get("_kept", {}).items():
            st.session_state[k] = v


def commit(lang: str) -> None:
    """At the end of a run that completed: keep its widget values, and the language they belong to.

    Parameters
    ----------
    lang : str
        The language of this run.
    """
    st.session_state["_kept"] = {k: st.session_state[k] for k in WIDGET_KEYS if k in st.session_state}
    st.session_state["_kept_lang"] = lang


def thematic() -> str:
    """The thematic mode the picker holds (:func:`ui.choices.value`)."""
    return choices.value("thematic", list(urlstate.THEMATIC), "none")


def write_url(flt: Filter, lang: str) -> None:
    """Put the planning map's view into the address bar (only when it changed).

    Parameters
    ----------
    flt : Filter
        The filter the sidebar holds.
    lang : str
    """
    s = st.session_state
    vl = s.get("view_latlon")
    view = urlstate.ViewState(filter=flt, lang=lang, basemap=basemap.chosen(), thematic=thematic(),
                              thematic_layer=s.get("thematic_layer", config.COMMON_LAYER), selected=s["selected"],
                              lat=vl[0] if vl else None, lon=vl[1] if vl else None, zoom=vl[2] if vl else None)
    params = urlstate.to_params(view)
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)

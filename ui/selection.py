"""One way to select: a search hit, a table row and a map click all outline the feature, centre the
map on it and show its record beside the map; a filter change fits the map to what it selects.

The map moves through ``st.session_state["fly_to"]`` — ((lat, lon), zoom) in WGS84, handed to
streamlit-folium as its centre and zoom (it moves the map only when they change).
"""

from __future__ import annotations

import streamlit as st

from geo.config import DEFAULT_CENTER, DEFAULT_ZOOM
from geo.core.filter import Filter, Selection, bounds_of
from geo.core.model import PlanData
from geo.render import viewport

MAP_SIZE_PX = (900, 700)
"""The map's size on a wide page (3/4 of the main column × the map's height)."""


def feature_bounds(data: PlanData, feature_id: str) -> tuple[float, float, float, float] | None:
    """WGS84 bounds of a project's parcel (else its zone) or of a located zone; None when unknown.

    Parameters
    ----------
    data : PlanData
    feature_id : str
        A ``project_id`` or ``zone_id``.

    Returns
    -------
    (float, float, float, float) or None
    """
    parcels = data.parcels[data.parcels.project_id == feature_id]
    if len(parcels):
        return tuple(parcels.total_bounds)
    zone_id = feature_id
    project = data.projects[data.projects.project_id == feature_id]
    if len(project):
        zone_id = project.zone_id.iloc[0]
    zones = data.zones[(data.zones.zone_id == zone_id) & (data.zones.position_confidence != "none")]
    return tuple(zones.total_bounds) if len(zones) else None


def select(data: PlanData, feature_id: str, zoom: int | None = None, show_map: bool = False) -> None:
    """Select a feature: outline and details (``selected``), and move the map to it.

    Parameters
    ----------
    data : PlanData
    feature_id : str
    zoom : int, optional
        Keep this zoom and only centre (a map click); by default zoom to fit the feature.
    show_map : bool, default False
        Also bring the map tab forward (a pick in the project table).
    """
    st.session_state["selected"] = feature_id
    b = feature_bounds(data, feature_id)
    if b is not None:
        (lat, lon), fit_zoom = viewport.fit(b, MAP_SIZE_PX)
        st.session_state["fly_to"] = ((lat, lon), zoom if zoom is not None else fit_zoom)
    if show_map:
        st.session_state["tab_goto"] = "tab_map"


def fit_to_filter(data: PlanData, flt: Filter, sel: Selection) -> None:
    """When the filter changed since the last run, fit the map to what it selects (the default view
    for an empty filter). The first run keeps the view a shared link names.

    Parameters
    ----------
    data : PlanData
    flt : Filter
    sel : Selection
    """
    key = repr(flt)
    last = st.session_state.get("fitted_filter")
    st.session_state["fitted_filter"] = key
    if last == key or (last is None and st.session_state.get("view_from_link")):
        return
    if flt.is_empty() and last is not None:
        st.session_state["fly_to"] = (DEFAULT_CENTER, DEFAULT_ZOOM)
        return
    b = None if flt.is_empty() else bounds_of(data, sel)
    if b is not None:
        st.session_state["fly_to"] = viewport.fit(b, MAP_SIZE_PX)

"""数据维护 / the boundary maintenance page (URL ``/boundaries``): digitise on the map, import surveyed
files, history and undo.

Reading, matching and checking is :mod:`geo.io.importer`; storing, history, undo and conflict
detection is the store (:func:`geo.io.open_store`). Nothing is stored before the user confirms; after
a change the shared data is reloaded (:func:`ui.data.reload`).

Editing (the digitise and import tabs, undo) needs the ``editor`` role (:mod:`ui.auth`): a signed-in editor, or
the local single-user mode switched on by ``SCIMAP_LOCAL_EDITING=1``; anyone else sees the history read-only and
why. The store records the user's identity (never a typed name), and every import, save and undo is recorded in
the audit trail (:mod:`geo.io.audit`) with the features, the change ids and the uploaded file's SHA-256.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st
from folium import plugins
from shapely.geometry import shape
from streamlit_folium import st_folium

from geo import config, i18n
from geo.core.crs import WGS84, areas_mu
from geo.core.filter import Filter, apply_filter
from geo.core.gcj02 import geom_from_gcj02
from geo.core.geometry import repair
from geo.core.model import PlanData
from geo.io import audit, importer, open_store, store
from geo.render import assets, mapview
from geo.render.layers.parcels import parcel_layer
from geo.render.options import DEFAULT_CENTER, MapOptions
from ui import auth, basemap, notice
from ui import data as app_data
from ui.data import AppData
from ui.labels import columns, local_time

CRS_OPTIONS = ["auto", "EPSG:4326", "EPSG:4490", "EPSG:4544", "EPSG:4545", "EPSG:4523", "EPSG:4524", "GCJ02"]
REVIEW_COLS = ["store", "feature", "source_id", "source_name", "match_id", "match_method", "area_mu", "plan_mu",
               "district", "problems", "acceptable"]
UPLOADER_CSS = """<style>
[data-testid="stFileUploaderDropzoneInstructions"], [data-testid="stFileUploaderDropzone"] button {display: none}
[data-testid="stFileUploaderDropzone"] {cursor: pointer}
[data-testid="stFileUploaderDropzone"]::before {content: HINT; color: #6b7280}
</style>"""
"""Streamlit's uploader speaks English only: its own hint and button are hidden, the drop zone (a click opens
the file dialog) carries the page's hint."""
DRAW_OPTIONS = {"polyline": False, "circle": False, "marker": False, "circlemarker": False, "rectangle": True,
                "polygon": {"allowIntersection": False, "showArea": False}}


PINS = ("edit_pin_import", "edit_pin_draw")
"""Session keys of the versions pinned by each tab's review (the tabs run in the same page run)."""


def reviewed_version(slot: str, key: object, layer: str, app: AppData) -> str:
    """The layer's version the user reviewed: pinned when this review (``key``) is first shown.

    The version is the one of the data the review was computed against (``app.versions``, read before
    the data), kept in the session until the review changes; the save after the click uses it, so a
    change stored by someone else in between is a conflict, not silently overwritten.

    Parameters
    ----------
    slot : str
        The tab's session key (one of :data:`PINS`).
    key : object
        What is reviewed (the upload, layer and CRS; or the target and the drawing).
    layer : {"parcels", "zones"}
    app : AppData

    Returns
    -------
    str
    """
    pinned = st.session_state.get(slot)
    if not pinned or pinned[0] != repr(key):
        pinned = (repr(key), app.versions.get(layer) or open_store().version(layer))
        st.session_state[slot] = pinned
    return pinned[1]


def _unpin() -> None:
    for slot in PINS:
        st.session_state.pop(slot, None)


def store_changes(gdf: gpd.GeoDataFrame, layer: str, who: str, source: str, note: str, based_on: str | None,
                  lang: str, action: str = "save", details: dict | None = None) -> None:
    """Save accepted geometries against the version the user reviewed (``based_on``), record it in the audit
    trail (``action``: ``save`` or ``import``, with ``details``), then reload the data.

    A conflict or a refusal is a message; on a conflict the data is read again, so the next review is of
    what is stored now.
    """
    try:
        ids = open_store().save(gdf, layer, who or "staff", source, based_on, note=note)
    except (store.ConflictError, store.StoreError) as e:
        notice.error(f"{i18n.t('edit_conflict', lang)}{i18n.t('colon', lang)}{i18n.message(str(e), lang)}")
        if isinstance(e, store.ConflictError):
            _unpin()
            app_data.invalidate()
        return
    _unpin()
    saved = f"{i18n.t('edit_saved', lang)}{i18n.t('colon', lang)}{i18n.pick(i18n.REASONS, 'list_sep', lang).join(ids)}"
    notice.success(saved)
    st.session_state["edit_flash"] = saved
    what = {"layer": layer, "ids": sorted(map(str, gdf.target_id)), "changes": list(ids), "source": source}
    if not auth.record(action, {**what, **(details or {})}, lang, fallback=who):
        st.session_state["edit_flash_error"] = i18n.t("audit_not_recorded", lang)
    app_data.reload()


def _review(rv: importer.Review, layer: str, who: str, upload: dict, based_on: str, lang: str) -> None:
    """The per-feature report: tick what to store, then store it (against the version reviewed)."""
    notes = [i18n.message(n, lang) for n in (rv.loaded.crs_note, *rv.loaded.notes)]
    crs = rv.loaded.crs_used if len(rv.loaded.crs_used) <= 160 else rv.loaded.crs_used[:159] + "…"
    # the CRS may be the file's own WKT, whose name the file chooses: shown as its characters (ui.notice)
    notice.caption(f"{i18n.t('edit_crs_used', lang)}{i18n.t('colon', lang)}{crs} — "
                   + i18n.pick(i18n.REASONS, "reason_sep", lang).join(notes))
    st.subheader(i18n.t("edit_review", lang))
    rep = rv.report.copy()
    rep.insert(0, "store", rep.acceptable & ~rep.flagged)
    rep = rep.assign(problems=[i18n.message(p, lang) for p in rep.problems],
                     match_method=[i18n.value("match_method", m, lang) for m in rep.match_method],
                     district=[i18n.district_name(d, lang) for d in rep.district])
    edited = st.data_editor(rep[REVIEW_COLS], disabled=REVIEW_COLS[1:], hide_index=True, key="edit_review",
                            width="stretch", column_config=columns(REVIEW_COLS, lang))
    if st.button(i18n.t("edit_save", lang), type="primary", key="edit_save"):
        chosen = [int(f) for f, s_, a in zip(edited.feature, edited.store, edited.acceptable, strict=True) if s_ and a]
        ok = rv.accepted(include_flagged=True, features=chosen)
        if not len(ok):
            st.warning(i18n.t("edit_nothing", lang))
        else:
            store_changes(ok, layer, who, "surveyed", f"import {upload['file']}", based_on, lang, "import", upload)


def import_tab(app: AppData, who: str, lang: str) -> None:
    """Upload a boundary file, read it in the CRS given (or detected), review it feature by feature."""
    data = app.data
    st.markdown(UPLOADER_CSS.replace("HINT", json.dumps(i18n.t("edit_drop_hint", lang))), unsafe_allow_html=True)
    up = st.file_uploader(i18n.t("edit_upload", lang), key="edit_upload")
    c1, c2 = st.columns(2)
    layer = c1.selectbox(i18n.t("edit_layer", lang), ["parcels", "zones"], key="edit_layer",
                         format_func=lambda x: i18n.t(f"edit_layer_{x}", lang))
    crs = c2.selectbox(i18n.t("edit_crs", lang), CRS_OPTIONS, key="edit_crs",
                       format_func=lambda c: i18n.t("edit_auto", lang) if c == "auto" else c)
    if up is None:
        return
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"upload{Path(up.name).suffix.lower()}"
        p.write_bytes(up.getvalue())
        try:
            rv = importer.review(p, data, layer, None if crs == "auto" else crs, name=up.name)
        except importer.ImportFailed as e:
            notice.error(i18n.message(str(e), lang))
            return
    based_on = reviewed_version(PINS[0], (up.file_id, up.name, up.size, layer, crs), layer, app)
    upload = {"file": up.name, "sha256": audit.sha256_bytes(up.getvalue()), "crs": crs}
    _review(rv, layer, who, upload, based_on, lang)


def _draw_map(data: PlanData, target: str, lang: str) -> tuple[dict[str, Any] | None, MapOptions]:
    """Every parcel over the towns, centred on the target's parcel, with the polygon tool.

    Returns
    -------
    (dict or None, MapOptions)
        The last drawing (GeoJSON feature) and the map's options.
    """
    parcels = data.parcels.set_index("project_id")
    center = DEFAULT_CENTER
    if target in parcels.index:
        c = parcels.loc[target].geometry.centroid
        center = (c.y, c.x)
    opts = MapOptions(lang=lang, basemap=basemap.usable(lang), center=center, zoom=15)
    m = mapview.base_map(data, apply_filter(data, Filter(layouts=[config.COMMON_LAYER])), opts)
    parcel_layer(apply_filter(data, Filter()), opts).add_to(m)
    plugins.Draw(draw_options=DRAW_OPTIONS, edit_options={"edit": False}, position="topleft").add_to(m)
    assets.localize(m, opts.asset_base)
    out = st_folium(m, key="edit_map", height=560, use_container_width=True,
                    returned_objects=["last_active_drawing", "all_drawings"])
    return (out or {}).get("last_active_drawing"), opts


def _drawn_area(geom: Any, plan_mu: float, lang: str) -> float:
    """The drawing's area in 亩 against the plan's, shown as two figures."""
    mu = float(areas_mu([geom])[0])
    unit = i18n.t("unit_mu", lang)
    c1, c2 = st.columns(2)
    c1.metric(i18n.t("edit_area", lang), f"{mu:,.1f} {unit}", help=f"{mu * config.M2_PER_MU:,.0f} m²")
    c2.metric(i18n.t("edit_plan", lang), f"{plan_mu:,.0f} {unit}", delta=f"{(mu - plan_mu) / plan_mu:+.1%}")
    st.markdown(f"<div data-testid='drawn-area' style='font-size:.7em;color:#9ca3af'>{mu:.1f}</div>",
                unsafe_allow_html=True)
    return mu


def digitise_tab(app: AppData, who: str, lang: str) -> None:
    """Pick a project, draw its parcel on the map, see the area, store it as a digitised boundary."""
    data = app.data
    with_land = data.enriched[data.enriched.land_mu.notna()].sort_values("project_id").set_index("project_id")
    names = with_land[i18n.col("name", lang)]
    target = st.selectbox(i18n.t("edit_target", lang), list(with_land.index), key="edit_target",
                          format_func=lambda pid: f"{pid} · {names[pid]}")
    st.caption(i18n.t("edit_draw_hint", lang))
    drawn, opts = _draw_map(data, target, lang)
    if not drawn or drawn.get("geometry", {}).get("type") not in ("Polygon", "MultiPolygon"):
        return
    geom = shape(drawn["geometry"])
    if opts.datum == "gcj02":
        geom = geom_from_gcj02(geom)  # drawn on Gaode tiles: back to WGS84
    geom, problem = repair(geom)  # the polygonal part of an invalid drawing (geo.core.geometry)
    if problem:
        st.info(i18n.t("edit_invalid", lang))
    if geom is None:
        return
    _drawn_area(geom, with_land.loc[target, "land_mu"], lang)
    based_on = reviewed_version(PINS[1], (target, json.dumps(drawn.get("geometry"), sort_keys=True)), "parcels", app)
    if st.button(i18n.t("edit_save_drawn", lang), type="primary", key="edit_save_drawn"):
        g = gpd.GeoDataFrame({"target_id": [target]}, geometry=[geom], crs=WGS84)
        store_changes(g, "parcels", who, "digitised", "digitised on the map", based_on, lang)


def _undoable(h: pd.DataFrame) -> list[str]:
    undone = set(h.undoes.dropna())
    return [c for c, a in zip(h.change_id, h.action, strict=True) if a == "save" and c not in undone]


def history_tab(who: str | None, lang: str) -> None:
    """Every stored change, newest first (times in Asia/Shanghai); undo one (``who`` is None: read-only, no
    undo). Damaged history lines are named in a warning (they are skipped, never fatal)."""
    s = open_store()
    for problem in s.history_problems():
        notice.warning(i18n.message(problem, lang))
    h = s.history()
    if not len(h):
        return
    h = h.iloc[::-1]
    shown = h.assign(when=local_time(h.when), action=[i18n.value("action", a, lang) for a in h.action],
                     layer=[i18n.value("layer", x, lang) for x in h.layer],
                     geometry_source=[i18n.geometry_source_label(g, lang) if isinstance(g, str) else g
                                      for g in h.geometry_source],
                     note=[i18n.message(n, lang) for n in h.note])
    st.dataframe(shown, hide_index=True, width="stretch", key="edit_hist", column_config=columns(shown.columns, lang))
    undoable = _undoable(h.iloc[::-1])
    if not undoable or who is None:
        return
    cid = st.selectbox(i18n.t("edit_change", lang), undoable[::-1], key="edit_undo_pick")
    if st.button(i18n.t("edit_undo", lang), key="edit_undo"):
        try:
            new = open_store().undo(cid, who)
        except (store.StoreError, store.ConflictError) as e:
            notice.error(i18n.message(str(e), lang))
            return
        st.session_state["edit_flash"] = f"{i18n.t('edit_undone', lang)}{i18n.t('colon', lang)}{cid}"
        if not auth.record("undo", {"changes": [cid], "undo_change": new}, lang, fallback=who):
            st.session_state["edit_flash_error"] = i18n.t("audit_not_recorded", lang)
        app_data.reload()


def page(app: AppData, lang: str) -> None:
    """The boundary maintenance page.

    Parameters
    ----------
    app : AppData
    lang : {"zh", "en"}
    """
    with st.sidebar:
        basemap.picker(lang)
    if st.session_state.get("edit_flash"):
        notice.success(st.session_state.pop("edit_flash"))
    if st.session_state.get("edit_flash_error"):
        notice.error(st.session_state.pop("edit_flash_error"))
    st.title(i18n.t("edit_title", lang))
    for done in app.recovered:  # what the store's recovery did when the data was loaded
        notice.info(f"{i18n.t('edit_recovered', lang)}{i18n.t('colon', lang)}{i18n.message(done, lang)}")
    who = editor(auth.current(), lang)
    if who is None:
        history_tab(None, lang)
        return
    tab_draw, tab_imp, tab_hist = st.tabs([i18n.t(k, lang) for k in ("edit_digitise", "edit_import", "edit_history")])
    with tab_draw:
        digitise_tab(app, who, lang)
    with tab_imp:
        import_tab(app, who, lang)
    with tab_hist:
        history_tab(who, lang)


def editor(user: auth.User, lang: str) -> str | None:
    """The name the store records for this user's changes, or None (read-only: the page says why).

    Parameters
    ----------
    user : ui.auth.User
    lang : {"zh", "en"}

    Returns
    -------
    str or None
    """
    if user.can("editor") and user.identity is not None:
        if user.mode == "local":
            notice.warning(i18n.t("auth_local", lang, name=user.identity.name))
        return user.identity.name
    if user.mode == "oidc":
        notice.info(i18n.t("edit_readonly_role", lang, roles=auth.role_names(user, lang)))
    else:
        notice.info(i18n.t("edit_readonly_nosignin", lang))
    return None

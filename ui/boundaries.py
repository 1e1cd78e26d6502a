"""数据维护 / boundary maintenance page: import surveyed files, digitise on the map, history and undo.

Called by app.py in edit mode. Reading, matching and checking is geo.importer; storing, history,
undo and conflict detection is geo.store. Nothing is stored before the user confirms.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import streamlit as st
from folium import plugins
from shapely.geometry import shape
from streamlit_folium import st_folium

from geo import i18n
from geo.core.crs import WGS84, areas_mu
from geo.core.filter import Filter, apply_filter
from geo.core.gcj02 import geom_from_gcj02
from geo.core.geometry import repair
from geo.io import importer, open_store, store
from geo.render import assets, basemaps, mapview, options
from geo.render.layers.parcels import parcel_layer

L = {
    "title": ("数据维护：导入测绘边界与数字化", "Boundaries: import surveyed files, digitise"),
    "who": ("操作人", "Your name"), "import": ("导入文件", "Import a file"),
    "upload": ("GeoJSON / 压缩 Shapefile / GeoPackage / KML / KMZ / CSV / DXF（≤ 50 MB）",
               "GeoJSON / zipped Shapefile / GeoPackage / KML / KMZ / CSV / DXF (≤ 50 MB)"),
    "layer": ("写入图层", "Layer"), "crs": ("坐标系", "CRS"), "auto": ("自动识别", "detect"),
    "review": ("逐要素检查（勾选要保存的要素）", "Review (tick the features to store)"),
    "save": ("保存所选要素", "Store the ticked features"), "saved": ("已保存", "Stored"),
    "conflict": ("保存被拒绝", "Not stored"), "digitise": ("在地图上数字化", "Digitise on the map"),
    "target": ("要数字化的项目地块", "Project whose parcel you draw"),
    "draw_hint": ("用左侧多边形工具绘制边界，双击或点击起点结束。", "Draw the outline with the polygon tool; click the first point to finish."),
    "area": ("绘制面积", "Drawn area"), "plan": ("规划面积", "Plan area"),
    "save_drawn": ("保存为数字化边界", "Store as digitised boundary"), "history": ("修改记录", "History"),
    "undo": ("撤销所选修改", "Undo the selected change"), "undone": ("已撤销", "Undone"),
    "nothing": ("没有勾选可保存的要素", "No feature ticked"), "crs_used": ("使用坐标系", "CRS used"),
    "invalid": ("绘制的图形无效（自相交），已修复为有效多边形", "The drawing self-intersects: repaired to a valid polygon"),
}
CRS_OPTIONS = ["auto", "EPSG:4326", "EPSG:4490", "EPSG:4544", "EPSG:4545", "EPSG:4523", "EPSG:4524", "GCJ02"]


def tr(key: str, lang: str) -> str:
    return i18n.pick(L, key, lang)


def render(data, lang: str, basemap: str, on_change):
    """on_change(): called after a store so the app reloads its cached data."""
    st.title(tr("title", lang))
    who = st.text_input(tr("who", lang), key="edit_who", value=st.session_state.get("edit_who", "staff"))
    if "edit_version" not in st.session_state:
        st.session_state["edit_version"] = open_store().version("parcels")

    tab_draw, tab_imp, tab_hist = st.tabs([tr("digitise", lang), tr("import", lang), tr("history", lang)])
    with tab_imp:
        up = st.file_uploader(tr("upload", lang), key="edit_upload")
        c1, c2 = st.columns(2)
        layer = c1.selectbox(tr("layer", lang), ["parcels", "zones"], key="edit_layer")
        crs = c2.selectbox(tr("crs", lang), CRS_OPTIONS, key="edit_crs", format_func=lambda c: tr("auto", lang) if c == "auto" else c)
        if up is not None:
            suffix = Path(up.name).suffix.lower()
            with tempfile.TemporaryDirectory() as d:
                p = Path(d) / f"upload{suffix}"
                p.write_bytes(up.getvalue())
                try:
                    rv = importer.review(p, data, layer, None if crs == "auto" else crs, name=up.name)
                except importer.ImportFailed as e:
                    st.error(str(e))
                    rv = None
            if rv is not None:
                st.caption(f"{tr('crs_used', lang)}: {rv.loaded.crs_used} — {rv.loaded.crs_note}. {' '.join(rv.loaded.notes)}")
                st.subheader(tr("review", lang))
                rep = rv.report.copy()
                rep.insert(0, "store", rep.acceptable & ~rep.flagged)
                edited = st.data_editor(rep[["store", "feature", "source_id", "source_name", "match_id", "match_method",
                                             "area_mu", "plan_mu", "district", "problems", "acceptable"]],
                                        disabled=["feature", "source_id", "source_name", "match_id", "match_method",
                                                  "area_mu", "plan_mu", "district", "problems", "acceptable"],
                                        hide_index=True, key="edit_review", width="stretch")
                if st.button(tr("save", lang), type="primary", key="edit_save"):
                    chosen = [int(f) for f, s_, a in zip(edited.feature, edited.store, edited.acceptable, strict=True) if s_ and a]
                    ok = rv.accepted(include_flagged=True, features=chosen)
                    if not len(ok):
                        st.warning(tr("nothing", lang))
                    else:
                        _store(ok, layer, who, "surveyed", data, f"import {up.name}", lang, on_change)

    with tab_draw:
        with_land = data.enriched[data.enriched.land_mu.notna()].sort_values("project_id")
        target = st.selectbox(tr("target", lang), list(with_land.project_id), key="edit_target",
                              format_func=lambda pid: f"{pid} · {with_land.set_index('project_id').loc[pid, 'name_zh']}")
        st.caption(tr("draw_hint", lang))
        row = data.parcels.set_index("project_id").loc[target] if target in set(data.parcels.project_id) else None
        center = (row.geometry.centroid.y, row.geometry.centroid.x) if row is not None else options.DEFAULT_CENTER
        opts = options.MapOptions(lang=lang, basemap=basemap, center=center, zoom=15)
        sel = apply_filter(data, Filter(layouts=["towns"]))
        m = mapview.base_map(data, sel, opts)
        parcel_layer(apply_filter(data, Filter()), opts).add_to(m)
        plugins.Draw(draw_options={"polyline": False, "circle": False, "marker": False, "circlemarker": False,
                                   "rectangle": True, "polygon": {"allowIntersection": False, "showArea": False}},
                     edit_options={"edit": False}, position="topleft").add_to(m)
        assets.localize(m, opts.asset_base)
        out = st_folium(m, key="edit_map", height=560, use_container_width=True,
                        returned_objects=["last_active_drawing", "all_drawings"])
        drawn = (out or {}).get("last_active_drawing")
        if drawn and drawn.get("geometry", {}).get("type") in ("Polygon", "MultiPolygon"):
            geom = shape(drawn["geometry"])
            if basemaps.BASEMAPS[basemap].datum == "gcj02":  # drawn on Gaode tiles: back to WGS84
                geom = geom_from_gcj02(geom)
            geom, note = repair(geom)  # the polygonal part of an invalid drawing (geo.core.geometry)
            if note:
                st.info(tr("invalid", lang))
            mu = float(areas_mu([geom])[0])
            plan = with_land.set_index("project_id").loc[target, "land_mu"]
            c1, c2 = st.columns(2)
            c1.metric(tr("area", lang), f"{mu:,.1f} 亩", help=f"{mu * 10000 / 15:,.0f} m²")
            c2.metric(tr("plan", lang), f"{plan:,.0f} 亩", delta=f"{(mu - plan) / plan:+.1%}")
            st.markdown(f"<div data-testid='drawn-area' style='font-size:.7em;color:#9ca3af'>{mu:.1f}</div>", unsafe_allow_html=True)
            if st.button(tr("save_drawn", lang), type="primary", key="edit_save_drawn"):
                g = gpd.GeoDataFrame({"target_id": [target]}, geometry=[geom], crs=WGS84)
                _store(g, "parcels", who, "digitised", data, "digitised on the map", lang, on_change)

    with tab_hist:
        h = open_store().history()
        if len(h):
            st.dataframe(h.iloc[::-1], hide_index=True, width="stretch", key="edit_hist")
            undoable = [c for c, a in zip(h.change_id, h.action, strict=True) if a == "save" and c not in set(h.undoes.dropna())]
            if undoable:
                cid = st.selectbox("change_id", undoable[::-1], key="edit_undo_pick")
                if st.button(tr("undo", lang), key="edit_undo"):
                    try:
                        open_store().undo(cid, who)
                        st.session_state["edit_flash"] = f"{tr('undone', lang)}: {cid}"
                        on_change()
                    except store.StoreError as e:
                        st.error(str(e))


def _store(gdf, layer, who, source, data, note, lang, on_change):
    based = st.session_state.get("edit_version") if layer == "parcels" else None
    try:
        ids = open_store().save(gdf, layer, who or "staff", source, based, note=note)
    except (store.ConflictError, store.StoreError) as e:
        st.error(f"{tr('conflict', lang)}: {e}")
        return
    st.session_state["edit_version"] = open_store().version("parcels")
    st.success(f"{tr('saved', lang)}: {', '.join(ids)}")
    st.session_state["edit_flash"] = f"{tr('saved', lang)}: {', '.join(ids)}"
    on_change()

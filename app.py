"""科学城规划一张图 — Streamlit shell over the geo library (filters, map, numbers, targets).

All filtering, joining, styling and map building lives in geo/; this file only wires widgets,
the URL and the cache to it.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import altair as alt
import folium
import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import config, i18n
from geo.core import aggregate
from geo.core.filter import Filter, apply_filter, search, sector_vocabulary, split_multi
from geo.core.gcj02 import gcj02_to_wgs84, wgs84_to_gcj02
from geo.core.model import DataError
from geo.io import export, snapshots
from geo.io.files import load_all
from geo.pipeline.validate import check_plans
from geo.render import basemaps, options, popup
from geo.render.layers.highlight import highlight_group
from geo.render.layers.parcels import DETAIL_MAX, parcel_layer, viewport_bounds
from ui import mapcache, urlstate

st.set_page_config(page_title="科学城规划一张图 · Science City Planning Map", layout="wide", page_icon="🗺️")
T_START = time.perf_counter()
MARKS: list[tuple[str, float]] = []


def mark(name: str) -> None:
    MARKS.append((name, time.perf_counter() - T_START))


@st.cache_resource(show_spinner=False)
def get_data():
    data = load_all()
    if config.settings().synthetic_parcels:  # district-scale demo/test: add N synthetic cadastral parcels
        from geo.pipeline import synth
        data = synth.plan_data(config.settings().synthetic_parcels, 0, base=data)
    data.enriched, data.memberships, data.parcels_joined  # noqa: B018  (derive them once, before the freeze)
    _, checks = check_plans(data)
    import gc
    gc.freeze()  # the prepared frames live as long as the app: keep the collector from walking them (GC pauses
    # of ~0.1 s per rerun at 50,000 parcels)
    return data, checks


try:
    DATA, CHECKS = get_data()
    ENRICHED = DATA.enriched
except DataError as e:
    st.error("数据校验发现错误 / Data validation found errors")
    st.code(str(e))
    st.stop()

# ------------------------------------------------------------------ state from the URL (first run)
if "init" not in st.session_state:
    view, warns = urlstate.from_params({k: st.query_params.get(k) for k in st.query_params})
    f = view.filter
    st.session_state.update({
        "init": True, "lang": view.lang, "basemap": view.basemap, "thematic": view.thematic,
        "plans": f.plans, "layouts": f.layouts, "sectors": f.sectors, "districts": f.districts, "zones": f.zones,
        "geoms": f.geometry_sources, "land": f.land_mu, "output": f.output_yi, "selected": view.selected,
        "view_center": (view.lat, view.lon) if view.lat is not None else options.DEFAULT_CENTER,
        "view_zoom": view.zoom or options.DEFAULT_ZOOM, "url_warnings": warns, "fly_to": None,
        "thematic_layer": "towns",
        "mode": st.query_params.get("mode") if st.query_params.get("mode") in ("promoter", "edit") else "planner",
    })

lang = st.session_state["lang"]
T = lambda k: i18n.t(k, lang)  # noqa: E731
# Widgets whose label changes with the language are new widgets to Streamlit, which resets them:
# carry their values across a language switch.
WIDGET_KEYS = ["mode", "plans", "layouts", "sectors", "districts", "zones", "geoms", "basemap", "thematic", "thematic_layer"]
# `_kept` and `_kept_lang` are written together at the end of a run that completed, so a run interrupted
# by the next event (the map reporting its view after the switch) restores them again.
if st.session_state.get("_kept_lang", lang) != lang:
    for k, v in st.session_state.get("_kept", {}).items():
        st.session_state[k] = v


def keep_widget_values():
    st.session_state["_kept"] = {k: st.session_state[k] for k in WIDGET_KEYS if k in st.session_state}
    st.session_state["_kept_lang"] = lang


DOCS = DATA.sources.set_index("source_doc")
LAYERS = {x["layer_id"]: x for x in DATA.layers if x["layer_id"] != "districts"}
ZONE_NAMES = DATA.zones.set_index("zone_id")
GROUPS = ENRICHED.drop_duplicates("sector_group_zh")


def _reported_view(ret, gcj: bool):
    """((minx, miny, maxx, maxy) WGS84, zoom) from st_folium's returned bounds, or None."""
    b = (ret or {}).get("bounds") or {}
    sw, ne = b.get("_southWest") or {}, b.get("_northEast") or {}
    if sw.get("lng") is None or ne.get("lng") is None:
        return None
    (x0, y0), (x1, y1) = (sw["lng"], sw["lat"]), (ne["lng"], ne["lat"])
    if gcj:  # the map shows GCJ-02 coordinates on Gaode tiles; the data is WGS84
        x0, y0 = gcj02_to_wgs84(x0, y0)
        x1, y1 = gcj02_to_wgs84(x1, y1)
    return ((x0, y0, x1, y1), ret.get("zoom"))


def _secrets() -> dict:
    try:
        return dict(st.secrets)
    except Exception:  # no secrets.toml: the key may still come from the environment
        return {}


def doc_title(d):
    return f"{d} · {DOCS.loc[d, 'title_zh' if lang == 'zh' else 'title_en']}"


def layer_title(lid):
    return LAYERS[lid]["title_zh" if lang == "zh" else "title_en"]


def zone_title(z):
    r = ZONE_NAMES.loc[z]
    return r["name_zh"] if lang == "zh" else f"{r['name_en']} · {r['name_zh']}"


mark("start")
SECTOR_EN, GROUP_LIST, SECTOR_LIST = sector_vocabulary(ENRICHED)


def sector_title(s):
    prefix = "▣ " if s in GROUP_LIST else "· "
    return prefix + (s if lang == "zh" else f"{SECTOR_EN.get(s, s)} · {s}")


# ------------------------------------------------------------------ sidebar: filters
mark("sectors")
with st.sidebar:
    st.radio(T("language"), ["zh", "en"], key="lang", horizontal=True,
             format_func=lambda x: "中文" if x == "zh" else "English")
    st.radio(T("mode"), ["planner", "promoter", "edit"], key="mode", horizontal=True,
             format_func=lambda x: T(f"mode_{x}"))
    if st.session_state["mode"] in ("promoter", "edit"):
        st.selectbox(T("basemap"), list(basemaps.BASEMAPS), key="basemap", format_func=lambda b: basemaps.title(b, lang))

if st.session_state["mode"] in ("promoter", "edit"):
    bm = st.session_state["basemap"]
    if basemaps.BASEMAPS[bm].needs_key and not basemaps.tianditu_key(_secrets()):
        bm = "none"
    if st.session_state["mode"] == "promoter":
        from ui import promoter as ui_promoter
        ui_promoter.render(DATA, lang, SECTOR_LIST, sector_title, zone_title, bm)
    else:
        from ui import boundaries as ui_edit

        def reload_data():
            get_data.clear()
            st.rerun()

        if st.session_state.get("edit_flash"):
            st.success(st.session_state.pop("edit_flash"))
        ui_edit.render(DATA, lang, bm, reload_data)
    keep_widget_values()
    st.stop()

with st.sidebar:
    st.header(T("filters"))
    st.multiselect(T("plan"), list(DOCS.index), key="plans", placeholder=T("all"), format_func=doc_title)
    st.multiselect(T("layout"), list(LAYERS), key="layouts", placeholder=T("all"), format_func=layer_title)
    st.multiselect(T("sector"), SECTOR_LIST, key="sectors", placeholder=T("all"), format_func=sector_title)
    districts = sorted(x for x in ENRICHED.district.unique() if x)
    st.multiselect(T("district"), districts, key="districts", placeholder=T("all"))
    zone_opts = list(DATA.zones.sort_values(["layer_id", "zone_id"]).zone_id)
    st.multiselect(T("zone"), zone_opts, key="zones", placeholder=T("all"), format_func=zone_title)
    max_mu = float(ENRICHED.land_mu.max())
    max_yi = float(ENRICHED.output_target_yi.max())
    lo, hi = st.session_state["land"]
    land = st.slider(T("land_range"), 0.0, max_mu, (lo or 0.0, hi or max_mu), step=10.0, format="%.0f")
    lo, hi = st.session_state["output"]
    out = st.slider(T("output_range"), 0.0, max_yi, (lo or 0.0, hi or max_yi), step=1.0, format="%.0f")
    st.session_state["land"] = (land[0] if land[0] > 0 else None, land[1] if land[1] < max_mu else None)
    st.session_state["output"] = (out[0] if out[0] > 0 else None, out[1] if out[1] < max_yi else None)
    st.multiselect(T("precision"), ["surveyed", "digitised", "gazetteer", "schematic"], key="geoms", placeholder=T("all"),
                   format_func=lambda s: i18n.geometry_source_label(s, lang))
    st.divider()
    st.selectbox(T("basemap"), list(basemaps.BASEMAPS), key="basemap", format_func=lambda b: basemaps.title(b, lang))
    st.selectbox(T("thematic"), ["none", "land", "output", "per_mu"], key="thematic",
                 format_func=lambda k: T({"none": "thematic_none", "land": "thematic_land", "output": "thematic_output",
                                          "per_mu": "thematic_per_mu"}[k]))
    if st.session_state["thematic"] != "none":
        st.selectbox(T("thematic_layer"), [lid for lid in LAYERS if LAYERS[lid]["kind"] == "zones"], key="thematic_layer",
                     format_func=layer_title)
    if st.button(T("reset")):
        for k in ("plans", "layouts", "sectors", "districts", "zones", "geoms"):
            st.session_state[k] = []
        st.session_state["land"] = st.session_state["output"] = (None, None)
        st.session_state["selected"] = ""
        st.rerun()

flt = Filter(plans=st.session_state["plans"], layouts=st.session_state["layouts"], sectors=st.session_state["sectors"],
             districts=st.session_state["districts"], zones=st.session_state["zones"],
             land_mu=st.session_state["land"], output_yi=st.session_state["output"],
             geometry_sources=st.session_state["geoms"])
mark("sidebar")
t0 = time.perf_counter()
SEL = apply_filter(DATA, flt)

# ------------------------------------------------------------------ header and totals
mark("totals")
st.title(T("app_title"))
st.caption(T("app_subtitle"))
for w in st.session_state.get("url_warnings", []):
    st.warning(w)
totals = aggregate.summarize(SEL.projects)
c1, c2, c3, c4 = st.columns(4)
c1.metric(T("count"), f"{int(totals['count'])}", help=f"{int(totals['n_with_land'])} {T('with_land')}")
c2.metric(T("land_sum"), i18n.number(totals["land_mu"], 0))
c3.metric(T("output_sum"), i18n.number(totals["output_target_yi"], 1))
c4.metric(T("per_mu"), i18n.number(totals["output_per_mu_wan"], 1), help=T("per_mu_help"))

# search: find and zoom (does not filter)
q = st.text_input(T("search"), key="q")
if q:
    hits = search(DATA, q)
    if len(hits):
        labels = [f"{'▢' if h.kind == 'project' else '◎'} {h.name_zh if lang == 'zh' else h.name_en or h.name_zh} ({h.id})"
                  for h in hits.itertuples()]
        pick = st.selectbox(T("search_hits"), range(len(hits)), format_func=lambda i: labels[i], key="hit")
        h = hits.iloc[pick]
        if st.session_state.get("last_hit") != (q, h.id):
            st.session_state["last_hit"] = (q, h.id)
            st.session_state["selected"] = h.id
            minx, miny, maxx, maxy = h.bounds
            st.session_state["fly_to"] = ((miny + maxy) / 2, (minx + maxx) / 2, 15 if h.kind == "project" else 13)
    else:
        st.info(T("no_hits"))

tab_map, tab_table, tab_charts, tab_targets, tab_export, tab_about = st.tabs(
    [T("tab_map"), T("tab_table"), T("tab_charts"), T("tab_targets"), T("tab_export"), T("tab_about")])

# ------------------------------------------------------------------ map
mark("map")
with tab_map:
    col_map, col_info = st.columns([3, 1])
    with col_map:
        bm = st.session_state["basemap"]
        tk = basemaps.tianditu_key(_secrets())
        if basemaps.BASEMAPS[bm].needs_key and not tk:
            st.warning("天地图需要开发者密钥：请设置环境变量 TIANDITU_KEY。 Tianditu needs a key: set TIANDITU_KEY." )
            bm = "none"
        opts = options.MapOptions(lang=lang, basemap=bm, thematic=st.session_state["thematic"], tianditu_key=tk,
                                  thematic_layer=st.session_state.get("thematic_layer", "towns"),
                                  center=st.session_state["view_center"], zoom=st.session_state["view_zoom"],
                                  )
        opts.prefer_canvas = len(DATA.parcels) > DETAIL_MAX  # district scale: Canvas, not one SVG path each
        gcj = basemaps.BASEMAPS[bm].datum == "gcj02"
        # the base map is rebuilt only when the zones shown or the options change (per session: st_folium adds
        # its layers to the map it renders); the parcel layer is swapped in place
        cache = st.session_state.setdefault("_base_map_cache", mapcache.BaseMapCache())
        fmap = cache.get(DATA, SEL, opts)
        mark("map_base")
        # the view the map reported with the interaction that started this run (district scale: send its parcels
        # now rather than after a second run); a pan inside what was already sent keeps the same layer
        reported = _reported_view(st.session_state.get("map"), gcj)
        if reported:
            st.session_state["view_bounds"] = mapcache.keep_view(st.session_state.get("view_bounds"), reported)
        vb = st.session_state.get("view_bounds")
        if vb is None:  # the map has not reported its view yet: estimate it from the centre and zoom it opens at
            vb = (viewport_bounds(opts.center, opts.zoom, (1600, opts.height)), opts.zoom)
        parcels_fg = parcel_layer(SEL, opts, bounds=vb[0] if vb else None, zoom=vb[1] if vb else opts.zoom)
        build_s = time.perf_counter() - t0
        mark("map_parcels")
        fly = st.session_state.get("fly_to")
        kwargs = {}
        if fly:
            lat, lon = fly[0], fly[1]
            if gcj:
                lon, lat = wgs84_to_gcj02(lon, lat)
            kwargs = {"center": (lat, lon), "zoom": fly[2]}
        hl = highlight_group(DATA, st.session_state["selected"], bm)
        ret = st_folium(fmap, key="map", height=opts.height, use_container_width=True,
                        feature_group_to_add=[parcels_fg, hl],
                        layer_control=folium.LayerControl(collapsed=True, position="topright"),
                        returned_objects=["last_object_clicked_tooltip", "center", "zoom", "bounds"], **kwargs)
        mark("map_st_folium")
        st.caption(f"{T('render_time')} {build_s * 1000:.0f} ms · {len(SEL.parcels)} / {len(DATA.parcels)} "
                   f"{T('parcels_thematic')} · {len(SEL.zones)} / {len(DATA.zones)} {T('zone')}")
    if ret:
        tip = ret.get("last_object_clicked_tooltip") or ""
        m = re.search(r"(?:编号|ID)\s+(\S+)\s*$", tip.strip())
        if m and m.group(1) != st.session_state.get("clicked_from_map"):
            st.session_state["clicked_from_map"] = m.group(1)
            st.session_state["selected"] = m.group(1)
            st.rerun()
        if ret.get("center") and ret.get("zoom"):
            lat, lon = ret["center"]["lat"], ret["center"]["lng"]
            if gcj:  # the map shows GCJ-02 coordinates on Gaode tiles; the URL keeps WGS84
                lon, lat = gcj02_to_wgs84(lon, lat)
            st.session_state["view_latlon"] = (lat, lon, ret["zoom"])
    with col_info:
        st.subheader(T("details"))
        sel_id = st.session_state["selected"]
        prow = ENRICHED[ENRICHED.project_id == sel_id]
        zrow = DATA.zones[DATA.zones.zone_id == sel_id]
        if len(prow):
            r = prow.iloc[0]
            parcel = DATA.parcels[DATA.parcels.project_id == sel_id]
            show = r.copy()
            if len(parcel):
                show["area_mu"] = parcel.iloc[0].area_mu
                show["geometry_source"] = parcel.iloc[0].geometry_source
                show["placement_note"] = parcel.iloc[0].placement_note
            st.markdown(popup.table_html(show, popup.PARCEL_FIELDS, lang), unsafe_allow_html=True)
        elif len(zrow):
            st.markdown(popup.table_html(zrow.iloc[0], popup.ZONE_FIELDS, lang), unsafe_allow_html=True)
        else:
            st.caption(T("click_hint"))

# ------------------------------------------------------------------ table
mark("table")
TABLE_COLS = ["project_id", "name_zh", "name_en", "sector_zh", "sector_group_zh", "zone_name_zh", "district",
              "function_zh", "land_mu", "output_target_yi", "output_per_mu_wan", "target_year", "parcel_geometry_source",
              "source_doc", "source_ref"]
TABLE_PAGE = 2000  # rows per page: a district-scale selection (10⁵ rows) is paged, not styled and sent whole
with tab_table:
    rows_all = SEL.projects[TABLE_COLS]
    if len(rows_all) > TABLE_PAGE:
        pages = (len(rows_all) - 1) // TABLE_PAGE + 1
        page_no = st.number_input(T("table_page"), min_value=1, max_value=pages, value=1, step=1, key="table_page")
        st.caption(T("table_paged").format(a=(page_no - 1) * TABLE_PAGE + 1, b=min(page_no * TABLE_PAGE, len(rows_all)),
                                           n=len(rows_all)))
        rows_all = rows_all.iloc[(page_no - 1) * TABLE_PAGE: page_no * TABLE_PAGE]
    tbl = rows_all.rename(columns={c: i18n.label(c, lang) for c in TABLE_COLS})
    sel_id = st.session_state["selected"]

    def _hl(frame):  # whole frame at once (a per-row callback is 2,000 Python calls per rerun)
        on = (frame.iloc[:, 0] == sel_id).to_numpy()
        cells = np.broadcast_to(on[:, None], frame.shape)
        return pd.DataFrame(np.where(cells, "background-color: #fef08a", ""), index=frame.index, columns=frame.columns)

    event = st.dataframe(tbl.style.apply(_hl, axis=None) if (tbl.iloc[:, 0] == sel_id).any() else tbl, width="stretch", hide_index=True, height=520,
                         on_select="rerun", selection_mode="single-row", key="table")
    rows = (event or {}).get("selection", {}).get("rows", []) if isinstance(event, dict) else event.selection.rows
    if rows:
        pid = tbl.iloc[rows[0], 0]
        if pid != st.session_state["selected"] and pid != st.session_state.get("table_pick"):
            st.session_state["table_pick"] = pid
            st.session_state["selected"] = pid
            st.rerun()
    st.download_button(T("download_csv"), lambda: SEL.projects.to_csv(index=False).encode("utf-8-sig"),
                       file_name=f"projects_{flt.summary()}.csv", mime="text/csv")

# ------------------------------------------------------------------ charts
mark("charts")
with tab_charts:
    measure = st.radio(T("metric"), ["land_mu", "output_target_yi", "count"], horizontal=True,
                       format_func=lambda k: {"land_mu": T("land_sum"), "output_target_yi": T("output_sum"),
                                              "count": T("count")}[k])
    gcol = "sector_group_zh" if lang == "zh" else "sector_group_en"
    figures = SEL.projects[["land_mu", "output_target_yi"]]  # three columns, not a copy of 10⁵ × 40
    first_group = {v: ((split_multi(v) if isinstance(v, str) else []) or [""])[0] for v in SEL.projects[gcol].unique()}
    by_sector = aggregate.aggregate(figures.assign(group=SEL.projects[gcol].map(first_group)), "group")
    st.subheader(T("by_sector"))
    if len(by_sector):
        st.altair_chart(alt.Chart(by_sector).mark_bar().encode(
            x=alt.X(f"{measure}:Q", title=None), y=alt.Y("group:N", sort="-x", title=None),
            tooltip=["group", "count", "land_mu", "output_target_yi"]), width="stretch")
    st.subheader(T("by_zone"))
    bz = aggregate.aggregate(figures.assign(zone=SEL.projects["zone_name_zh" if lang == "zh" else "zone_name_en"]), "zone")
    bz = bz.dropna(subset=[measure]).sort_values(measure, ascending=False).head(25)
    if len(bz):
        st.altair_chart(alt.Chart(bz).mark_bar(color="#0072B2").encode(
            x=alt.X(f"{measure}:Q", title=None), y=alt.Y("zone:N", sort="-x", title=None),
            tooltip=["zone", "count", "land_mu", "output_target_yi"]), width="stretch")

# ------------------------------------------------------------------ targets
mark("targets")
with tab_targets:
    st.subheader(T("targets_title"))
    tdoc = st.selectbox(T("plan"), list(DOCS.index), format_func=doc_title, key="tdoc")
    tg = DATA.targets[DATA.targets.source_doc == tdoc]
    ind_col = "indicator_zh" if lang == "zh" else "indicator_en"
    paired = tg.dropna(subset=["value"])
    multi = paired.groupby("indicator_id").year.nunique()
    chartable = paired[paired.indicator_id.isin(multi[multi > 1].index)]
    if len(chartable):
        pick = st.multiselect(T("indicator"), sorted(chartable[ind_col].unique()),
                              default=sorted(chartable[ind_col].unique())[:6], key="tind")
        cd = chartable[chartable[ind_col].isin(pick)].assign(series=lambda d: d[ind_col] + " (" + d.unit_zh + ")")
        if len(cd):
            st.altair_chart(alt.Chart(cd).mark_line(point=True).encode(
                x=alt.X("year:O", title=None), y=alt.Y("value:Q", title=None), color=alt.Color("series:N", title=None),
                strokeDash=alt.StrokeDash("value_kind:N", title=None),
                tooltip=["series", "year", "value_text", "value_kind", "source_ref"]).properties(height=360),
                width="stretch")
    st.dataframe(tg[["indicator_id", ind_col, "scope_zh", "sector_zh", "unit_zh", "year", "value", "value_text",
                     "value_kind", "comparator", "source_ref", "notes"]], width="stretch", hide_index=True)

# ------------------------------------------------------------------ export and history
mark("export")
with tab_export:
    st.subheader(T("export_title"))
    st.caption(T("export_hint"))
    e1, e2, e3 = st.columns([1, 1, 1])
    fmt = e1.selectbox(T("export_format"), list(export.FORMATS), key="exp_fmt",
                       format_func=lambda k: export.FORMAT_LABELS[k])
    crs = e2.selectbox(T("export_crs"), list(export.CRS_CHOICES), key="exp_crs",
                       format_func=lambda k: f"{k} · {export.CRS_CHOICES[k]}")
    if e3.button(T("export_make"), type="primary"):
        vl = st.session_state.get("view_latlon")
        view = {"basemap": st.session_state["basemap"], "thematic": st.session_state["thematic"],
                "center": (vl[0], vl[1]) if vl else st.session_state["view_center"],
                "zoom": vl[2] if vl else st.session_state["view_zoom"], "tianditu_key": basemaps.tianditu_key(_secrets())}
        try:
            snap = export.export(DATA, flt, fmt, snapshots.store_dir(), crs=crs, lang=lang, view=view)
            st.session_state["last_snapshot"] = str(snap.path)
        except export.ExportError as err:
            st.error(f"{T('export_failed')}: {err}")
    last = st.session_state.get("last_snapshot")
    if last and Path(last).is_file():
        st.success(f"{T('export_done')}: {Path(last).name}")
        st.download_button(T("download"), lambda p=last: Path(p).read_bytes(), file_name=Path(last).name, key="dl_last")
    st.subheader(T("history"))
    hist = snapshots.list_snapshots()
    if len(hist):
        st.dataframe(hist.drop(columns=["path"]), hide_index=True, width="stretch")
        pick = st.selectbox(T("history_pick"), list(hist.file), key="hist_pick")
        row = hist[hist.file == pick].iloc[0]
        st.download_button(T("download"), lambda p=row.path: Path(p).read_bytes(), file_name=row.file, key="dl_hist")
        if len(hist) > 1:
            c1, c2 = st.columns(2)
            a = c1.selectbox(T("compare_a"), list(hist.file), index=1, key="cmp_a")
            b = c2.selectbox(T("compare_b"), list(hist.file), index=0, key="cmp_b")
            if st.button(T("compare")):
                diff = snapshots.compare(hist[hist.file == a].path.iloc[0], hist[hist.file == b].path.iloc[0])
                if len(diff):
                    st.dataframe(diff, hide_index=True, width="stretch")
                else:
                    st.info(T("no_differences"))
    else:
        st.caption(T("history_empty"))

# ------------------------------------------------------------------ about
mark("about")
with tab_about:
    st.subheader(T("inconsistencies"))
    st.dataframe(pd.DataFrame([{
        "check": c.check_id, "": c.description_zh if lang == "zh" else c.description_en,
        T("table_sum"): c.table_sum, T("stated"): c.stated_text, "✓": T("agrees") if c.ok else T("disagrees"),
        "source": c.stated_source} for c in CHECKS]), width="stretch", hide_index=True)
    st.subheader(T("geometry_note"))
    st.dataframe(DATA.zones.groupby(["geometry_source", "position_confidence"]).size().rename("n").reset_index(),
                 hide_index=True)
    st.dataframe(DATA.sources, hide_index=True, width="stretch")

keep_widget_values()

# ------------------------------------------------------------------ URL
mark("URL")
vl = st.session_state.get("view_latlon")
state = urlstate.ViewState(filter=flt, lang=lang, basemap=st.session_state["basemap"],
                           thematic=st.session_state["thematic"], selected=st.session_state["selected"],
                           lat=vl[0] if vl else None, lon=vl[1] if vl else None, zoom=vl[2] if vl else None)
params = urlstate.to_params(state)
if dict(st.query_params) != params:
    st.query_params.from_dict(params)
mark("end")
if config.settings().timing:
    print("timing " + " ".join(f"{n}={t * 1000:.0f}ms" for n, t in MARKS), file=sys.stderr)

"""招商推介 / investment-promoter page: a firm profile → ranked parcels with reasons → fact sheets.

Called by app.py in promoter mode. The profile and the chosen parcels live in the URL so that a
link reopens the same view. All scoring is geo.matching; the sheets are geo.factsheet.
"""

from __future__ import annotations

import html

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import i18n
from geo.core.filter import Filter, apply_filter
from geo.core.matching import FirmProfile, match
from geo.io.contact import load_contact
from geo.render import factsheet
from geo.render.layers.match import match_layer
from geo.render.layers.poi import poi_layer
from geo.render.options import MapOptions
from ui import mapcache

L = {
    "title": ("招商推介：为企业匹配地块", "Investment promotion: parcels for a prospective firm"),
    "firm": ("企业名称", "Firm"), "sector_text": ("企业行业 / 业务（自由填写）", "Firm's business (free text)"),
    "sectors": ("或选择规划赛道", "or pick the plans' sectors"), "mu_min": ("用地需求下限（亩）", "Land need from (mu)"),
    "mu_max": ("用地需求上限（亩）", "Land need to (mu)"), "districts": ("偏好区县", "Preferred districts"),
    "zones": ("偏好片区 / 镇街", "Preferred zones or towns"), "near_metro": ("靠近轨道站点", "Near a metro station"),
    "near_univ": ("靠近高校", "Near a university"), "bonded": ("位于综合保税区", "Inside the bonded zone"),
    "results": ("匹配结果（按匹配度排序）", "Matches (best first)"), "pick": ("选择地块生成推介资料", "Parcels for the fact sheet"),
    "html": ("下载推介资料（HTML）", "Download fact sheet (HTML)"), "pdf": ("生成 PDF", "Make PDF"),
    "pdf_dl": ("下载推介资料（PDF）", "Download fact sheet (PDF)"), "no_parcels": ("没有可匹配的地块", "No parcels to match"),
    "link": ("当前企业画像与所选地块已写入地址栏，复制即可分享。", "The address bar holds this profile and the chosen parcels: copy it to share."),
    "score": ("匹配度", "Score"), "reasons": ("理由", "Why"), "rank": ("排名", "Rank"),
}


def tr(key: str, lang: str) -> str:
    return i18n.pick(L, key, lang)


def profile_from_params(q) -> FirmProfile:
    def lst(k):
        v = q.get(k)
        return [x for x in str(v).split(",") if x] if v else []

    def num(k):
        try:
            return float(q.get(k)) if q.get(k) not in (None, "") else None
        except ValueError:
            return None

    near = lst("near")
    return FirmProfile(name=str(q.get("firm", ""))[:80], sector_text=str(q.get("ftext", ""))[:200], sectors=lst("fsec"),
                       land_min=num("fmin"), land_max=num("fmax"), districts=lst("fdist"), zones=lst("fzone"),
                       near_metro="metro" in near, near_university="univ" in near, in_bonded_zone="bonded" in near)


def profile_to_params(p: FirmProfile, picks: list[str], lang: str) -> dict:
    out = {"mode": "promoter"}
    if lang != "zh":
        out["lang"] = lang
    for k, v in (("firm", p.name), ("ftext", p.sector_text), ("fsec", ",".join(p.sectors)),
                 ("fdist", ",".join(p.districts)), ("fzone", ",".join(p.zones)), ("pick", ",".join(picks))):
        if v:
            out[k] = v
    if p.land_min is not None:
        out["fmin"] = f"{p.land_min:g}"
    if p.land_max is not None:
        out["fmax"] = f"{p.land_max:g}"
    near = [k for k, on in (("metro", p.near_metro), ("univ", p.near_university), ("bonded", p.in_bonded_zone)) if on]
    if near:
        out["near"] = ",".join(near)
    return out


def name_col_of(lang: str) -> str:
    return "name_zh" if lang == "zh" else "name_en"


@st.cache_data(show_spinner=False, max_entries=32)
def _sheet(picks: tuple[str, ...], lang: str, _data) -> str:
    """The fact sheet's HTML (its map is a matplotlib drawing): once per parcels × language,
    not on every rerun of the page."""
    return factsheet.factsheet_html(_data, list(picks), lang, load_contact())


def render(data, lang: str, sector_list: list[str], sector_title, zone_title, basemap: str):
    st.title(tr("title", lang))
    if "promo_init" not in st.session_state:
        p0 = profile_from_params({k: st.query_params.get(k) for k in st.query_params})
        st.session_state.update({"promo_init": True, "f_name": p0.name, "f_text": p0.sector_text, "f_sec": p0.sectors,
                                 "f_min": p0.land_min, "f_max": p0.land_max, "f_dist": p0.districts, "f_zone": p0.zones,
                                 "f_metro": p0.near_metro, "f_univ": p0.near_university, "f_bonded": p0.in_bonded_zone,
                                 "f_pick": [x for x in str(st.query_params.get("pick", "")).split(",") if x]})
    c1, c2, c3 = st.columns([2, 2, 1])
    c1.text_input(tr("firm", lang), key="f_name")
    c1.text_input(tr("sector_text", lang), key="f_text", placeholder="半导体芯片设计 / IC design / 生物医药研发 …")
    c2.multiselect(tr("sectors", lang), sector_list, key="f_sec", format_func=sector_title, placeholder="—")
    c2.multiselect(tr("districts", lang), sorted(x for x in data.enriched.district.unique() if x), key="f_dist", placeholder="—")
    c2.multiselect(tr("zones", lang), list(data.zones.sort_values(["layer_id", "zone_id"]).zone_id), key="f_zone",
                   format_func=zone_title, placeholder="—")
    c3.number_input(tr("mu_min", lang), min_value=0.0, value=st.session_state["f_min"], step=10.0, key="f_min_in")
    c3.number_input(tr("mu_max", lang), min_value=0.0, value=st.session_state["f_max"], step=10.0, key="f_max_in")
    c3.checkbox(tr("near_metro", lang), key="f_metro")
    c3.checkbox(tr("near_univ", lang), key="f_univ")
    c3.checkbox(tr("bonded", lang), key="f_bonded")
    profile = FirmProfile(name=st.session_state["f_name"], sector_text=st.session_state["f_text"],
                          sectors=st.session_state["f_sec"], land_min=st.session_state["f_min_in"],
                          land_max=st.session_state["f_max_in"], districts=st.session_state["f_dist"],
                          zones=st.session_state["f_zone"], near_metro=st.session_state["f_metro"],
                          near_university=st.session_state["f_univ"], in_bonded_zone=st.session_state["f_bonded"])
    key = (id(data), repr(profile), lang)  # reruns that keep the profile (picks, PDF) reuse the ranking
    memo = st.session_state.get("_match_memo")
    if memo is None or memo[0] != key:
        memo = (key, match(data, profile, lang))
        st.session_state["_match_memo"] = memo
    ranked = memo[1]
    if not len(ranked):
        st.info(tr("no_parcels", lang))
        return
    st.subheader(tr("results", lang))
    top3 = " · ".join(f"#{i + 1} {r[name_col_of(lang)]}（{r.score:.2f}）" if lang == "zh" else
                      f"#{i + 1} {r[name_col_of(lang)]} ({r.score:.2f})" for i, r in ranked.head(3).iterrows())
    st.markdown(f"<div data-testid='promo-top'>{html.escape(top3)}</div>", unsafe_allow_html=True)
    show = ranked.head(10).assign(rank=range(1, min(10, len(ranked)) + 1))
    name_col = "name_zh" if lang == "zh" else "name_en"
    table = pd.DataFrame({tr("rank", lang): show["rank"], "ID": show.project_id, tr("firm", lang)[:0] + ("名称" if lang == "zh" else "Name"): show[name_col],
                          "亩" if lang == "zh" else "mu": show.land_mu, tr("score", lang): show.score.round(2),
                          tr("reasons", lang): show["reasons_zh" if lang == "zh" else "reasons_en"]})
    st.dataframe(table, hide_index=True, width="stretch", key="match_table")

    col_map, col_fs = st.columns([3, 2])
    with col_map:
        best = data.parcels.set_index("parcel_id").loc[show.parcel_id]
        minx, miny, maxx, maxy = best.total_bounds
        opts = MapOptions(lang=lang, basemap=basemap, center=((miny + maxy) / 2, (minx + maxx) / 2), zoom=12,
                          show_layers=data.catalogue.context_layer_ids)  # data/src/layers.csv "context"
        sel = apply_filter(data, Filter(layouts=data.catalogue.context_layer_ids))
        cache = st.session_state.setdefault("_promo_base_cache", mapcache.BaseMapCache())
        base = cache.get(data, sel, opts)  # reruns that keep the ranking (picks, PDF) reuse it
        pad = 0.03
        layers = [match_layer(data, ranked, opts),
                  poi_layer(data, opts, bounds=(minx - pad, miny - pad, maxx + pad, maxy + pad))]
        st_folium(base, key="promo_map", height=560, use_container_width=True, feature_group_to_add=layers,
                  layer_control=folium.LayerControl(collapsed=True), returned_objects=[])
    with col_fs:
        options = list(show.project_id)
        st.session_state["f_pick"] = [x for x in st.session_state["f_pick"] if x in options] or options[:1]
        picks = st.multiselect(tr("pick", lang), options, key="f_pick",
                               format_func=lambda pid: f"{pid} · {show.set_index('project_id').loc[pid, name_col]}")
        if picks:
            page = _sheet(tuple(picks), lang, data)
            st.download_button(tr("html", lang), page.encode("utf-8"), file_name=f"factsheet_{'_'.join(picks)}_{lang}.html",
                               mime="text/html", key="fs_html")
            if st.button(tr("pdf", lang), key="fs_pdf_make"):
                st.session_state["fs_pdf_bytes"] = (tuple(picks), lang, factsheet.html_to_pdf(page))
            got = st.session_state.get("fs_pdf_bytes")
            if got and got[0] == tuple(picks) and got[1] == lang:
                st.download_button(tr("pdf_dl", lang), got[2], file_name=f"factsheet_{'_'.join(picks)}_{lang}.pdf",
                                   mime="application/pdf", key="fs_pdf")
            st.components.v1.html(page, height=700, scrolling=True)
    st.caption(tr("link", lang))
    params = profile_to_params(profile, picks, lang)
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)

"""招商推介 / the investment-promoter page (URL ``/promoter``): a firm profile → ranked parcels with
reasons → fact sheets (each handed out is recorded in the audit trail: :func:`record_sheet`).

The profile and the chosen parcels live in the URL (:func:`ui.urlstate.profile_to_params`) so that a
link reopens the same view. All scoring is :mod:`geo.core.matching`; the sheets are
:mod:`geo.render.factsheet`.
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from geo import i18n
from geo.core.filter import Filter, apply_filter
from geo.core.matching import FirmProfile, match
from geo.core.model import PlanData
from geo.io import audit
from geo.io.contact import load_contact, read_contact
from geo.render import factsheet
from geo.render.elements.layercontrol import LayerControl
from geo.render.layers.match import match_layer
from geo.render.layers.poi import poi_layer
from geo.render.options import MapOptions
from ui import auth, basemap, choices, mapcache, notice, urlstate
from ui.data import AppData
from ui.labels import PICKER, Labels
from ui.mapframe import leaflet_map

SHOWN = 10
"""The best parcels listed, drawn and offered for fact sheets."""
KEEP = dict(persist_state="session")
PICK = dict(KEEP, **PICKER)  # the profile survives a visit to another page


@st.cache_data(show_spinner=False, max_entries=32)
def _sheet(picks: tuple[str, ...], lang: str, _data: PlanData) -> str:
    """The fact sheet's HTML (its map is a matplotlib drawing): once per parcels × language,
    not on every rerun of the page."""
    return factsheet.factsheet_html(_data, list(picks), lang, load_contact())


def init_from_url() -> None:
    """On the page's first run in the session, the profile and picks from the link."""
    if "promo_init" in st.session_state:
        return
    p0, picks, warnings = urlstate.profile_from_params({k: st.query_params.get(k) for k in st.query_params})
    st.session_state.update({"promo_init": True, "promo_url_warnings": warnings, "f_name": p0.name, "f_text": p0.sector_text, "f_sec": p0.sectors,
                             "f_min": p0.land_min, "f_max": p0.land_max, "f_dist": p0.districts, "f_zone": p0.zones,
                             "f_metro": p0.near_metro, "f_univ": p0.near_university, "f_bonded": p0.in_bonded_zone,
                             "f_pick": picks, "promo_link_picks": list(picks)})


def profile_form(data: PlanData, labels: Labels, sectors: list[str], lang: str) -> FirmProfile:
    """The firm's profile: name, business, sectors, land need, preferred places and wishes."""
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    c1, c2, c3 = st.columns([2, 2, 1])
    c1.text_input(t("promo_firm"), key="f_name", **KEEP)
    c1.text_input(t("promo_sector_text"), key="f_text", placeholder=t("promo_sector_hint"), **KEEP)
    zone_ids = list(data.zones.sort_values(["layer_id", "zone_id"]).zone_id)
    for key, param, options in (("f_sec", "fsec", sectors), ("f_dist", "fdist", labels.area_keys()),
                                ("f_zone", "fzone", zone_ids)):
        for v in choices.unknown(key, options):  # a link naming what does not exist: said, then dropped
            notice.warning(i18n.t("url_bad_item", lang, param=param, value=str(v)[:60]))
    for key, values in st.session_state.get("promo_url_warnings", []):
        notice.warning(i18n.t(key, lang, **values))
    choices.multiselect(c2, t("promo_sectors"), sectors, key="f_sec", format_func=labels.sector, placeholder="—", **PICK)
    choices.multiselect(c2, t("promo_districts"), labels.area_keys(), key="f_dist", format_func=labels.area, placeholder="—",
                   **PICK)
    choices.multiselect(c2, t("promo_zones"), zone_ids, key="f_zone",
                   format_func=labels.zone, placeholder="—", **PICK)
    lo = c3.number_input(t("promo_mu_min"), min_value=0.0, value=st.session_state["f_min"], step=10.0, key="f_min_in",
                         **KEEP)
    hi = c3.number_input(t("promo_mu_max"), min_value=0.0, value=st.session_state["f_max"], step=10.0, key="f_max_in",
                         **KEEP)
    for key, label in (("f_metro", "promo_near_metro"), ("f_univ", "promo_near_univ"), ("f_bonded", "promo_bonded")):
        c3.checkbox(t(label), key=key, **KEEP)
    s = st.session_state
    return FirmProfile(name=s["f_name"], sector_text=s["f_text"], sectors=choices.values("f_sec", sectors),
                       land_min=lo, land_max=hi, districts=choices.values("f_dist", labels.area_keys()),
                       zones=choices.values("f_zone", zone_ids), near_metro=s["f_metro"],
                       near_university=s["f_univ"], in_bonded_zone=s["f_bonded"])


def ranking(data: PlanData, profile: FirmProfile, lang: str) -> pd.DataFrame:
    """The parcels ranked for the profile; reruns that keep the profile (picks, PDF) reuse it."""
    key = (id(data), repr(profile), lang)
    memo = st.session_state.get("_match_memo")
    if memo is None or memo[0] != key:
        memo = (key, match(data, profile, lang))
        st.session_state["_match_memo"] = memo
    return memo[1]


def results(ranked: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The three best in a line, and the best ten in a table with their reasons.

    Returns
    -------
    pandas.DataFrame
        The best ten, with their ``rank``.
    """
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    name = i18n.col("name", lang)
    st.subheader(t("promo_results"))
    top3 = " · ".join(i18n.t("promo_top", lang, rank=i + 1, name=r[name], score=f"{r.score:.2f}")
                      for i, r in ranked.head(3).iterrows())
    st.markdown(f"<div data-testid='promo-top'>{html.escape(top3)}</div>", unsafe_allow_html=True)
    show = ranked.head(SHOWN).assign(rank=range(1, min(SHOWN, len(ranked)) + 1))
    table = pd.DataFrame({t("promo_rank"): show["rank"], t("promo_id"): show.project_id, t("promo_name"): show[name],
                          t("unit_mu"): show.land_mu, t("promo_score"): show.score.round(2),
                          t("promo_reasons"): show[i18n.col("reasons", lang)]})
    st.dataframe(table, hide_index=True, width="stretch", key="match_table")
    return show


def match_map(data: PlanData, ranked: pd.DataFrame, show: pd.DataFrame, lang: str) -> None:
    """The best parcels on the map, ranked, with the stations and universities around them."""
    best = data.parcels.set_index("parcel_id").loc[show.parcel_id]
    minx, miny, maxx, maxy = best.total_bounds
    context = data.catalogue.context_layer_ids  # data/src/layers.csv "context"
    opts = MapOptions(lang=lang, basemap=basemap.usable(lang), center=((miny + maxy) / 2, (minx + maxx) / 2), zoom=12,
                      show_layers=context)
    cache = st.session_state.setdefault("_promo_base_cache", mapcache.BaseMapCache(mapcache.SHARED))
    base = cache.rendered(data, apply_filter(data, Filter(layouts=context)), opts)  # reruns keeping the ranking reuse it
    pad = 0.03
    layers = [match_layer(data, ranked, opts), poi_layer(data, opts, bounds=(minx - pad, miny - pad, maxx + pad, maxy + pad))]
    leaflet_map(base, key="promo_map", height=560, groups=layers, layer_control=LayerControl(collapsed=True))


def record_sheet(picks: list[str], fmt: str, name: str, body: bytes, lang: str) -> None:
    """Record a fact sheet handed out (the HTML downloaded, the PDF printed) in the audit trail.

    Parameters
    ----------
    picks : list of str
        The project ids on the sheet.
    fmt : {"html", "pdf"}
    name : str
        The file name offered.
    body : bytes
        The sheet (its SHA-256 is recorded).
    lang : {"zh", "en"}
    """
    auth.record("factsheet", {"ids": list(picks), "format": fmt, "lang": lang, "file": name,
                              "sha256": audit.sha256_bytes(body)}, lang)


def fact_sheets(data: PlanData, show: pd.DataFrame, lang: str) -> list[str]:
    """Pick parcels, then download their fact sheet as HTML or PDF; the sheet is shown below.

    Returns
    -------
    list of str
        The picked project ids.
    """
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    names = show.set_index("project_id")[i18n.col("name", lang)]
    for v in st.session_state.pop("promo_link_picks", []):  # the link's picks, once: those not among the parcels shown
        if v not in names.index:
            notice.warning(i18n.t("url_bad_item", lang, param="pick", value=str(v)[:60]))
    st.session_state["f_pick"] = [x for x in st.session_state["f_pick"] if x in names.index] or list(names.index[:1])
    picks = st.multiselect(t("promo_pick"), list(names.index), key="f_pick", format_func=lambda p: f"{p} · {names[p]}",
                           **PICKER)
    if not picks:
        return picks
    for problem in read_contact()[1]:  # a broken contact file is said, the sheets go out without it
        notice.warning(i18n.t("contact_problem", lang, problem=i18n.message(problem, lang)))
    page = _sheet(tuple(picks), lang, data)
    stem = f"factsheet_{'_'.join(picks)}_{lang}"
    body = page.encode("utf-8")
    st.download_button(t("promo_html"), body, file_name=f"{stem}.html", mime="text/html", key="fs_html",
                       on_click=record_sheet, args=(picks, "html", f"{stem}.html", body, lang))
    if st.button(t("promo_pdf"), key="fs_pdf_make"):
        pdf = factsheet.html_to_pdf(page)
        st.session_state["fs_pdf_bytes"] = (tuple(picks), lang, pdf)
        record_sheet(picks, "pdf", f"{stem}.pdf", pdf, lang)
    got = st.session_state.get("fs_pdf_bytes")
    if got and got[0] == tuple(picks) and got[1] == lang:
        st.download_button(t("promo_pdf_dl"), got[2], file_name=f"{stem}.pdf", mime="application/pdf", key="fs_pdf")
    st.iframe(page, height=700)  # our own escaped HTML (factsheet_html), never a user's
    return picks


def page(app: AppData, lang: str) -> None:
    """The promoter page.

    Parameters
    ----------
    app : AppData
    lang : {"zh", "en"}
    """
    data = app.data
    with st.sidebar:
        basemap.picker(lang)
    st.title(i18n.t("promo_title", lang))
    init_from_url()
    profile = profile_form(data, Labels(app, lang), app.sectors, lang)
    ranked = ranking(data, profile, lang)
    if not len(ranked):
        st.info(i18n.t("promo_no_parcels", lang))
        return
    show = results(ranked, lang)
    col_map, col_fs = st.columns([3, 2])
    with col_map:
        match_map(data, ranked, show, lang)
    with col_fs:
        picks = fact_sheets(data, show, lang)
    st.caption(i18n.t("promo_link", lang))
    params = urlstate.profile_to_params(profile, picks, lang)
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)

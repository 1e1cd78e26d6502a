"""The planning map's table, charts, targets and about tabs.

The table, the charts and the targets are fragments (``st.fragment``): their own widgets (a sort, an
indicator pick) rerun only them; a row picked in the table reruns the page, which selects it. Each is
guarded (:func:`ui.guard.guarded`): a failure is one message, not a traceback. The table's CSV download
is written by the snapshots' one CSV writer (:func:`geo.io.export.common.csv_bytes`: no live formulas).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from geo import config, i18n
from geo.core import aggregate
from geo.core.filter import Filter, split_multi
from geo.core.model import PlanData
from geo.io import audit
from geo.io.export.common import csv_bytes, fit_name, safe_name_part
from geo.render import popup
from ui import auth, choices, guard, notice
from ui.data import AppData
from ui.labels import PICKER, Labels, columns

TABLE_COLS = ["project_id", "name", "sector", "sector_group", "zone_name", "district", "function", "land_mu",
              "output_target_yi", "output_per_mu_wan", "target_year", "parcel_geometry_source", "source_doc", "source_ref"]
"""The project table's columns; a bilingual one is named without its suffix (``name`` → ``name_zh``/``name_en``)."""
TARGET_COLS = ["indicator_id", "indicator", "scope_zh", "sector", "unit", "year", "value", "value_text", "value_kind",
               "comparator", "source_ref", "notes"]
HIDDEN = {"zh": frozenset(), "en": frozenset({"scope_zh", "value_text", "source_ref", "quote_zh", "issuer_zh", "doc_number",
                                              "stated_source"})}
"""Chinese text as the plans print it: left out of the English page (Chinese appears there only beside English)."""
SOURCE_COLS = ["source_doc", "title", "issuer_zh", "doc_number", "date_issued", "period", "kind"]
MEASURES = {"land_mu": "land_sum", "output_target_yi": "output_sum", "count": "count"}  # column → i18n key
HIGHLIGHT = "background-color: #fef08a"


def _page_of(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A district-scale selection (10⁵ rows) is paged, not styled and sent whole."""
    size = config.TABLE_PAGE
    if len(rows) <= size:
        return rows
    pages = (len(rows) - 1) // size + 1
    page_no = st.number_input(i18n.t("table_page", lang), min_value=1, max_value=pages, value=1, step=1, key="table_page")
    notice.caption(i18n.t("table_paged", lang, a=(page_no - 1) * size + 1, b=min(page_no * size, len(rows)), n=len(rows)))
    return rows.iloc[(page_no - 1) * size: page_no * size]


def _highlighted(tbl: pd.DataFrame, sel_id: str) -> pd.DataFrame | pd.io.formats.style.Styler:
    """The table with the selected project's row marked (the whole frame at once: a per-row callback
    is 2,000 Python calls per rerun)."""
    on = (tbl.iloc[:, 0] == sel_id).to_numpy()
    if not on.any():
        return tbl
    cells = np.broadcast_to(on[:, None], tbl.shape)
    marks = pd.DataFrame(np.where(cells, HIGHLIGHT, ""), index=tbl.index, columns=tbl.columns)
    return tbl.style.apply(lambda _: marks, axis=None)


def in_language(names: list[str], lang: str, columns: pd.Index) -> list[str]:
    """The columns a table shows in the language: ``name`` → ``name_en``; Chinese-only text left out in English.

    Parameters
    ----------
    names : list of str
        Column names, bilingual ones without their suffix.
    lang : {"zh", "en"}
    columns : pandas.Index
        The frame's columns (a bilingual name is resolved only when the frame has it).

    Returns
    -------
    list of str
    """
    out = []
    for c in names:
        c = i18n.col(c, lang) if i18n.col(c, lang) in columns else c
        if c in columns and c not in HIDDEN[i18n.code(lang)]:
            out.append(c)
    return out


def shown_values(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A table's values in the language: districts, geometry sources, enumerations, curators' notes (only where they
    read in the language).

    Parameters
    ----------
    frame : pandas.DataFrame
    lang : {"zh", "en"}

    Returns
    -------
    pandas.DataFrame
        A copy; other columns as they are.
    """
    out = frame.copy()
    for c in out.columns:
        if c in popup.GEOMETRY_SOURCE_FIELDS or c in popup.VALUE_FIELDS or c in ("value_kind", "action", "layer"):
            out[c] = [popup.value_text(v, c, lang) if c != "value_kind" else i18n.value(c, v, lang) for v in out[c]]
        elif c in popup.FREE_TEXT:
            out[c] = [v if i18n.readable(v, lang) else "" for v in out[c]]
    return out


@st.fragment
@guard.guarded
def table_tab(projects: pd.DataFrame, flt: Filter, lang: str) -> None:
    """The selected projects; picking a row selects the project (map highlight, details)."""
    cols = in_language(TABLE_COLS, lang, projects.columns)
    rows = shown_values(_page_of(projects[cols], lang), lang)
    tbl = rows.rename(columns={c: i18n.label(c, lang) for c in cols})
    event = st.dataframe(_highlighted(tbl, st.session_state["selected"]), width="stretch", hide_index=True, height=520,
                         on_select="rerun", selection_mode="single-row", key="table")
    picked = event.get("selection", {}).get("rows", []) if isinstance(event, dict) else event.selection.rows
    if picked:
        pid = tbl.iloc[picked[0], 0]
        if pid != st.session_state["selected"] and pid != st.session_state.get("table_pick"):
            st.session_state["table_pick"] = pid
            st.session_state["select_request"] = pid  # the page selects it, flies there, shows the map (ui.selection)
            st.rerun()
    name = table_file_name(flt)
    st.download_button(i18n.t("download_csv", lang), lambda: csv_bytes(projects), file_name=name, mime="text/csv",
                       key="table_csv", on_click=record_table_download, args=(projects, flt, name, lang))


def record_table_download(projects: pd.DataFrame, flt: Filter, name: str, lang: str) -> None:
    """Record the project table handed out (a download click) in the audit trail: the file, its filter, its rows
    and its SHA-256 (the same bytes the download sends).

    Parameters
    ----------
    projects : pandas.DataFrame
        The selected projects, as downloaded.
    flt : Filter
    name : str
        The file's name.
    lang : {"zh", "en"}
    """
    auth.record("export", {"file": name, "format": "csv", "table": "projects", "filter": flt.to_dict(),
                           "rows": len(projects), "download": True, "sha256": audit.sha256_bytes(csv_bytes(projects))},
                lang)


def table_file_name(flt: Filter) -> str:
    """The project table's download name: ``projects_<filter>.csv``, within a file system's 255 bytes.

    Parameters
    ----------
    flt : Filter

    Returns
    -------
    str
    """
    room = config.FILE_NAME_MAX_BYTES - len("projects_.csv")
    return f"projects_{fit_name(safe_name_part(flt.summary()) or 'all', room)}.csv"


def _bar_chart(frame: pd.DataFrame, by: str, measure: str, title: str, lang: str, colour: str | None = None) -> None:
    if not len(frame):
        return
    tips = [alt.Tooltip(f"{by}:N", title=title)] + [alt.Tooltip(f"{c}:Q", title=i18n.t(k, lang)) for c, k in MEASURES.items()]
    mark = alt.Chart(frame).mark_bar(color=colour) if colour else alt.Chart(frame).mark_bar()
    st.altair_chart(mark.encode(x=alt.X(f"{measure}:Q", title=None), y=alt.Y(f"{by}:N", sort="-x", title=None),
                                tooltip=tips), width="stretch")


@st.fragment
@guard.guarded
def charts_tab(projects: pd.DataFrame, lang: str) -> None:
    """Sums by sector group and by zone, of the measure picked."""
    measure = choices.radio(st, i18n.t("metric", lang), list(MEASURES), key="chart_measure", horizontal=True,
                            format_func=lambda k: i18n.t(MEASURES[k], lang))
    gcol = i18n.col("sector_group", lang)
    figures = projects[["land_mu", "output_target_yi"]]  # two columns, not a copy of 10⁵ × 40
    first = {v: ((split_multi(v) if isinstance(v, str) else []) or [""])[0] for v in projects[gcol].unique()}
    st.subheader(i18n.t("by_sector", lang))
    by_sector = aggregate.aggregate(figures.assign(group=projects[gcol].map(first)), "group")
    _bar_chart(by_sector, "group", measure, i18n.t("chart_group", lang), lang)
    st.subheader(i18n.t("by_zone", lang))
    bz = aggregate.aggregate(figures.assign(zone=projects[i18n.col("zone_name", lang)]), "zone")
    bz = bz.dropna(subset=[measure]).sort_values(measure, ascending=False).head(25)
    _bar_chart(bz, "zone", measure, i18n.t("zone", lang), lang, colour="#0072B2")


def _targets_chart(tg: pd.DataFrame, lang: str) -> None:
    """Indicators with figures for more than one year, as lines (baseline and target dashed apart)."""
    ind, unit = i18n.col("indicator", lang), i18n.col("unit", lang)
    paired = tg.dropna(subset=["value"])
    multi = paired.groupby("indicator_id").year.nunique()
    chartable = paired[paired.indicator_id.isin(multi[multi > 1].index)]
    if not len(chartable):
        return
    names = sorted(chartable[ind].unique())
    pick = st.multiselect(i18n.t("indicator", lang), names, default=names[:6], key="tind", **PICKER)
    cd = chartable[chartable[ind].isin(pick)]
    cd = cd.assign(series=cd[ind] + " (" + cd[unit].fillna("") + ")")
    if len(cd):
        tips = [alt.Tooltip(c, title=i18n.label(c, lang))
                for c in in_language(["series", "year", "value_text", "value_kind", "source_ref"], lang, cd.columns)]
        st.altair_chart(alt.Chart(cd).mark_line(point=True).encode(
            x=alt.X("year:O", title=None), y=alt.Y("value:Q", title=None), color=alt.Color("series:N", title=None),
            strokeDash=alt.StrokeDash("value_kind:N", title=None), tooltip=tips).properties(height=360), width="stretch")


@st.fragment
@guard.guarded
def targets_tab(data: PlanData, labels: Labels, lang: str) -> None:
    """A plan's indicators: baseline and target figures, charted where there are several years."""
    st.subheader(i18n.t("targets_title", lang))
    tdoc = choices.selectbox(st, i18n.t("plan", lang), list(labels.docs.index), format_func=labels.doc, key="tdoc")
    tg = data.targets[data.targets.source_doc == tdoc]
    en = labels.app.sector_en
    tg = tg.assign(value_kind=tg.value_kind.map(lambda k: i18n.value("value_kind", k, lang)),  # baseline, target
                   sector_en=[";".join(en.get(x, x) for x in v.split(";")) if isinstance(v, str) else v for v in tg.sector_zh])
    _targets_chart(tg, lang)
    cols = in_language(TARGET_COLS, lang, tg.columns)
    shown = shown_values(tg[cols].drop(columns="value_kind"), lang).assign(value_kind=tg.value_kind)
    st.dataframe(shown[cols], width="stretch", hide_index=True, column_config=columns(cols, lang))


def about_tab(app: AppData, lang: str) -> None:
    """Where the plans disagree with themselves, how the geometry was made, the source documents."""
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    st.subheader(t("inconsistencies"))
    checks = pd.DataFrame([{
        "check_id": c.check_id, "check_description": getattr(c, i18n.col("description", lang)),
        "table_sum": i18n.number(c.table_sum), "stated": i18n.number(c.stated),
        "check_result": t("agrees") if c.ok else t("disagrees"), "stated_source": c.stated_source} for c in app.checks],
        columns=["check_id", "check_description", "table_sum", "stated", "check_result", "stated_source"])
    shown = checks[in_language(list(checks.columns), lang, checks.columns)]
    st.dataframe(shown.rename(columns=lambda c: t(c if c != "stated_source" else "check_source")), width="stretch",
                 hide_index=True)
    st.subheader(t("geometry_note"))
    zones = app.data.zones
    geometry = zones.groupby(["geometry_source", "position_confidence"]).size().rename(t("geometry_count")).reset_index()
    geometry["geometry_source"] = geometry.geometry_source.map(lambda s: i18n.geometry_source_label(s, lang))
    geometry["position_confidence"] = geometry.position_confidence.map(
        lambda c: i18n.pick(i18n.STRINGS, f"confidence_{c}", lang, default=c))
    st.dataframe(geometry, hide_index=True, column_config=columns(["geometry_source", "position_confidence"], lang))
    sources = app.data.sources.assign(kind=app.data.sources.kind.map(lambda k: i18n.value("source_kind", k, lang)),
                                      period=app.data.sources.period.map(lambda p: i18n.value("period", p, lang)),
                                      date_issued=app.data.sources.date_issued.map(
                                          lambda d: i18n.value("date_issued", d, lang)))
    cols = in_language(SOURCE_COLS, lang, sources.columns)
    st.dataframe(sources[cols], hide_index=True, width="stretch", column_config=columns(cols, lang))

"""The planning map's export tab: a snapshot of the current selection in a chosen format and CRS,
the saved snapshots (times in Asia/Shanghai), and what changed between two of them. Each snapshot written
is recorded in the audit trail (:func:`ui.auth.record`: format, CRS, filter, file and its SHA-256).

Every message naming a file, a filter or an error is shown literally (:mod:`ui.notice`). The list shows
only well-formed snapshots of the folder (:func:`geo.io.snapshots.scan_snapshots`); each sidecar that is
not is a warning naming it and what is wrong; downloads read through :func:`geo.io.snapshots.snapshot_bytes`,
which checks the file again.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from geo import i18n
from geo.core.filter import Filter
from geo.core.model import PlanData
from geo.io import audit, export, snapshots
from ui import auth, basemap, choices, guard, notice, state
from ui.labels import columns, local_time

RANGE = re.compile(r"(\d*(?:\.\d+)?)-(\d*(?:\.\d+)?)(mu|yi)")
PROBLEMS_SHOWN = 8
"""Unusable sidecars named one by one in the history; the rest are counted in one more warning."""


def crs_title(code: str, lang: str) -> str:
    """A CRS choice: its code and name."""
    return f"{code} · {i18n.pick(i18n.STRINGS, f'crs_name_{code}', lang, default=export.CRS_CHOICES[code])}"


def filter_text(summary: str, lang: str) -> str:
    """A snapshot's filter (:meth:`geo.core.filter.Filter.summary`, a file-name slug) in words: "全部", "100–500 亩"."""
    parts = []
    for part in str(summary).split("_"):
        rng = RANGE.fullmatch(part)
        if part == "all":
            parts.append(i18n.t("all", lang))
        elif rng:
            parts.append(f"{rng[1]}–{rng[2]} {i18n.t('unit_mu' if rng[3] == 'mu' else 'unit_yi', lang)}")
        else:
            parts.append(" + ".join(i18n.geometry_source_label(x, lang) if x in i18n.GEOMETRY_SOURCE_LABELS
                                    else i18n.district_name(x, lang) for x in part.split("+")))
    return i18n.pick(i18n.REASONS, "reason_sep", lang).join(parts)


def _map_view() -> dict[str, Any]:
    """The map as the user left it, for formats that draw one (HTML)."""
    s = st.session_state
    vl = s.get("view_latlon")
    return {"basemap": basemap.chosen(), "thematic": state.thematic(), "center": (vl[0], vl[1]) if vl else s["view_center"],
            "zoom": vl[2] if vl else s["view_zoom"], "tianditu_key": basemap.tianditu_key()}


def record_download(name: str, lang: str) -> None:
    """Record a saved snapshot handed out (a download click) in the audit trail, with the file's SHA-256.

    Parameters
    ----------
    name : str
        The snapshot's file name in the snapshot folder.
    lang : {"zh", "en"}
    """
    path = snapshots.store_dir() / name
    try:
        digest = audit.sha256_file(path)
    except OSError:  # gone or unreadable: the download itself says so; the record keeps the name
        digest = None
    auth.record("export", {"file": name, "download": True, "sha256": digest}, lang)


def make_snapshot(data: PlanData, flt: Filter, lang: str) -> None:
    """Format, CRS and the button that writes the snapshot; then its download."""
    e1, e2, e3 = st.columns([1, 1, 1])
    fmt = choices.selectbox(e1, i18n.t("export_format", lang), list(export.FORMATS), key="exp_fmt",
                            format_func=lambda k: i18n.pick(i18n.STRINGS, f"export_fmt_{k}", lang,
                                                            default=export.FORMAT_LABELS[k]))
    crs = choices.selectbox(e2, i18n.t("export_crs", lang), list(export.CRS_CHOICES), key="exp_crs",
                            format_func=lambda k: crs_title(k, lang))
    if e3.button(i18n.t("export_make", lang), type="primary"):
        try:
            snap = export.export(data, flt, fmt, snapshots.store_dir(), crs=crs, lang=lang, view=_map_view())
            st.session_state["last_snapshot"] = str(snap.path)
            auth.record("export", {"format": fmt, "crs": crs, "filter": flt.to_dict(), "file": snap.path.name,
                                   "sha256": audit.sha256_file(snap.path), "counts": snap.metadata["counts"]}, lang)
        except export.ExportError as err:
            st.session_state.pop("last_snapshot", None)
            notice.error(f"{i18n.t('export_failed', lang)}{i18n.t('colon', lang)}{i18n.message(str(err), lang)}")
    last = st.session_state.get("last_snapshot")
    if last and Path(last).is_file() and not Path(last).is_symlink():
        name = Path(last).name
        notice.success(f"{i18n.t('export_done', lang)}{i18n.t('colon', lang)}{name}")
        st.download_button(i18n.t("download", lang), lambda n=name: snapshots.snapshot_bytes(n), file_name=name,
                           key="dl_last", on_click=record_download, args=(name, lang))


def _compare(hist: pd.DataFrame, lang: str) -> None:
    c1, c2 = st.columns(2)
    a = c1.selectbox(i18n.t("compare_a", lang), list(hist.file), index=1, key="cmp_a")
    b = c2.selectbox(i18n.t("compare_b", lang), list(hist.file), index=0, key="cmp_b")
    if st.button(i18n.t("compare", lang)):
        try:
            diff = snapshots.compare(hist[hist.file == a].path.iloc[0], hist[hist.file == b].path.iloc[0])
        except export.ExportError as err:
            notice.error(f"{i18n.t('compare_failed', lang)}{i18n.t('colon', lang)}{i18n.message(str(err), lang)}")
            return
        if len(diff):
            diff = diff.assign(change=[i18n.value("change", c, lang) for c in diff.change],
                               layer=[i18n.value("layer", x, lang) for x in diff.layer])
            st.dataframe(diff, hide_index=True, width="stretch", column_config=columns(diff.columns, lang))
        else:
            notice.info(i18n.t("no_differences", lang))


def history(lang: str) -> None:
    """The saved snapshots: list, download one, compare two; each unusable sidecar a warning naming it."""
    st.subheader(i18n.t("history", lang))
    hist, problems = snapshots.scan_snapshots()
    for p in problems[:PROBLEMS_SHOWN]:
        notice.warning(i18n.t("snapshot_skipped", lang, file=p.sidecar, why=i18n.message(p.why, lang)))
    if len(problems) > PROBLEMS_SHOWN:  # a folder of crafted sidecars is one more line, not a page of them
        notice.warning(i18n.t("snapshot_skipped_more", lang, n=len(problems) - PROBLEMS_SHOWN))
    if not len(hist):
        notice.caption(i18n.t("history_empty", lang))
        return
    shown = hist.drop(columns=["path"]).assign(
        created=local_time(hist.created), crs=[crs_title(c, lang) if c in export.CRS_CHOICES else c for c in hist.crs],
        format=[i18n.pick(i18n.STRINGS, f"export_fmt_{k}", lang, default=k) for k in hist.format],
        filter=[filter_text(f, lang) for f in hist["filter"]])
    st.dataframe(shown, hide_index=True, width="stretch", column_config=columns(shown.columns, lang))
    pick = st.selectbox(i18n.t("history_pick", lang), list(hist.file), key="hist_pick")
    row = hist[hist.file == pick].iloc[0]
    st.download_button(i18n.t("download", lang), lambda n=row.file: snapshots.snapshot_bytes(n), file_name=row.file,
                       key="dl_hist", on_click=record_download, args=(row.file, lang))
    if len(hist) > 1:
        _compare(hist, lang)


@guard.guarded
def export_tab(data: PlanData, flt: Filter, lang: str) -> None:
    """The export tab.

    Parameters
    ----------
    data : PlanData
    flt : Filter
        The selection the map shows; the snapshot holds exactly it.
    lang : {"zh", "en"}
    """
    st.subheader(i18n.t("export_title", lang))
    notice.caption(i18n.t("export_hint", lang))
    make_snapshot(data, flt, lang)
    history(lang)

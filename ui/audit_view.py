"""审计日志 / the audit trail page (URL ``/audit``, ``admin`` only): is the chain intact, the records (times in
Asia/Shanghai) from a date, and downloads of the log as stored (JSON Lines with the hash chain) and of the
records shown (CSV).

The log is read through :func:`geo.io.audit.open_audit`; a damaged line is a warning naming it, never a failure.
Every value reaches the page as table cells or through :mod:`ui.notice` (escaped).
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import streamlit as st

from geo import i18n
from geo.io import audit
from geo.io.export.common import csv_bytes
from ui import auth, notice
from ui.data import AppData
from ui.labels import columns, local_time

SHOWN = ["seq", "when", "who", "verified", "action", "client", "details"]


def problem_text(p: audit.Problem, lang: str) -> str:
    """A break of the chain or a damaged line in the language.

    Parameters
    ----------
    p : geo.io.audit.Problem
    lang : {"zh", "en"}

    Returns
    -------
    str
    """
    why = i18n.t(f"audit_problem_{p.kind}", lang, expected=p.expected)
    rec = i18n.t("audit_record", lang, seq=p.seq) if p.seq is not None else ""
    return i18n.t("audit_broken", lang, line=p.line, record=rec, why=why)


def details_text(details: object, lang: str) -> str:
    """A record's details as ``label: value`` pairs in the language (ids and hashes as they are).

    Parameters
    ----------
    details : object
        The record's ``details`` (a dict when well formed).
    lang : {"zh", "en"}

    Returns
    -------
    str
    """
    if not isinstance(details, dict):
        return str(details)
    parts = []
    for k, v in details.items():
        if k in ("via", "layer"):
            v = i18n.value(k, v, lang)
        elif k == "source" and isinstance(v, str):
            v = i18n.geometry_source_label(v, lang)
        elif k == "filter" and isinstance(v, dict):
            v = {i18n.label(fk, lang): fv for fk, fv in v.items() if fv not in ([], "", [None, None], None)}
        elif k == "roles" and isinstance(v, list):
            v = [i18n.t(f"role_{r}", lang) for r in v]
        text = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
        parts.append(f"{i18n.label(k, lang)}{i18n.t('colon', lang)}{text}")
    return i18n.pick(i18n.REASONS, "reason_sep", lang).join(parts)


def table(records: list[dict], lang: str) -> pd.DataFrame:
    """The records as a table in the language (newest first).

    Parameters
    ----------
    records : list of dict
    lang : {"zh", "en"}

    Returns
    -------
    pandas.DataFrame
    """
    t = pd.DataFrame(records, columns=audit.FIELDS)[SHOWN].iloc[::-1]
    return t.assign(when=local_time(t["when"]), action=[i18n.value("action", a, lang) for a in t.action],
                    verified=[i18n.t("audit_verified_yes" if v else "audit_verified_no", lang) for v in t.verified],
                    details=[details_text(d, lang) for d in t.details], client=t.client.fillna("—"))


def chain_status(log: audit.AuditLog, n: int, lang: str) -> None:
    """Whether the chain holds (a success), else where it breaks (an error)."""
    problems = log.verify()
    if problems:
        for p in problems:
            notice.error(problem_text(p, lang))
    else:
        notice.success(i18n.t("audit_ok", lang, n=n))


def page(app: AppData, lang: str) -> None:
    """The audit trail page.

    Parameters
    ----------
    app : AppData
    lang : {"zh", "en"}
    """
    st.title(i18n.t("audit_title", lang))
    notice.caption(i18n.t("audit_hint", lang))
    log = audit.open_audit()
    records, damaged = log.read()
    chain_status(log, len(records), lang)
    for p in damaged[1:]:
        notice.warning(problem_text(p, lang))
    if not records:
        notice.caption(i18n.t("audit_empty", lang))
        return
    start = st.date_input(i18n.t("audit_since", lang), value=None, key="audit_since")
    shown = audit.since(records, dt.datetime.combine(start, dt.time()) if start else None)
    t = table(shown, lang)
    st.dataframe(t, hide_index=True, width="stretch", key="audit_table", column_config=columns(t.columns, lang))
    c1, c2 = st.columns(2)
    body, table_csv = log.export_bytes(), csv_bytes(t)
    c1.download_button(i18n.t("audit_download_jsonl", lang), body, file_name="audit.jsonl",
                       mime="application/jsonl", key="audit_dl_jsonl", on_click=record_download,
                       args=("jsonl", body, len(records), lang))
    c2.download_button(i18n.t("audit_download_csv", lang), table_csv, file_name="audit.csv", mime="text/csv",
                       key="audit_dl_csv", on_click=record_download, args=("csv", table_csv, len(shown), lang))


def record_download(fmt: str, body: bytes, n: int, lang: str) -> None:
    """The audit trail handed out is itself recorded (an export of the log: format, records, SHA-256).

    Parameters
    ----------
    fmt : {"jsonl", "csv"}
    body : bytes
    n : int
        Records in it.
    lang : {"zh", "en"}
    """
    auth.record("export", {"file": f"audit.{fmt}", "format": fmt, "records": n, "sha256": audit.sha256_bytes(body)},
                lang)

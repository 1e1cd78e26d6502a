"""How the pages name things in the current language: plans, layers, zones, sectors, table columns."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
import streamlit as st

from geo import i18n
from ui.data import AppData

PICKER: dict = {"select_all": False}
"""Every multiselect's options: Streamlit's bulk "Select all" entry speaks English only, so it is off."""


class Labels:
    """Option labels of the filters and pickers, in one language.

    Parameters
    ----------
    app : AppData
    lang : str
    """

    def __init__(self, app: AppData, lang: str) -> None:
        self.app, self.lang = app, lang
        self.docs = app.data.sources.set_index("source_doc")
        self.layers = {x["layer_id"]: x for x in app.data.layers if x["layer_id"] != "districts"}
        self.zone_names = dict(zip(app.data.zones.zone_id, zip(app.data.zones.name_zh, app.data.zones.name_en)))
        self.groups = set(app.groups)
        self._areas: dict[str, str] | None = None

    def area_keys(self) -> list[str]:
        """The district filter's options: districts (by Chinese name) then functional areas (by id)."""
        if self._areas is None:
            rows = self.app.data.area_summary.sort_values(["kind", "area_id"])
            self._areas = {}
            for r in rows.itertuples():
                if r.kind == "district":
                    self._areas[r.name_zh] = i18n.district_name(r.name_zh, self.lang)
                else:
                    name = getattr(r, i18n.col("name", self.lang)) or r.name_zh
                    self._areas[r.area_id] = f"{name} · {i18n.t('area_functional', self.lang)}"
        return list(self._areas)

    def area(self, key: str) -> str:
        """A district or functional area (marked as such) by its key of :meth:`area_keys`."""
        if self._areas is None:
            self.area_keys()
        return self._areas.get(key, key)

    def doc(self, d: str) -> str:
        """A plan: its code and title."""
        return f"{d} · {self.docs.loc[d, i18n.col('title', self.lang)]}"

    def layer(self, lid: str) -> str:
        """A spatial layout (zone layer) by its title."""
        return self.layers[lid][i18n.col("title", self.lang)]

    def zone(self, z: str) -> str:
        """A zone or town: its name (in English, followed by the Chinese name)."""
        zh, en = self.zone_names[z]  # a dict, not a frame lookup: the zone picker names ~400 options per run
        return i18n.t("zone_option", self.lang, zh=zh, en=en)

    def sector(self, s: str) -> str:
        """A sector or sector group (▣ marks a group)."""
        mark = "▣" if s in self.groups else "·"
        return i18n.t("sector_option", self.lang, mark=mark, zh=s, en=self.app.sector_en.get(s, s))


def columns(names: Iterable[str], lang: str) -> dict[str, Any]:
    """``column_config`` naming a table's columns in the language (the data keeps its column names).

    Parameters
    ----------
    names : iterable of str
        Column names.
    lang : str

    Returns
    -------
    dict
        Column name → ``st.column_config.Column`` with the column's label.
    """
    return {c: st.column_config.Column(i18n.label(c, lang)) for c in names}


TIMEZONE = "Asia/Shanghai"
"""Times are shown in China Standard Time, whatever the server's zone."""


def local_time(values: pd.Series) -> pd.Series:
    """ISO timestamps (with their offsets) as ``YYYY-MM-DD HH:MM:SS`` in :data:`TIMEZONE`; unreadable ones stay as they are.

    Parameters
    ----------
    values : pandas.Series
        ISO 8601 strings.

    Returns
    -------
    pandas.Series
    """
    stamps = pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601")
    shown = stamps.dt.tz_convert(TIMEZONE).dt.strftime("%Y-%m-%d %H:%M:%S")
    return shown.where(stamps.notna(), values)

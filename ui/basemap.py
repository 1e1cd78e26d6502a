"""The basemap picker every page has, and the Tianditu key (Streamlit secrets, else geo.config)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from geo import i18n
from geo.render import basemaps
from ui import choices


def _secrets() -> dict[str, Any]:
    try:
        return dict(st.secrets)
    except Exception:  # no secrets.toml: the key may still come from the settings
        return {}


def tianditu_key() -> str:
    """Tianditu's ``tk``: ``tianditu_key`` in Streamlit secrets, else ``geo.config.settings().tianditu_key``."""
    return basemaps.tianditu_key(_secrets())


def picker(lang: str) -> None:
    """The basemap selectbox (session state ``basemap``; kept across pages and language switches)."""
    choices.selectbox(st, i18n.t("basemap", lang), list(basemaps.BASEMAPS), key="basemap", persist_state="session",
                      format_func=lambda b: basemaps.title(b, lang))


def chosen() -> str:
    """The basemap key the picker holds (:func:`ui.choices.value`)."""
    return choices.value("basemap", list(basemaps.BASEMAPS), basemaps.DEFAULT)


def usable(lang: str, warn: bool = False) -> str:
    """The chosen basemap, or "none" when it needs a Tianditu key and there is none.

    Parameters
    ----------
    lang : str
    warn : bool, default False
        Say so on the page when the choice falls back to "none".

    Returns
    -------
    str
    """
    bm = chosen()
    if basemaps.BASEMAPS[bm].needs_key and not tianditu_key():
        if warn:
            st.warning(i18n.t("tianditu_needs_key", lang))
        return "none"
    return bm

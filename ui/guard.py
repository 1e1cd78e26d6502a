"""The last guard of a page or fragment: an unexpected failure is one message in the page's language, not a
traceback.

Streamlit would print the exception with its traceback in the page. :func:`guarded` shows what failed (the
exception's kind and message, as text) and writes the traceback to the server's log for the maintainers;
Streamlit's own control flow (``st.rerun``, ``st.stop``, ``st.switch_page``) passes through.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from geo import i18n
from ui import notice

P = ParamSpec("P")
R = TypeVar("R")
LOG = logging.getLogger("scimap")


def guarded(fn: Callable[P, R]) -> Callable[P, R | None]:
    """Run ``fn``; an exception it raises is logged and shown as a message (``page_failed``).

    Parameters
    ----------
    fn : callable
        A page or a fragment.

    Returns
    -------
    callable
        Returns what ``fn`` returns, or None after a failure.
    """
    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return fn(*args, **kwargs)
        except ScriptControlException:
            raise
        except Exception as err:  # noqa: BLE001 — the last guard
            LOG.exception("%s failed", getattr(fn, "__qualname__", fn))
            lang = st.session_state.get("lang", "zh")
            notice.error(i18n.t("page_failed", lang, what=type(err).__name__, why=str(err)[:300]))
            return None
    return run

"""Pickers whose option labels follow the page's language, made safe across a language switch.

Streamlit sends a selectbox's, radio's or multiselect's value as the *label* of the option; the
server maps the label back to the option with the labels of the current run. Right after a language
switch the browser can still send a label in the old language (a rerun of the map fragment, another
widget's change), and Streamlit then hands the label text itself to the script as the value (a basemap
called "无底图（离线 / 内网）" instead of "none"). These wrappers remember every label an option was
shown with, in any language, and read such a value back as its option: before the widget is drawn
(the widget then shows the right choice) and when the value is read outside the widget's run
(:func:`value`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

LABELS_PREFIX = "_labels_"


def _remember(key: str, options: Sequence[Any], format_func: Callable[[Any], str]) -> None:
    seen = st.session_state.setdefault(LABELS_PREFIX + key, {})
    for o in options:
        seen[str(format_func(o))] = o


def value(key: str, options: Sequence[Any], default: Any = None) -> Any:
    """The option a single-choice picker holds (a label read back as its option; unknown: ``default``).

    Parameters
    ----------
    key : str
        The widget's key.
    options : sequence
    default : optional
        Returned for a value that is neither an option nor a label of one (default: the first option).

    Returns
    -------
    object
    """
    v = st.session_state.get(key)
    if v in options:
        return v
    seen = st.session_state.get(LABELS_PREFIX + key, {})
    if isinstance(v, str) and seen.get(v) in options:
        return seen[v]
    return default if default is not None else (options[0] if len(options) else None)


def values(key: str, options: Sequence[Any]) -> list[Any]:
    """The options a multiselect holds, labels read back as their options, unknown values dropped.

    Parameters
    ----------
    key : str
    options : sequence

    Returns
    -------
    list
    """
    seen = st.session_state.get(LABELS_PREFIX + key, {})
    out = []
    for v in st.session_state.get(key) or []:
        o = v if v in options else seen.get(v) if isinstance(v, str) else None
        if o in options and o not in out:
            out.append(o)
    return out


def unknown(key: str, options: Sequence[Any]) -> list[Any]:
    """The values a multiselect holds that are neither options nor labels of one (a link's typo): they
    are dropped when the widget is drawn; the page says so.

    Parameters
    ----------
    key : str
    options : sequence

    Returns
    -------
    list
    """
    seen = st.session_state.get(LABELS_PREFIX + key, {})
    held = st.session_state.get(key) or []
    return [v for v in held if v not in options and not (isinstance(v, str) and seen.get(v) in options)]


def _settle(key: str, fixed: Any) -> None:
    if key in st.session_state and st.session_state[key] != fixed:
        st.session_state[key] = fixed


def _single(widget: Callable[..., Any], label: str, options: Sequence[Any], key: str,
            format_func: Callable[[Any], str], **kwargs: Any) -> Any:
    _settle(key, value(key, options) if st.session_state.get(key) is not None else None)
    out = widget(label, options, key=key, format_func=format_func, **kwargs)
    _remember(key, options, format_func)
    return out if out in options or out is None else value(key, options)


def selectbox(where: Any, label: str, options: Sequence[Any], key: str, format_func: Callable[[Any], str],
              **kwargs: Any) -> Any:
    """``where.selectbox`` (``where``: ``st``, a column, the sidebar) that survives a language switch.

    Parameters
    ----------
    where : streamlit container
    label : str
    options : sequence
    key : str
    format_func : callable
        The option's label in the page's language.
    **kwargs
        Passed on.

    Returns
    -------
    object
        The chosen option.
    """
    return _single(where.selectbox, label, options, key, format_func, **kwargs)


def radio(where: Any, label: str, options: Sequence[Any], key: str, format_func: Callable[[Any], str],
          **kwargs: Any) -> Any:
    """``where.radio`` that survives a language switch (as :func:`selectbox`)."""
    return _single(where.radio, label, options, key, format_func, **kwargs)


def segmented(where: Any, label: str, options: Sequence[Any], key: str, format_func: Callable[[Any], str],
              **kwargs: Any) -> Any:
    """``where.segmented_control`` (single choice) that survives a language switch; None when unselected."""
    return _single(where.segmented_control, label, options, key, format_func, selection_mode="single", **kwargs)


def multiselect(where: Any, label: str, options: Sequence[Any], key: str, format_func: Callable[[Any], str],
                **kwargs: Any) -> list[Any]:
    """``where.multiselect`` that survives a language switch (labels read back, unknown values dropped).

    Parameters
    ----------
    where : streamlit container
    label : str
    options : sequence
    key : str
    format_func : callable
    **kwargs
        Passed on.

    Returns
    -------
    list
        The chosen options.
    """
    _settle(key, values(key, options))
    where.multiselect(label, options, key=key, format_func=format_func, **kwargs)
    _remember(key, options, format_func)
    return values(key, options)

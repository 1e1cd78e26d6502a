"""Messages on the page that show their text as it is: Streamlit's boxes with the text Markdown-escaped.

Every message that may carry a file name, a URL parameter, an id or an error text goes through here
(:func:`geo.render.markup.md`), so nothing in it is read as a link, an image, a colour or maths.
The texts of ``geo.i18n`` are plain, so the whole message is escaped.
"""

from __future__ import annotations

import streamlit as st

from geo.render.markup import md


def error(text: object) -> None:
    """An error box showing ``text`` literally."""
    st.error(md(text))


def warning(text: object) -> None:
    """A warning box showing ``text`` literally."""
    st.warning(md(text))


def info(text: object) -> None:
    """An information box showing ``text`` literally."""
    st.info(md(text))


def success(text: object) -> None:
    """A success box showing ``text`` literally."""
    st.success(md(text))


def caption(text: object) -> None:
    """A caption showing ``text`` literally."""
    st.caption(md(text))

"""Text that reaches Markdown or HTML stays text: the one escaping rule for user- and file-controlled values.

Streamlit renders messages (``st.error``, ``st.warning``, ``st.caption`` …) as Markdown with its own
extensions (``:red[…]`` colours, ``:material/…:`` icons, ``$…$`` maths, bare URLs as links); Leaflet's
layer control and folium's tooltips write names as HTML. A file name, a URL parameter or a layer title
passed through :func:`md` or :func:`html` is shown as the characters it is, never as markup.
"""

from __future__ import annotations

import html as _html
import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&\"'=^%@/])")
"""ASCII punctuation CommonMark may read as markup, plus ``:`` (shortcodes, autolinks), ``$`` (maths)
and ``@``/``/`` (autolinked e-mail addresses and URLs); every one may be backslash-escaped."""
_AUTOLINK = re.compile(r"(?i)(:(?=//)|www(?=\.)|@)")
"""Where GitHub-flavoured Markdown starts a link by itself (``http://``, ``www.``, ``a@b.cn``): escapes do not
stop it, a zero-width space there does."""
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
"""Control characters and bidirectional overrides, which would make a shown name lie about itself."""


def plain(text: object) -> str:
    """A value as one line of visible text: control and bidi-override characters removed, newlines as spaces.

    Parameters
    ----------
    text : object
        ``None`` is "".

    Returns
    -------
    str
    """
    s = "" if text is None else str(text)
    s = s.encode("utf-8", "replace").decode("utf-8")  # lone surrogates (undecodable file names) → "?"
    return _CONTROL.sub("", s.replace("\r\n", " ").replace("\n", " ").replace("\r", " "))


def md(text: object) -> str:
    """Escape a value for Streamlit Markdown so that it renders as the literal characters.

    Parameters
    ----------
    text : object

    Returns
    -------
    str
        Every Markdown-significant character backslash-escaped, and a zero-width space around the
        ``:`` of ``http://``, after ``www`` and around ``@``, so that no link, image, colour, icon or
        formula is made of it.
    """
    unlinked = _AUTOLINK.sub(lambda m: f"\u200b{m[1]}\u200b", plain(text))
    return _MD_SPECIAL.sub(r"\\\1", unlinked)


def html(text: object) -> str:
    """Escape a value for HTML text or an attribute (quotes included).

    Parameters
    ----------
    text : object

    Returns
    -------
    str
    """
    return _html.escape(plain(text), quote=True)


def html_table(columns: list[str], rows: list[list[object]]) -> str:
    """An HTML table whose header and cells are all escaped (:func:`html`): values read as the characters they are.

    Parameters
    ----------
    columns : list of str
        Header labels.
    rows : list of list
        Cell values, one list per row (None shows as empty).

    Returns
    -------
    str
    """
    head = "".join(f"<th style='text-align:left;padding:2px 8px'>{html(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td style='padding:2px 8px'>{html('' if v is None else v)}</td>" for v in r) + "</tr>"
                   for r in rows)
    return f"<table style='font-size:13px;border-collapse:collapse'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

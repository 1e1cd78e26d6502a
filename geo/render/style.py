"""Styles shared by the map and the exports: sector colours, precision line styles, classes, legends.

One fixed style per category (sector group, thematic class) keeps Leaflet fast: a per-feature
style function would become a giant JavaScript switch.
"""

from __future__ import annotations

import re

import numpy as np

from geo import i18n
from geo.core.tiling import classify  # noqa: F401 — the map's classes (one definition, in core)
from geo.render import markup

# Planner's sector groups (data/src/sectors.csv) → colour (Okabe–Ito based, distinct on light tiles)
SECTOR_GROUP_COLOURS = {
    "研发孵化": "#0072B2",
    "软件信息": "#009E73",
    "检验检测": "#D55E00",
    "数字文创": "#CC79A7",
    "科技金融": "#E69F00",
    "数字经济与数据": "#56B4E9",
    "先进制造与新兴产业": "#8C564B",
    "生物医药与大健康": "#2CA02C",
    "商务与专业服务": "#7F7F7F",
    "物流与开放": "#17BECF",
    "科技创新体系": "#9467BD",
    "农业": "#BCBD22",
    "综合": "#444444",
}
SEQUENTIAL = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"]
NO_DATA = "#d1d5db"
PRECISE_SOURCES = ("surveyed", "digitised")  # drawn solid; schematic and gazetteer geometry dashed
FALLBACK_COLOUR = "#444444"
BORDERS = frozenset({"solid", "dashed", "dotted"})
_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|(?:rgb|hsl)a?\([0-9.,%\s]{1,40}\)")


def css_colour(value: object, fallback: str = FALLBACK_COLOUR) -> str:
    """A colour from the data as it may go into a style: a hex, a colour name or ``rgb()``/``hsl()`` of numbers.

    A layer's colour comes from its manifest; written into an inline style, text such as
    ``red;background:url(//host/x)`` would make the page fetch from elsewhere. Anything that is not a
    plain colour is replaced.

    Parameters
    ----------
    value : object
        The colour as given.
    fallback : str, default FALLBACK_COLOUR

    Returns
    -------
    str
    """
    s = str(value).strip() if isinstance(value, str) else ""
    return s if _COLOUR.fullmatch(s) else fallback


def group_colour(group_zh: str) -> str:
    """The colour of a sector group (the first of a ";"-joined list); grey for an unknown group.

    Parameters
    ----------
    group_zh : str

    Returns
    -------
    str
        A CSS hex colour.
    """
    first = str(group_zh or "").split(";")[0]
    return SECTOR_GROUP_COLOURS.get(first, "#444444")


def stroke(weight: float, canvas: bool) -> float:
    """Polygon outline width.

    On the Canvas renderer (district scale) outlines are hairlines: Skia strokes a 1-px path on its
    fast path, and a 2-px dashed outline made a pan frame at street zoom 2.3× slower (91 → 39 ms with
    1,300 features, bench notes in README).

    Parameters
    ----------
    weight : float
        The width on the SVG renderer.
    canvas : bool
        Whether the map draws on Canvas.

    Returns
    -------
    float
    """
    return min(weight, 1) if canvas else weight


def class_colours(n: int) -> list[str]:
    """``n`` colours of the sequential ramp, light to dark.

    Parameters
    ----------
    n : int

    Returns
    -------
    list of str
    """
    if n <= 0:
        return []
    if n == 1:
        return [SEQUENTIAL[3]]
    pick = np.linspace(0, len(SEQUENTIAL) - 1, n).round().astype(int)
    return [SEQUENTIAL[i] for i in pick]


def legend_html(title: str, rows: list[tuple[str, str, str]]) -> str:
    """A section of the map's legend (:class:`geo.render.elements.legend.Legend`); everything is escaped.

    Parameters
    ----------
    title : str
    rows : list of (str, str, str)
        (colour, label, CSS border style) per row.

    Returns
    -------
    str
    """
    items = "".join(
        f'<div style="display:flex;align-items:center;gap:6px;margin:2px 0">'
        f'<span style="display:inline-block;width:14px;height:14px;background:{markup.html(css_colour(c))};'
        f'border:2px {markup.html(b if b in BORDERS else "solid")} #333;opacity:.85"></span>{markup.html(lbl)}</div>'
        for c, lbl, b in rows
    )
    return f'<div class="scimap-legend-section" style="margin-top:5px"><b>{markup.html(title)}</b>{items}</div>'


def class_rows(bins: list[float], digits: int) -> list[tuple[str, str, str]]:
    """Legend rows of classes by their upper bounds: "≤ a", "a – b", … with the ramp's colours.

    Parameters
    ----------
    bins : list of float
        Upper bounds (:func:`classify`).
    digits : int
        Decimals shown.

    Returns
    -------
    list of (str, str, str)
    """
    rows, lo = [], None
    for c, hi in zip(class_colours(len(bins)), bins, strict=False):
        label = f"≤ {i18n.number(hi, digits)}" if lo is None else f"{i18n.number(lo, digits)} – {i18n.number(hi, digits)}"
        rows.append((c, label, "solid"))
        lo = hi
    return rows

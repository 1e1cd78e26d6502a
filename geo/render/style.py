"""Styles shared by the map and the exports: sector colours, precision line styles, classes.

One fixed style per category (sector group, thematic class) keeps Leaflet fast: a per-feature
style function would become a giant JavaScript switch.
"""

from __future__ import annotations

import html
import math

import mapclassify
import numpy as np

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


def group_colour(group_zh: str) -> str:
    first = str(group_zh or "").split(";")[0]
    return SECTOR_GROUP_COLOURS.get(first, "#444444")


def outline(geometry_source: str) -> dict:
    """Approximate geometry is dashed, surveyed/digitised solid: the map says how sure it is."""
    if geometry_source in ("surveyed", "digitised"):
        return {"dashArray": None}
    return {"dashArray": "6 4"}


def classify(values, k: int = 5, scheme: str = "NaturalBreaks") -> tuple[np.ndarray, list[float]]:
    """Class index per value (-1 for missing) and the upper bounds of the classes."""
    v = np.asarray(values, dtype=float)
    ok = ~np.isnan(v)
    idx = np.full(len(v), -1)
    uniq = np.unique(v[ok])
    if len(uniq) == 0:
        return idx, []
    k = int(min(k, len(uniq)))
    if k < 2:
        idx[ok] = 0
        return idx, [float(uniq.max())]
    cls = getattr(mapclassify, scheme)(v[ok], k=k) if scheme != "Quantiles" else mapclassify.Quantiles(v[ok], k=k)
    idx[ok] = cls.yb
    return idx, [float(b) for b in cls.bins]


def class_colours(n: int) -> list[str]:
    if n <= 0:
        return []
    if n == 1:
        return [SEQUENTIAL[3]]
    pick = np.linspace(0, len(SEQUENTIAL) - 1, n).round().astype(int)
    return [SEQUENTIAL[i] for i in pick]


def fmt(x: float, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{x:,.0f}"


def legend_html(title: str, rows: list[tuple[str, str, str]]) -> str:
    """rows: (colour, label, css border style). Everything is escaped."""
    items = "".join(
        f'<div style="display:flex;align-items:center;gap:6px;margin:2px 0">'
        f'<span style="display:inline-block;width:14px;height:14px;background:{html.escape(c)};'
        f'border:2px {html.escape(b)} #333;opacity:.85"></span>{html.escape(lbl)}</div>'
        for c, lbl, b in rows
    )
    return (f'<div class="scimap-legend" style="background:rgba(255,255,255,.92);padding:6px 9px;'
            f'border-radius:4px;font:12px/1.35 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:260px">'
            f'<b>{html.escape(title)}</b>{items}</div>')

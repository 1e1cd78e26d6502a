"""The base section of the map's legend: each plan layer drawn (its colour, line and title), the district
boundaries, the line styles of geometry precision, zones shown at their parent, thematic classes.

Swatches are small inline SVGs drawn with the map's own styles; every text is escaped.
"""

from __future__ import annotations

from typing import Any

import folium

from geo import i18n
from geo.render import markup, style

NEUTRAL = "#374151"


def swatch(shape: str, colour: str, dash: str | None = None, fill_opacity: float = 0.25) -> str:
    """An inline SVG of a map style.

    Parameters
    ----------
    shape : {"area", "line", "point"}
    colour : str
        CSS colour; anything but a plain colour (:func:`geo.render.style.css_colour`) is drawn grey.
    dash : str, optional
        SVG/Leaflet dash array ("6 4").
    fill_opacity : float, default 0.25
        Of an area.

    Returns
    -------
    str
    """
    c = markup.html(style.css_colour(colour))
    d = f' stroke-dasharray="{markup.html(dash)}"' if dash else ""
    if shape == "line":
        body = f'<line x1="1" y1="7" x2="29" y2="7" stroke="{c}" stroke-width="4"{d}/>'
    elif shape == "point":
        body = f'<circle cx="15" cy="7" r="5" fill="#fff" stroke="{c}" stroke-width="2"{d}/>'
    else:
        body = (f'<rect x="2" y="2" width="26" height="10" fill="{c}" fill-opacity="{fill_opacity:g}" '
                f'stroke="{c}" stroke-width="2"{d}/>')
    return f'<svg width="30" height="14" style="flex:none" aria-hidden="true">{body}</svg>'


def row(mark: str, text: str, group: folium.FeatureGroup | None = None) -> str:
    """One legend row: a swatch and its escaped text, tied to a layer's visibility when ``group`` is given.

    Parameters
    ----------
    mark : str
        The swatch (:func:`swatch`).
    text : str
        Plain text.
    group : folium.FeatureGroup, optional

    Returns
    -------
    str
    """
    tie = f' data-scimap-group="{markup.html(group.get_name())}"' if group is not None else ""
    return (f'<div class="scimap-legend-row"{tie} style="display:flex;align-items:center;gap:6px;margin:2px 0">'
            f'{mark}<span>{markup.html(text)}</span></div>')


def section(title: str, rows: list[str]) -> str:
    """A titled block of rows ("" when there is no row).

    Parameters
    ----------
    title : str
        Plain text.
    rows : list of str
        :func:`row` outputs.

    Returns
    -------
    str
    """
    if not rows:
        return ""
    return f'<div class="scimap-legend-section" style="margin-top:5px"><b>{markup.html(title)}</b>{"".join(rows)}</div>'


def layer_row(layer: dict[str, Any], group: folium.FeatureGroup, lang: str) -> str:
    """The row of one plan layer: its colour drawn as the map draws it, its title.

    Parameters
    ----------
    layer : dict
        The manifest entry (``kind``, titles, ``default_style``).
    group : folium.FeatureGroup
    lang : {"zh", "en"}

    Returns
    -------
    str
    """
    look = layer["default_style"]
    if layer.get("kind") == "line":
        mark = swatch("line", look["color"], "10 6")
    else:
        mark = swatch("area", look["color"], "6 4", 0.0 if layer["layer_id"] == "towns" else 0.25)
    return row(mark, str(layer[i18n.col("title", lang)]), group)


def base_legend(layers: list[tuple[dict[str, Any] | None, folium.FeatureGroup]], districts: folium.FeatureGroup | None,
                district_title: str, thematic_html: str, at_parent: bool, lang: str) -> str:
    """The base section: plan layers, district boundaries, line styles, zones at their parent, thematic classes.

    Parameters
    ----------
    layers : list of (dict or None, folium.FeatureGroup)
        :func:`geo.render.layers.zones.zone_layers` (None: the hidden group of unlocated zones).
    districts : folium.FeatureGroup, optional
    district_title : str
    thematic_html : str
        The thematic classes' section ("" for none).
    at_parent : bool
        Some zones are drawn at their parent's place.
    lang : {"zh", "en"}

    Returns
    -------
    str
    """
    rows = [layer_row(layer, fg, lang) for layer, fg in layers if layer is not None]
    if districts is not None:
        rows.append(row(swatch("line", "#4b5563"), district_title, districts))
    for layer, fg in layers:
        if layer is None:
            rows.append(row(swatch("point", "#6b7280", "2 3"), i18n.t("not_located", lang), fg))
    lines = [row(swatch("area", NEUTRAL, None, 0.1), i18n.pick(i18n.MAP, "legend_solid", lang)),
             row(swatch("area", NEUTRAL, "6 4", 0.1), i18n.pick(i18n.MAP, "legend_dashed", lang))]
    if at_parent:
        lines.append(row(swatch("point", NEUTRAL, "3 3"), i18n.pick(i18n.MAP, "legend_at_parent", lang)))
    return (thematic_html + section(i18n.pick(i18n.MAP, "legend_layers", lang), rows)
            + section(i18n.pick(i18n.MAP, "legend_lines", lang), lines))

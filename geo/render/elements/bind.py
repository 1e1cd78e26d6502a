"""Bind the page's tooltip and (optionally) popup renderer on a GeoJSON layer."""

from __future__ import annotations

from branca.element import MacroElement, Template

POPUP_MAX_WIDTH = 460
POPUP_MAX_HEIGHT = 320  # px: a longer record scrolls inside the popup instead of covering the map


class BindRenderer(MacroElement):
    """Bind tooltip and popup on the GeoJSON layer group, as folium's own GeoJsonTooltip does.

    streamlit-folium reads the clicked feature's tooltip text through that binding; the functions
    are the page's :class:`geo.render.elements.renderer.Renderer`. The popup never pans the map
    (the clicked feature stays where it was) and scrolls past ``POPUP_MAX_HEIGHT``.

    Parameters
    ----------
    popups : bool, default True
        Bind the popup too; without it a click only reports the tooltip (the app's details panel).
    """

    _template = Template("""
    {% macro script(this, kwargs) %}
    {{ this._parent.get_name() }}.bindTooltip(function(l) { return window.scimapTip(l.feature.properties); },
        {sticky: true});
    {% if this.popups %}
    {{ this._parent.get_name() }}.bindPopup(function(l) { return window.scimapPopup(l.feature.properties); },
        {maxWidth: {{ this.max_width }}, maxHeight: {{ this.max_height }}, autoPan: false});
    {% endif %}
    {% endmacro %}
    """)

    def __init__(self, popups: bool = True) -> None:
        super().__init__()
        self._name = "BindRenderer"
        self.popups = popups
        self.max_width = POPUP_MAX_WIDTH
        self.max_height = POPUP_MAX_HEIGHT

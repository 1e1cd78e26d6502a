"""Bind the page's tooltip and popup renderer on a GeoJSON layer."""

from __future__ import annotations

from branca.element import MacroElement, Template


class BindRenderer(MacroElement):
    """Bind tooltip and popup on the GeoJSON layer group, as folium's own GeoJsonTooltip does.

    streamlit-folium reads the clicked feature's tooltip text through that binding; the functions
    are the page's :class:`geo.render.elements.renderer.Renderer`.
    """

    _template = Template("""
    {% macro script(this, kwargs) %}
    {{ this._parent.get_name() }}.bindTooltip(function(l) { return window.scimapTip(l.feature.properties); },
        {sticky: true});
    {{ this._parent.get_name() }}.bindPopup(function(l) { return window.scimapPopup(l.feature.properties); },
        {maxWidth: 460});
    {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "BindRenderer"

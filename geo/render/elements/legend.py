"""A legend control on the map, replaced (not stacked) when a layer with the same key comes again."""

from __future__ import annotations

from typing import Any

import folium
from branca.element import MacroElement, Template

from geo.render import safe_render


@safe_render.guard_class
class Legend(MacroElement):
    """A Leaflet control holding pre-escaped legend HTML.

    It replaces an earlier legend with the same key, so a swapped-in parcel layer brings its own
    legend (st_folium and HTML exports alike).

    Parameters
    ----------
    html_text : str
        Escaped HTML (:func:`geo.render.style.legend_html`); "" removes the legend of that key.
    key : str, default "base"
        Which legend this is (``"base"``: the zones'; ``"parcels"``: the parcel layer's).
    position : str, default "bottomright"
        Leaflet control position.
    """

    _template = Template("""
    {% macro script(this, kwargs) %}
    (function(){
      var key = '__scimapLegend_' + {{ this.key|tojson }};
      if (window[key]) { window[key].remove(); }
      if (!{{ this.html|tojson }}) { return; }
      var c = L.control({position: {{ this.position|tojson }}});
      c.onAdd = function(){ var d = L.DomUtil.create('div'); d.innerHTML = {{ this.html|tojson }};
        L.DomEvent.disableClickPropagation(d); return d; };
      c.addTo({{ this.map_name }});
      window[key] = c;
    })();
    {% endmacro %}
    """)

    def __init__(self, html_text: str, key: str = "base", position: str = "bottomright") -> None:
        super().__init__()
        self._name = "Legend"
        self.html = html_text
        self.key = key
        self.position = position
        self.map_name = ""

    def render(self, **kwargs: Any) -> None:
        """Render into the enclosing map (found through the parents: a feature group's legend too).

        Parameters
        ----------
        **kwargs
            As ``MacroElement.render``.
        """
        el = self._parent
        while el is not None and not isinstance(el, folium.Map):
            el = getattr(el, "_parent", None)
        self.map_name = el.get_name() if el is not None else self._parent.get_name()
        super().render(**kwargs)

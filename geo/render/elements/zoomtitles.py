"""The zoom buttons' tooltips in the page's language (Leaflet writes "Zoom in" / "Zoom out")."""

from __future__ import annotations

from branca.element import MacroElement, Template

from geo.render import safe_render


@safe_render.guard_class
class ZoomTitles(MacroElement):
    """Set the map's zoom control button titles.

    Parameters
    ----------
    zoom_in, zoom_out : str
        The two titles.
    """

    _template = Template("""
    {% macro script(this, kwargs) %}
    (function(){
      var zc = {{ this._parent.get_name() }}.zoomControl;
      if (!zc) return;
      zc._zoomInButton.title = {{ this.zoom_in|tojson }};
      zc._zoomInButton.setAttribute('aria-label', {{ this.zoom_in|tojson }});
      zc._zoomOutButton.title = {{ this.zoom_out|tojson }};
      zc._zoomOutButton.setAttribute('aria-label', {{ this.zoom_out|tojson }});
    })();
    {% endmacro %}
    """)

    def __init__(self, zoom_in: str, zoom_out: str) -> None:
        super().__init__()
        self._name = "ZoomTitles"
        self.zoom_in, self.zoom_out = zoom_in, zoom_out

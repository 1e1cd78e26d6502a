"""The layer control, with every layer's name written as text.

Leaflet's ``L.control.layers`` writes each name with ``innerHTML``, and a layer's name comes from the
data (a manifest title, a plan layer's name, an uploaded layer). This control is the one place where
names reach it: each is HTML-escaped (:func:`geo.render.markup.html`), so ``<img src=x onerror=…>`` is
shown as those characters and runs nothing. Every map of the app and every exported HTML map uses it
(folium's own ``LayerControl`` is not used elsewhere; ``tests/render/test_escaping.py`` checks).
"""

from __future__ import annotations

from typing import Any

import folium
from folium.map import Layer

from geo.render import markup, safe_render


@safe_render.guard_class
class LayerControl(folium.LayerControl):
    """folium's layer control whose base-layer and overlay names are escaped HTML.

    Parameters
    ----------
    **kwargs
        As ``folium.LayerControl`` (``position``, ``collapsed`` …).
    """

    def collect(self) -> None:
        """Fill the base layers and overlays from the parent's layers, each name escaped."""
        self.reset()
        for item in self._parent._children.values():
            if not isinstance(item, Layer) or not item.control:
                continue
            key = markup.html(item.layer_name)
            (self.overlays if item.overlay else self.base_layers)[key] = item.get_name()

    def render(self, **kwargs: Any) -> None:
        """Render into the enclosing map, names escaped (streamlit-folium calls this before it reads the script).

        Parameters
        ----------
        **kwargs
            As ``MacroElement.render``.
        """
        self.collect()
        folium.MacroElement.render(self, **kwargs)

"""The layer control, with every layer's name written as text.

Leaflet's ``L.control.layers`` writes each name with ``innerHTML``, and a layer's name comes from the
data (a manifest title, a plan layer's name, an uploaded layer). This control is the one place where
names reach it: each is HTML-escaped (:func:`geo.render.markup.html`), so ``<img src=x onerror=…>`` is
shown as those characters and runs nothing. The app's maps and exported HTML maps use it, and
:func:`install` (done on import of the package ``geo.render``) gives folium's own ``LayerControl`` the
same rendering, so a page that builds ``folium.LayerControl()`` itself escapes its names too.
"""

from __future__ import annotations

from typing import Any

import folium
from folium.map import Layer

from geo.render import markup, safe_render


def _collect(self: folium.LayerControl) -> None:
    """Fill the control's base layers and overlays from the parent's layers, each name escaped."""
    self.reset()
    for item in self._parent._children.values():
        if not isinstance(item, Layer) or not item.control:
            continue
        key = markup.html(item.layer_name)
        (self.overlays if item.overlay else self.base_layers)[key] = item.get_name()


def _render(self: folium.LayerControl, **kwargs: Any) -> None:
    """Render into the enclosing map, names escaped (streamlit-folium calls this before it reads the script)."""
    _collect(self)
    folium.MacroElement.render(self, **kwargs)


def install() -> None:
    """Make ``folium.LayerControl`` escape its names as :class:`LayerControl` does (idempotent)."""
    if not folium.LayerControl.__dict__.get("_scimap_escaped", False):
        folium.LayerControl.render = _render
        safe_render.guard_class(folium.LayerControl)
        folium.LayerControl._scimap_escaped = True


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
        _collect(self)

    def render(self, **kwargs: Any) -> None:
        """Render into the enclosing map, names escaped (streamlit-folium calls this before it reads the script).

        Parameters
        ----------
        **kwargs
            As ``MacroElement.render``.
        """
        self.collect()
        folium.MacroElement.render(self, **kwargs)

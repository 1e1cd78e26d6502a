"""Elements whose script names the map they sit in (through feature groups): labels, legend, reach, z-order."""

from __future__ import annotations

from typing import Any

import folium
from branca.element import MacroElement

from geo.render import safe_render


def enclosing_map(el: Any) -> Any:
    """The map an element sits in (through feature groups); the parent itself when none.

    Parameters
    ----------
    el : branca.element.Element

    Returns
    -------
    folium.Map or branca.element.Element
    """
    p = el._parent
    while p is not None and not isinstance(p, folium.Map):
        p = getattr(p, "_parent", None)
    return p if p is not None else el._parent


@safe_render.guard_class
class InMap(MacroElement):
    """A macro element whose template uses ``this.map_name``: the enclosing map's variable, found when rendered
    (a feature group swapped in by streamlit-folium is rendered inside the map it joins)."""

    map_name = ""

    def render(self, **kwargs: Any) -> None:
        """Render into the enclosing map.

        Parameters
        ----------
        **kwargs
            As ``MacroElement.render``.
        """
        self.map_name = enclosing_map(self).get_name()
        super().render(**kwargs)

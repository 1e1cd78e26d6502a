"""Drawing order of the map's groups kept across layer toggles: zones < thematic fills < points < parcels < selection.

Leaflet draws in the order layers are added (SVG and Canvas alike), and a layer switched on in the
layer control comes on top. Separate panes would fix the order but, on the Canvas renderer, the
top pane's canvas would take every click. So each group that must stay above the zone outlines
registers here with a rank, and after a layer is switched on the registered groups are brought to
the front again, lowest rank first.
"""

from __future__ import annotations

from branca.element import Template

from geo.render import safe_render
from geo.render.elements.inmap import InMap

THEMATIC, POINTS, PARCELS, SELECTED = 1, 2, 3, 4  # ranks: higher is drawn above


@safe_render.guard_class
class ZOrder(InMap):
    """Register the parent layer under a key with a rank (a key registered again replaces the earlier layer).

    Parameters
    ----------
    key : str
    rank : int
        One of THEMATIC, POINTS, PARCELS, SELECTED.
    """

    _template = Template("""
    {% macro script(this, kwargs) %}
    (function(){
      var map = {{ this.map_name }};
      if (!map._scimapZ) {
        var Z = map._scimapZ = {layers: {}, timer: null};
        Z.raise = function() {
          Z.timer = null;
          Object.keys(Z.layers).map(function(k) { return Z.layers[k]; })
            .sort(function(a, b) { return a.rank - b.rank; })
            .forEach(function(e) { if (map.hasLayer(e.layer)) e.layer.bringToFront(); });
        };
        map.on('overlayadd', function() { if (Z.timer === null) Z.timer = setTimeout(Z.raise, 0); });
      }
      var Z = map._scimapZ;
      Z.layers[{{ this.key|tojson }}] = {layer: {{ this._parent.get_name() }}, rank: {{ this.rank }}};
      if ({{ this.rank }} <= {{ this.points }} && Z.timer === null) Z.timer = setTimeout(Z.raise, 0);
    })();
    {% endmacro %}
    """)

    def __init__(self, key: str, rank: int) -> None:
        super().__init__()
        self._name = "ZOrder"
        self.key = key
        self.rank = rank
        self.points = POINTS


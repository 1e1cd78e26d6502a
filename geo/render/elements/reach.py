"""Fade the zones a filter does not reach, on the map in the browser.

The zone layers belong to the base map, which the app keeps while only the parcels change (a sector
or a range filter): rebuilding it would redraw the whole page. So the swapped-in parcel group
carries this element, which dims every zone feature whose ``zone_id`` is not in its list (outline
and fill nearly transparent, the name hidden) and restores the others. Each swapped-in group brings
its own list (None: nothing dimmed), so the map always shows the latest filter's reach; zones of a
group switched on later are dimmed as they are added.
"""

from __future__ import annotations

from branca.element import Template

from geo.render import safe_render
from geo.render.elements.inmap import InMap

FADED_STYLE = {"opacity": 0.15, "fillOpacity": 0.02}


@safe_render.guard_class
class Reach(InMap):
    """The zone ids the current filter reaches; every other zone on the map is faded.

    Parameters
    ----------
    zone_ids : list of str or None
        The reached zones (:func:`geo.core.filter.reached_zones`); None fades nothing.
    """

    _template = Template("""
    {% macro script(this, kwargs) %}
    (function(){
      var map = {{ this.map_name }}, ids = {{ this.zone_ids|tojson }}, faded = {{ this.faded|tojson }};
      function apply(layer) {
        var f = layer.feature, z = f && f.properties && f.properties._k === 'z' ? f.properties.zone_id : undefined;
        if (z === undefined || !layer.setStyle) return;  // parcels and the selection outline keep their look
        var keep = map._scimapReach, fade = !!keep && !keep.has(String(z));
        if (fade && !layer._scimapFaded) {
          layer._scimapFaded = {opacity: layer.options.opacity, fillOpacity: layer.options.fillOpacity};
          layer.setStyle(faded);
        } else if (!fade && layer._scimapFaded) {
          layer.setStyle(layer._scimapFaded);
          layer._scimapFaded = null;
        }
      }
      if (!map._scimapReachHooked) {
        map._scimapReachHooked = true;
        map.on('layeradd', function(e) { if (map._scimapReach !== undefined) apply(e.layer); });
      }
      map._scimapReach = ids === null ? null : new Set(ids);
      map.eachLayer(apply);
      map.fire('scimapreach');  // the names (geo.render.elements.labels) are laid out again
    })();
    {% endmacro %}
    """)

    def __init__(self, zone_ids: list[str] | None) -> None:
        super().__init__()
        self._name = "Reach"
        self.zone_ids = None if zone_ids is None else [str(z) for z in zone_ids]
        self.faded = FADED_STYLE


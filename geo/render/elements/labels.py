"""Names on the map: DOM labels in their own pane, placed by priority so that none overlaps another.

Each feature group that has names carries one :class:`Labels` element. Its items register with one
manager per map, which lays every registered label out again after each zoom, pan, layer toggle or
swapped-in group: the labels whose group is on the map, whose zoom range holds and whose anchor is
in view are taken in priority order (lower first) and a label is shown at the first of a few spots
(an area's centre, just above or below it; below, above, right or left of a point's marker) where its
box does not meet a box already placed, else not at all. Labels are ``<div class="scimap-label">`` elements (the same on the Canvas and
the SVG renderer), text set with ``textContent``, with a white halo readable without a basemap.
"""

from __future__ import annotations

from typing import Any

from branca.element import Template

from geo.render import safe_render
from geo.render.elements.inmap import InMap

PANE = "scimap-labels"
PANE_Z = 620  # above the markers (600), below tooltips (650) and popups (700)
GAP_PX = 3  # free pixels kept around each label
STREET_ZOOM = 15  # from here on an item's ``P`` priority (a parcel's) is used instead of ``p``

CSS = """
.scimap-label{position:absolute;width:max-content;max-width:13em;white-space:pre-line;text-align:center;line-height:1.2;
 font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;
 font-size:12px;color:#1f2937;pointer-events:none;
 text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff,1px 1px 3px #fff,-1px -1px 3px #fff}
.scimap-label-layout{font-size:14px;font-weight:700}
.scimap-label-sub{font-size:12.5px;font-weight:600}
.scimap-label-district{font-size:15px;font-weight:600;color:#6b7280;letter-spacing:2px}
.scimap-label-town{font-size:12px;color:#4b5563}
.scimap-label-place{font-size:12px;color:#1f2937}
.scimap-label-unlocated{font-size:11.5px;font-style:italic;color:#4b5563}
.scimap-label-parcel{font-size:11px;color:#374151}
"""


@safe_render.guard_class
class Labels(InMap):
    """The names of one feature group, registered with the map's label manager under a key.

    A group registered again under the same key (a swapped-in parcel layer) replaces the earlier
    labels of that key.

    Parameters
    ----------
    items : list of dict
        One per label (:func:`geo.render.layers.labels.zone_labels` and friends): ``t`` text, ``y``/``x``
        anchor (lat, lon in the map's datum), ``z`` lowest zoom, optional ``Z`` highest zoom, ``p``
        priority (lower first), optional ``P`` priority from :data:`STREET_ZOOM`, ``c`` class suffix, optional ``col`` text colour, optional ``o`` pixels
        below the anchor (a point marker's name sits under it).
    key : str
        Which group's labels these are.
    """

    _template = Template("""
    {% macro script(this, kwargs) %}
    (function(){
      var map = {{ this.map_name }};
      if (!map._scimapLabels) {
        var pane = map.getPane({{ this.pane|tojson }}) || map.createPane({{ this.pane|tojson }});
        pane.style.zIndex = {{ this.pane_z }}; pane.style.pointerEvents = 'none';
        L.DomUtil.addClass(pane, 'leaflet-zoom-hide');
        if (!document.getElementById('scimap-label-css')) {
          var css = L.DomUtil.create('style', '', document.head); css.id = 'scimap-label-css';
          css.textContent = {{ this.css|tojson }};
        }
        var M = map._scimapLabels = {sets: {}, pane: pane, timer: null, gap: {{ this.gap }}};
        M.schedule = function() { if (M.timer === null) M.timer = setTimeout(M.layout, 0); };
        M.layout = function() {
          M.timer = null;
          var z = map.getZoom(), view = map.getBounds().pad(0.1), cand = [], placed = [], g = M.gap;
          Object.keys(M.sets).forEach(function(k) {
            var s = M.sets[k], on = map.hasLayer(s.group);
            s.items.forEach(function(it) {
              var ok = on && z >= it.z && (it.Z === undefined || z <= it.Z) && view.contains([it.y, it.x])
                       && !(it.id !== undefined && map._scimapReach && !map._scimapReach.has(it.id));
              if (!ok) { if (it.el) it.el.style.display = 'none'; return; }
              if (!it.el) {
                it.el = L.DomUtil.create('div', 'scimap-label scimap-label-' + it.c, M.pane);
                it.el.textContent = it.t;
                if (it.col) it.el.style.color = it.col;
              }
              it.el.style.display = ''; it.el.style.visibility = 'hidden';
              cand.push(it);
            });
          });
          cand.forEach(function(it) { if (!it.w) { it.w = it.el.offsetWidth; it.h = it.el.offsetHeight; } });
          var street = z >= {{ this.street_zoom }};
          function prio(it) { return street && it.P !== undefined ? it.P : it.p; }
          cand.sort(function(a, b) { return prio(a) - prio(b); });
          function free(r) {
            for (var i = 0; i < placed.length; i++) {
              var q = placed[i];
              if (r[0] < q[2] && q[0] < r[2] && r[1] < q[3] && q[1] < r[3]) return false;
            }
            return true;
          }
          cand.forEach(function(it) {
            var pt = map.latLngToLayerPoint([it.y, it.x]), w = it.w, h = it.h, o = it.o;
            // where the name may go: an area's centre, else just above or below it; a point's name
            // below its marker, else above, right or left of it
            var spots = o ? [[pt.x - w / 2, pt.y + o], [pt.x - w / 2, pt.y - o - h], [pt.x + o, pt.y - h / 2],
                             [pt.x - o - w, pt.y - h / 2]]
                          : [[pt.x - w / 2, pt.y - h / 2], [pt.x - w / 2, pt.y - h * 1.5 - g], [pt.x - w / 2, pt.y + h / 2 + g]];
            for (var k = 0; k < spots.length; k++) {
              var x0 = spots[k][0], y0 = spots[k][1], r = [x0 - g, y0 - g, x0 + w + g, y0 + h + g];
              if (!free(r)) continue;
              placed.push(r);
              it.el.style.left = Math.round(x0) + 'px'; it.el.style.top = Math.round(y0) + 'px';
              it.el.style.visibility = '';
              return;
            }
            it.el.style.display = 'none';
          });
        };
        map.on('zoomend moveend viewreset resize overlayadd overlayremove layeradd layerremove scimapreach', M.schedule);
      }
      var M = map._scimapLabels, key = {{ this.key|tojson }}, old = M.sets[key];
      if (old) old.items.forEach(function(it) { if (it.el) it.el.remove(); });
      M.sets[key] = {group: {{ this._parent.get_name() }}, items: {{ this.items|tojson }}};
      M.schedule();
    })();
    {% endmacro %}
    """)

    def __init__(self, items: list[dict[str, Any]], key: str) -> None:
        super().__init__()
        self._name = "Labels"
        self.items = items
        self.key = key
        self.pane, self.pane_z, self.gap, self.css = PANE, PANE_Z, GAP_PX, CSS
        self.street_zoom = STREET_ZOOM

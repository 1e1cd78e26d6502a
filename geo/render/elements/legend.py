"""One collapsible legend per map, made of sections: a section comes again under its key and is replaced.

The base map brings the ``base`` section (plan layers, line styles, thematic classes), the parcel
layer its ``parcels`` section (sector colours or density classes); a swapped-in parcel layer replaces
only its own section. Rows tied to a layer (``data-scimap-group``) are hidden while that layer is off.
"""

from __future__ import annotations

import folium
from branca.element import Template

from geo.render import markup, safe_render
from geo.render.elements.inmap import InMap

ORDER = ("base", "parcels")  # sections in this order, any other key after them


@safe_render.guard_class
class Legend(InMap):
    """A section of the map's one legend, holding pre-escaped HTML.

    Parameters
    ----------
    html_text : str
        Escaped HTML (:func:`geo.render.style.legend_html`); "" removes the section of that key.
    key : str, default "base"
        Which section this is (``"base"``: the zones'; ``"parcels"``: the parcel layer's).
    position : str, default "bottomright"
        Leaflet control position (of the legend, when this section creates it).
    title : str, default ""
        The legend's caption (its ``<summary>``), plain text; "" keeps the caption set before.
    groups : list of folium.FeatureGroup, optional
        The layers the section's rows name in ``data-scimap-group`` (by their ``get_name()``).
    """

    _template = Template("""
    {% macro script(this, kwargs) %}
    (function(){
      var map = {{ this.map_name }};
      if (!map._scimapLegend) {
        var G = map._scimapLegend = {sections: {}, groups: {}, title: '', open: true, timer: null,
                                     order: {{ this.order|tojson }}};
        var c = L.control({position: {{ this.position|tojson }}});
        c.onAdd = function() {
          var d = L.DomUtil.create('div', 'scimap-legend-control');
          L.DomEvent.disableClickPropagation(d); L.DomEvent.disableScrollPropagation(d); return d; };
        c.addTo(map);
        G.box = c.getContainer();
        G.sync = function() {
          G.timer = null;
          G.box.querySelectorAll('[data-scimap-group]').forEach(function(r) {
            var l = G.groups[r.getAttribute('data-scimap-group')];
            r.style.display = (!l || map.hasLayer(l)) ? 'flex' : 'none';
          });
        };
        G.draw = function() {
          var keys = Object.keys(G.sections).sort(function(a, b) {
            var i = G.order.indexOf(a), j = G.order.indexOf(b);
            return (i < 0 ? 99 : i) - (j < 0 ? 99 : j); });
          if (!keys.length) { G.box.style.display = 'none'; return; }
          G.box.style.display = '';
          G.box.innerHTML = '<details class="scimap-legend"' + (G.open ? ' open' : '') + ' style="background:rgba(255,255,255,.94);'
            + 'padding:4px 9px 6px;border-radius:4px;font:12px/1.35 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3);'
            + 'max-width:280px;max-height:60vh;overflow:auto"><summary style="cursor:pointer;font-weight:700">'
            + G.title + '</summary>' + keys.map(function(k) { return G.sections[k]; }).join('') + '</details>';
          G.box.querySelector('details').addEventListener('toggle', function(e) { G.open = e.target.open; });
          G.sync();
        };
        map.on('overlayadd overlayremove layeradd layerremove', function() {
          if (G.timer === null) G.timer = setTimeout(G.sync, 0); });
      }
      var G = map._scimapLegend, key = {{ this.key|tojson }}, text = {{ this.html|tojson }};
      if (text) { G.sections[key] = text; } else { delete G.sections[key]; }
      if ({{ this.title|tojson }}) G.title = {{ this.title|tojson }};
      {% for name in this.group_names %}G.groups[{{ name|tojson }}] = {{ name }};
      {% endfor %}
      G.draw();
    })();
    {% endmacro %}
    """)

    def __init__(self, html_text: str, key: str = "base", position: str = "bottomright", title: str = "",
                 groups: list[folium.FeatureGroup] | None = None) -> None:
        super().__init__()
        self._name = "Legend"
        self.html = html_text
        self.key = key
        self.position = position
        self.title = markup.html(title)
        self.group_names = [g.get_name() for g in groups or []]
        self.order = list(ORDER)


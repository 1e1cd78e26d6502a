"""The parcel layer drawn from vector tiles (protomaps-leaflet, vendored), filtered and clicked in the browser.

The tiles come from the app's own tile route (:mod:`geo.io.tiles`). The current sector filter is applied
to each tile's features by their properties, so the layer shows exactly the selection without the server
cutting tiles per filter; the ``density`` layer's cells (zoomed out) count only the selected sectors. A click
on the map finds the parcel under it in the loaded tiles and reports it the way a click on a GeoJSON feature is
reported (a tooltip ending in the id, :data:`ui.planner_map.CLICKED_ID`, and the view at the click as its "popup":
``zoom lat lon``), so the page selects it as any other. Pans and zooms are not reported (no rerun): the tiles
load in the browser, and the page's link follows the view from here.
The layer sits in its own pane above the zone outlines; the pane takes no pointer events (the zones under it
stay clickable), and its name labels are laid out by protomaps (no two overlap).
"""

from __future__ import annotations

from typing import Any

from branca.element import Template

from geo.render import safe_render
from geo.render.elements.inmap import InMap

SCRIPT = "vendor/protomaps-leaflet/protomaps-leaflet.js"
"""The renderer, under the app's static folder (loaded once per map frame, when a tiled layer first needs it)."""
PANE = "scimap-tiles"
PANE_Z = 450  # above the zones' overlay pane (400), below markers (600) and labels (620)


@safe_render.guard_class
class TiledParcels(InMap):
    """A vector-tile parcel layer inside a feature group (it comes and goes with the group).

    Parameters
    ----------
    options : dict
        JSON-able: ``url`` (tile URL template), ``script`` (the renderer's URL), ``colours`` (sector group →
        colour), ``fallback`` (colour of parcels without one), ``sectors`` (the tile set's sector order, for the
        density properties), ``allowed`` (selected sector groups, or None for all), ``precise`` (geometry sources drawn solid), ``parcelZoom`` (first zoom of the parcel layer),
        ``maxDataZoom``, ``breaks`` (density class upper bounds per zoom), ``ramp`` (class colours),
        ``gcj`` (None, or a grid of GCJ-02 shifts when the basemap is Gaode's: ``x0``, ``y0``, ``step``, ``nx``,
        ``ny``, ``dlon``, ``dlat`` row by row from the south-west; each tile is drawn shifted by the shift at its
        centre, and a click is shifted back), ``nameProp`` (``nz`` or ``ne``), ``labelZoom``, ``idLabel`` (the word before the id in the reported
        tooltip), ``densityText`` (templates of a density cell's tooltip).
    """

    _template = Template("""
    {% macro script(this, kwargs) %}
    (function(){
      var map = {{ this.map_name }}, group = {{ this._parent.get_name() }}, O = {{ this.options|tojson }};
      if (!map.getPane({{ this.pane|tojson }})) {
        var pane = map.createPane({{ this.pane|tojson }});
        pane.style.zIndex = {{ this.pane_z }}; pane.style.pointerEvents = 'none';
      }
      var allowed = O.allowed ? new Set(O.allowed) : null;
      var precise = new Set(O.precise), idx = {};
      O.sectors.forEach(function(s, i) { idx[s] = i; });
      var keep = function(p) {
        return !allowed || allowed.has(p.s);
      };
      var count = function(p) {
        if (!allowed) return p.n || 0;
        var n = 0; allowed.forEach(function(s) { if (s in idx) n += p['n' + idx[s]] || 0; }); return n;
      };
      var cls = function(z, n) {
        var b = O.breaks[String(z)] || O.breaks[String(O.parcelZoom - 1)] || [];
        for (var i = 0; i < b.length; i++) if (n <= b[i]) return O.ramp[i];
        return O.ramp[O.ramp.length - 1];
      };
      // a stand-in that the map frame's click reporting knows: a "layer" with a tooltip ending in the id
      var proxy = L.featureGroup().addTo(group);
      var esc = function(v) { return String(v).replace(/[&<>"']/g, function(c) { return '&#' + c.charCodeAt(0) + ';'; }); };
      // the frame reads the tooltip as HTML (innerHTML of a detached span): every part is escaped
      var tip = function(text, view) { return {
        _tooltip: {_content: text}, getTooltip: function() { return {getContent: function() { return text; }}; },
        _popup: {_content: view}, getPopup: function() { return {getContent: function() { return {innerText: view}; }}; }}; };
      // the view in WGS84 (the map shows GCJ-02 coordinates on Gaode tiles): "zoom lat lon"
      var wgs = function(ll) {
        if (!O.gcj) return [ll.lat, ll.lng];
        var d = shift(ll.lat, ll.lng); return [ll.lat - d[0], ll.lng - d[1]];
      };
      var view = function() {
        var c = wgs(map.getCenter()); return map.getZoom() + ' ' + c[0].toFixed(5) + ' ' + c[1].toFixed(5);
      };
      var shift = function(lat, lng) {  // WGS84 → the GCJ-02 shift there (bilinear in the server's grid)
        var G = O.gcj, fx = (lng - G.x0) / G.step, fy = (lat - G.y0) / G.step;
        fx = Math.max(0, Math.min(G.nx - 1.000001, fx)); fy = Math.max(0, Math.min(G.ny - 1.000001, fy));
        var i = Math.floor(fx), j = Math.floor(fy), u = fx - i, v = fy - j;
        var bil = function(a) { return a[j * G.nx + i] * (1 - u) * (1 - v) + a[j * G.nx + i + 1] * u * (1 - v)
          + a[(j + 1) * G.nx + i] * (1 - u) * v + a[(j + 1) * G.nx + i + 1] * u * v; };
        return [bil(G.dlat), bil(G.dlon)];
      };
      var build = function() {
        var P = protomapsL;
        var layer = P.leafletLayer({
          url: O.url, maxDataZoom: O.maxDataZoom, pane: {{ this.pane|tojson }}, attribution: '', tileDelay: 0,
          paintRules: [
            {dataLayer: 'density', filter: function(z, f) { return count(f.props) > 0; },
             symbolizer: new P.PolygonSymbolizer({fill: function(z, f) { return cls(z, count(f.props)); },
                                                  opacity: 0.7, stroke: '#7c2d12', width: 0.5})},
            {dataLayer: 'parcels', filter: function(z, f) { return keep(f.props); },
             symbolizer: new P.PolygonSymbolizer({fill: function(z, f) { return O.colours[f.props.s] || O.fallback; },
                                                  opacity: 0.55, stroke: function(z, f) {
                                                    return O.colours[f.props.s] || O.fallback; }, width: 1})},
            {dataLayer: 'parcels', filter: function(z, f) { return keep(f.props) && !precise.has(f.props.src); },
             symbolizer: new P.LineSymbolizer({color: '#111827', width: 1, dash: [4, 3], opacity: 0.8})}
          ],
          labelRules: [
            {dataLayer: 'labels', minzoom: O.labelZoom, filter: function(z, f) { return keep(f.props); },
             symbolizer: new P.CenteredTextSymbolizer({labelProps: [O.nameProp, 'nz'], fill: '#374151',
               stroke: '#ffffff', width: 3, font: '11px "Noto Sans CJK SC", "Microsoft YaHei", sans-serif'})}
          ]
        });
        if (O.gcj) {
          var tilePos = layer._getTilePos;
          layer._getTilePos = function(coords) {
            var p = tilePos.call(this, coords), size = this.getTileSize();
            var c = this._map.unproject(coords.scaleBy(size).add(size.divideBy(2)), coords.z), d = shift(c.lat, c.lng);
            var moved = this._map.project(L.latLng(c.lat + d[0], c.lng + d[1]), coords.z);
            return p.add(moved.subtract(this._map.project(c, coords.z)).round());
          };
          // the shifted tiles must still cover the view: load a margin of the largest shift around it
          var tiledBounds = layer._getTiledPixelBounds;
          layer._getTiledPixelBounds = function(center) {
            var b = tiledBounds.call(this, center), z = this._tileZoom, c = this._map.getCenter(), d = shift(c.lat, c.lng);
            var m = this._map.project(L.latLng(c.lat + d[0], c.lng + d[1]), z).subtract(this._map.project(c, z));
            var pad = L.point(Math.ceil(Math.abs(m.x)) + 2, Math.ceil(Math.abs(m.y)) + 2);
            return L.bounds(b.min.subtract(pad), b.max.add(pad));
          };
        }
        layer.scimapKeep = keep;
        layer.scimapAllow = function(list) {  // a new sector filter, drawn from the tiles already loaded
          allowed = list ? new Set(list) : null; layer.clearLayout(); layer.rerenderTiles(); };
        group.addLayer(layer);
        group._scimapTiles = layer;
        map._scimapTiles = layer;
      };
      map._scimapTilesPick = function(e) {
        var layer = map._scimapTiles;
        if (!layer || !map.hasLayer(layer) || !layer._map) return;
        var ll = wgs(e.latlng), lat = ll[0], lng = ll[1];
        var found = layer.queryTileFeaturesDebug(lng, lat, 4).get('') || [];
        for (var i = found.length - 1; i >= 0; i--) {
          var f = found[i], p = f.feature.props;
          if (f.layerName === 'parcels' && keep(p)) {
            var text = esc(O.idLabel) + ' ' + esc(p.id);
            map._scimapTilesProxy.fire('click', {latlng: e.latlng, sourceTarget: tip(text, view())});
            return;
          }
        }
      };
      map._scimapTilesProxy = proxy;
      // pans and zooms need no server: the page's link follows the view here (lat, lon, z as the server writes them)
      map._scimapTilesView = function() {
        if (!map._scimapTiles || !map.hasLayer(map._scimapTiles)) return;
        try {
          var top = window.parent, u = new URL(top.location.href), v = view().split(' ');
          u.searchParams.set('lat', v[1]); u.searchParams.set('lon', v[2]); u.searchParams.set('z', v[0]);
          top.history.replaceState(top.history.state, '', u.toString());
        } catch (err) { /* another origin: the link keeps the view the server last heard of */ }
      };
      if (!map._scimapTilesClick) { map._scimapTilesClick = true;
        map.on('click', function(e) { if (map._scimapTilesPick) map._scimapTilesPick(e); });
        map.on('moveend', function() { if (map._scimapTilesView) map._scimapTilesView(); }); }
      if (window.protomapsL) { build(); }
      else {
        var waiting = window._scimapProtomaps = window._scimapProtomaps || [];
        waiting.push(build);
        if (waiting.length === 1) {
          var s = document.createElement('script');
          s.src = O.script;
          s.onload = function() { window._scimapProtomaps.splice(0).forEach(function(f) { f(); }); };
          document.head.appendChild(s);
        }
      }
    })();
    {% endmacro %}
    """)

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__()
        self._name = "TiledParcels"
        self.options = options
        self.pane = PANE
        self.pane_z = PANE_Z

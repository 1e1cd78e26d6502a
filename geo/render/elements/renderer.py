"""The page's tooltip and popup renderer: DOM built with textContent from plain feature properties."""

from __future__ import annotations

from branca.element import MacroElement, Template

from geo import i18n
from geo.render.popup import PARCEL_FIELDS, ZONE_FIELDS


class Renderer(MacroElement):
    """Defines ``window.scimapTip`` / ``window.scimapPopup`` once per page, with the labels of one language.

    The tooltip is compact: name · sector or role (· land), the thematic value, "not located, shown
    at its parent" (``_u``) where so, and the id last (the app reads "编号 <id>" / "ID <id>" at the end of the text).

    Parameters
    ----------
    lang : {"zh", "en"}
    measure_label : str, default ""
        Name of the thematic measure shown in zone tooltips (``_v``).
    """

    _template = Template("""
    {% macro script(this, kwargs) %}
    (function(){
      var L10N = {{ this.labels|tojson }};
      function el(tag, text, css) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text;
        if (css) e.style.cssText = css; return e; }
      window.scimapTip = function(p) {
        var d = el('div');
        d.appendChild(el('b', p._n || ''));
        if (p._s) d.appendChild(document.createTextNode(' · ' + p._s));
        if (p.land_mu) d.appendChild(document.createTextNode(' · ' + p.land_mu + ' ' + L10N._mu));
        if (p._v) { d.appendChild(el('br')); d.appendChild(document.createTextNode(L10N._measure + ': ' + p._v)); }
        if (p._u) { d.appendChild(el('br')); d.appendChild(el('i', p._u, 'color:#92400e')); }
        d.appendChild(el('br'));
        d.appendChild(el('span', L10N._id + ' ' + (p.project_id || p.zone_id || ''), 'color:#666'));
        return d;
      };
      window.scimapPopup = function(p) {
        var d = el('div');
        d.appendChild(el('h4', p._n || '', 'margin:0 0 4px'));
        var warn = p._w === 'schematic' ? L10N._schematic : (p._w === 'gazetteer' ? L10N._approx : '');
        if (warn) d.appendChild(el('p', '⚠ ' + warn, 'color:#92400e;font-size:11px;margin:4px 0'));
        if (p._u) d.appendChild(el('p', '⚠ ' + p._u, 'color:#92400e;font-size:11px;margin:4px 0'));
        var t = el('table', undefined, 'font-size:12px;max-width:440px');
        var order = p._k === 'p' ? L10N._parcel_fields : L10N._zone_fields;
        order.forEach(function(f) {
          if (p[f] === undefined || p[f] === '') return;
          var tr = el('tr');
          tr.appendChild(el('th', L10N[f] || f, 'text-align:left;padding-right:8px;vertical-align:top;white-space:nowrap'));
          tr.appendChild(el('td', String(p[f])));
          t.appendChild(tr);
        });
        d.appendChild(t);
        return d;
      };
    })();
    {% endmacro %}
    """)

    def __init__(self, lang: str, measure_label: str = "") -> None:
        super().__init__()
        self._name = "ScimapRenderer"
        labels: dict[str, object] = {f: i18n.label(f, lang) for f in set(PARCEL_FIELDS) | set(ZONE_FIELDS)}
        labels.update({"_mu": i18n.t("unit_mu", lang), "_id": i18n.label("project_id", lang),
                       "_measure": measure_label, "_schematic": i18n.t("schematic_warning", lang),
                       "_approx": i18n.t("approx_warning", lang), "_parcel_fields": PARCEL_FIELDS + ["reasons"],
                       "reasons": i18n.pick(i18n.MAP, "reasons", lang), "_zone_fields": ZONE_FIELDS})
        self.labels = labels

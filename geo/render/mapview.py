"""Build the Folium map for a selection: layers per layout, parcels per sector, thematic zones.

Nothing user- or data-controlled is turned into HTML in Python for the map: features carry
plain values, and one page-level renderer builds tooltips and popups with textContent.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement, Template
from folium import plugins

from geo import i18n
from geo.core import aggregate
from geo.core.crs import WGS84
from geo.core.filter import Selection
from geo.core.gcj02 import shift_frame, wgs84_to_gcj02
from geo.core.model import PlanData
from geo.render import assets, basemaps, safe_render, style

safe_render.install()  # rendered output is never re-templated (injection, and Jinja lexing every GeoJSON)

DEFAULT_CENTER = (29.55, 106.36)  # between 西永 and 金凤
DEFAULT_ZOOM = 11
THEMATIC_MEASURES = {"land": "land_mu", "output": "output_target_yi", "per_mu": "output_per_mu_wan"}


@dataclass
class MapOptions:
    lang: str = "zh"
    basemap: str = basemaps.DEFAULT
    thematic: str = "none"  # none | land | output | per_mu
    thematic_layer: str = "towns"  # the layer whose zones are classified (others stay outlines)
    tianditu_key: str = ""
    center: tuple[float, float] = DEFAULT_CENTER
    zoom: int = DEFAULT_ZOOM
    highlight: str = ""  # project_id or zone_id
    asset_base: str = "/app/static"
    height: int = 700
    show_layers: list[str] = field(default_factory=list)  # layer ids shown at start ([] = defaults)
    prefer_canvas: bool = False  # Canvas renderer: one <canvas> instead of a DOM path per feature


# ------------------------------------------------------------------ tooltips and popups
# Features carry compact data (formatted values, no HTML); one JavaScript renderer per page
# builds the tooltip and popup DOM with textContent, so no name or quote can inject markup.

def _val(v, field: str, lang: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v == "":
        return ""
    if field in ("geometry_source", "parcel_geometry_source"):
        return i18n.geometry_source_label(str(v), lang)
    if isinstance(v, float):
        return style.fmt(v, 2)
    return str(v)


def table_html(row: pd.Series, fields: list[str], lang: str) -> str:
    """Escaped HTML table of a record's fields (the details panel beside the map)."""
    cells = []
    for f in fields:
        if f not in row.index:
            continue
        v = _val(row[f], f, lang)
        if not v:
            continue
        cells.append(f"<tr><th style='text-align:left;padding-right:8px;vertical-align:top;white-space:nowrap'>"
                     f"{html.escape(i18n.label(f, lang))}</th><td>{html.escape(v)}</td></tr>")
    return "<table style='font-size:12px;max-width:420px'>" + "".join(cells) + "</table>"


PARCEL_FIELDS = ["project_id", "name_zh", "name_en", "kind", "sector_zh", "sector_en", "sector_group_zh",
                 "zone_name_zh", "region_zh", "district", "function_zh", "function_en", "land_mu", "land_mu_text", "land_note",
                 "area_mu", "output_target_yi", "output_target_text", "target_year", "output_per_mu_wan",
                 "geometry_source", "placement_note", "source_doc", "source_ref", "quote_zh", "notes"]
ZONE_FIELDS = ["zone_id", "name_zh", "name_en", "layout", "role_zh", "role_en", "district_zh", "sectors_zh",
               "area_mu_plan", "geometry_source", "position_method", "position_confidence", "position_note",
               "extent_method", "position_source", "source_doc", "source_ref", "quote_zh"]


def _records(df: pd.DataFrame, fields: list[str], lang: str, kind: str, values=None) -> list[dict]:
    """Formatted properties per feature, column by column (a district view formats 10⁴ rows per pan)."""
    n = len(df)

    def col(c):
        return df[c].tolist() if c in df.columns else [None] * n

    def fmt(c, field=""):
        return [_val(v, field, lang) for v in col(c)]

    cols = {f: fmt(f, f) for f in fields if f in df.columns}
    names_zh, names_en = fmt("name_zh"), (fmt("name_en") if lang == "en" else [""] * n)
    how = col("geometry_source")
    if kind == "p":
        second = fmt("sector_zh" if lang == "zh" else "sector_en")
    else:
        role_zh, role_en = fmt("role_zh"), (fmt("role_en") if lang == "en" else [""] * n)
        second = [e or z for z, e in zip(role_zh, role_en, strict=True)]
    zone_ids = col("zone_id")
    vals = values.dropna().to_dict() if values is not None else {}
    recs = []
    for i in range(n):
        d = {f: v[i] for f, v in cols.items() if v[i]}
        d["_k"] = kind
        d["_n"] = names_en[i] or names_zh[i]
        d["_w"] = how[i] if isinstance(how[i], str) else ""
        d["_s"] = second[i]
        if kind != "p" and zone_ids[i] in vals:
            d["_v"] = style.fmt(float(vals[zone_ids[i]]), 1)
        recs.append(d)
    return recs


def with_props(gdf: gpd.GeoDataFrame, fields: list[str], lang: str, kind: str, values=None) -> gpd.GeoDataFrame:
    out = gpd.GeoDataFrame({"_p": _records(gdf, fields, lang, kind, values)}, geometry=gdf.geometry.values, crs=gdf.crs)
    return out


def _feature_collection(gdf: gpd.GeoDataFrame, precision: int) -> dict:
    # vectorised: round the coordinates (display only: GEOS set_precision would also repair
    # topology, 40 µs a parcel), serialise in GEOS, parse with the C json module
    geoms = shapely.transform(np.asarray(gdf.geometry.values, dtype=object), lambda c: np.round(c, precision))
    feats = [{"type": "Feature", "properties": p, "geometry": json.loads(g) if g is not None else None}
             for p, g in zip(gdf["_p"], shapely.to_geojson(geoms), strict=True)]
    return {"type": "FeatureCollection", "features": feats}


class BindRenderer(MacroElement):
    """Bind tooltip and popup on the GeoJSON layer group, as folium's own GeoJsonTooltip does:
    streamlit-folium reads the clicked feature's tooltip text through that binding."""

    _template = Template("""
    {% macro script(this, kwargs) %}
    {{ this._parent.get_name() }}.bindTooltip(function(l) { return window.scimapTip(l.feature.properties); },
        {sticky: true});
    {{ this._parent.get_name() }}.bindPopup(function(l) { return window.scimapPopup(l.feature.properties); },
        {maxWidth: 460});
    {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "BindRenderer"


def _geojson(gdf: gpd.GeoDataFrame, name: str, style_dict: dict, marker=None, highlight: bool = True,
             precision: int | None = None) -> folium.GeoJson:
    """precision: decimals of degrees kept for display — 6 (~0.1 m) for parcels, 5 (~1 m) for the
    approximate zones."""
    if precision is None:
        precision = 6 if len(gdf) and gdf["_p"].iloc[0].get("_k") == "p" else 5
    kw = {}
    if marker is not None:
        kw["marker"] = marker
    gj = folium.GeoJson(
        _feature_collection(gdf, precision), name=name, style_function=lambda _f, s=style_dict: s,
        highlight_function=(lambda _f: {"weight": 4, "fillOpacity": 0.35}) if highlight else None, **kw,
    )
    BindRenderer().add_to(gj)
    return gj


class Renderer(MacroElement):
    """Defines window.scimapTip / window.scimapPopup once per page, with the labels of one language."""

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
        d.appendChild(el('br'));
        d.appendChild(el('span', L10N._id + ' ' + (p.project_id || p.zone_id || ''), 'color:#666'));
        return d;
      };
      window.scimapPopup = function(p) {
        var d = el('div');
        d.appendChild(el('h4', p._n || '', 'margin:0 0 4px'));
        var warn = p._w === 'schematic' ? L10N._schematic : (p._w === 'gazetteer' ? L10N._approx : '');
        if (warn) d.appendChild(el('p', '⚠ ' + warn, 'color:#92400e;font-size:11px;margin:4px 0'));
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

    def __init__(self, lang: str, measure_label: str = ""):
        super().__init__()
        self._name = "ScimapRenderer"
        labels = {f: i18n.label(f, lang) for f in set(PARCEL_FIELDS) | set(ZONE_FIELDS)}
        labels.update({"_mu": i18n.t("unit_mu", lang), "_id": i18n.label("project_id", lang),
                       "_measure": measure_label, "_schematic": i18n.t("schematic_warning", lang),
                       "_approx": i18n.t("approx_warning", lang), "_parcel_fields": PARCEL_FIELDS + ["reasons"],
                       "reasons": "匹配理由" if lang == "zh" else "Why it matches",
                       "_zone_fields": ZONE_FIELDS})
        self.labels = labels



@safe_render.guard_class
class Legend(MacroElement):
    """A Leaflet control holding pre-escaped legend HTML; it replaces an earlier legend with the same
    key, so a swapped-in parcel layer brings its own legend (st_folium and HTML exports alike)."""

    _template = Template("""
    {% macro script(this, kwargs) %}
    (function(){
      var key = '__scimapLegend_' + {{ this.key|tojson }};
      if (window[key]) { window[key].remove(); }
      if (!{{ this.html|tojson }}) { return; }
      var c = L.control({position: {{ this.position|tojson }}});
      c.onAdd = function(){ var d = L.DomUtil.create('div'); d.innerHTML = {{ this.html|tojson }};
        L.DomEvent.disableClickPropagation(d); return d; };
      c.addTo({{ this.map_name }});
      window[key] = c;
    })();
    {% endmacro %}
    """)

    def __init__(self, html_text: str, key: str = "base", position: str = "bottomright"):
        super().__init__()
        self._name = "Legend"
        self.html = html_text
        self.key = key
        self.position = position
        self.map_name = ""

    def render(self, **kwargs):
        el = self._parent
        while el is not None and not isinstance(el, folium.Map):
            el = getattr(el, "_parent", None)
        self.map_name = el.get_name() if el is not None else self._parent.get_name()
        super().render(**kwargs)


def _stroke(weight: float, opts: MapOptions) -> float:
    """Polygon outline width. On the Canvas renderer (district scale) outlines are hairlines: Skia
    strokes a 1-px path on its fast path, and a 2-px dashed outline made a pan frame at street
    zoom 2.3× slower (91 → 39 ms with 1,300 features, bench notes in README)."""
    return min(weight, 1) if opts.prefer_canvas else weight


def _shift(gdf: gpd.GeoDataFrame, datum: str) -> gpd.GeoDataFrame:
    return shift_frame(gdf) if datum == "gcj02" and len(gdf) else gdf


def zone_values(sel: Selection, memberships: pd.DataFrame, measure: str) -> pd.Series:
    """Σ of a measure per zone over the selected projects (projects of descendant zones and
    parcels inside the zone count once)."""
    t = aggregate.aggregate_memberships(sel.projects, memberships, "zone_id")
    if len(t) == 0:
        return pd.Series(dtype=float)
    return t.set_index("zone_id")[THEMATIC_MEASURES[measure]].astype(float)


def base_map(data: PlanData, sel: Selection, opts: MapOptions) -> folium.Map:
    """Basemap, district boundaries, every zone layer, legend of precision/thematic classes, tools."""
    lang = opts.lang
    bm = basemaps.BASEMAPS[opts.basemap]
    center = opts.center
    if bm.datum == "gcj02":
        lon, lat = wgs84_to_gcj02(center[1], center[0])
        center = (lat, lon)
    m = folium.Map(location=list(center), zoom_start=opts.zoom, tiles=None, control_scale=True,
                   prefer_canvas=opts.prefer_canvas, max_zoom=19)
    tiles = []
    if bm.datum != "none":
        for i, kw in enumerate(basemaps.tile_layers(opts.basemap, opts.tianditu_key)):
            tl = folium.TileLayer(name=basemaps.title(opts.basemap, lang) if i == 0 else f"{basemaps.title(opts.basemap, lang)} ·",
                                  overlay=i > 0, control=i == 0, **kw)
            tl.add_to(m)
            tiles.append(kw)

    # district boundaries (surveyed)
    if len(data.districts):
        d = _shift(data.districts[["name_zh", "geometry"]].copy(), bm.datum)
        fg = folium.FeatureGroup(name=next(x["title_zh" if lang == "zh" else "title_en"] for x in data.layers
                                           if x["layer_id"] == "districts"), show=True)
        folium.GeoJson(d.to_json(ensure_ascii=False, drop_id=True), style_function=lambda _f: {
            "color": "#4b5563", "weight": 1.2, "fill": False, "dashArray": None, "interactive": False},
            name="districts").add_to(fg)
        fg.add_to(m)

    zones = _shift(sel.zones, bm.datum)
    measure_label = ""
    values = None
    if opts.thematic in THEMATIC_MEASURES:
        values = zone_values(sel, data.memberships, opts.thematic)
        shown = zones[(zones.layer_id == opts.thematic_layer) & ~zones.extent_method.str.contains("hull|district boundary")]
        values = values[values.index.isin(shown.zone_id)]
        measure_label = i18n.t({"land": "land_sum", "output": "output_sum", "per_mu": "per_mu"}[opts.thematic], lang)
    zp = zones
    located = zp[zp.position_confidence != "none"] if len(zp) else zp
    unlocated = zp[zp.position_confidence == "none"] if len(zp) else zp

    default_hidden = data.catalogue.hidden_layer_ids  # data/src/layers.csv "shown"
    for layer in data.layers:
        lid = layer["layer_id"]
        if lid == "districts" or not len(located):
            continue
        sub = located[located.layer_id == lid]
        if len(sub):
            sub = with_props(sub, ZONE_FIELDS, lang, "z", values).assign(
                geometry_source=sub.geometry_source.values, zone_id=sub.zone_id.values,
                extent_method=sub.extent_method.values, parent_id=sub.parent_id.values)
        if not len(sub):
            continue
        show = lid in opts.show_layers if opts.show_layers else lid not in default_hidden
        title = layer["title_zh"] if lang == "zh" else layer["title_en"]
        fg = folium.FeatureGroup(name=f"{title} ({len(sub)})", show=show)
        colour = layer["default_style"]["color"]
        gtype = sub.geometry.geom_type
        lines = sub[gtype.isin(["LineString", "MultiLineString"])]
        pts = sub[gtype == "Point"]
        polys = sub[gtype.isin(["Polygon", "MultiPolygon"])]
        if opts.thematic in THEMATIC_MEASURES and values is not None and len(polys) and lid == opts.thematic_layer:
            # a zone spanning its siblings (a hull or a whole district) would paint over them: outline it
            whole = polys.extent_method.str.contains("hull|district boundary", regex=True)
            _thematic_polys(fg, polys[~whole], values, colour, lid)
            if whole.any():
                _geojson(polys[whole], f"{lid}-outline", {"color": colour, "weight": _stroke(2, opts), "fill": False,
                                                          "dashArray": "6 4", "className": f"scimap-zone scimap-{lid}"}).add_to(fg)
        else:
            for precise, part in polys.groupby(polys.geometry_source.isin(["surveyed", "digitised"])):
                st = {"color": colour, "weight": _stroke(layer["default_style"]["weight"], opts), "fillColor": colour,
                      "fillOpacity": 0.0 if lid == "towns" else layer["default_style"]["fill_opacity"],
                      "dashArray": None if precise else "6 4", "className": f"scimap-zone scimap-{lid}"}
                _geojson(part, f"{lid}-{'precise' if precise else 'approx'}", st).add_to(fg)
        if len(lines):
            # the axis segments are drawn; the parent axis (their union) stays in the data for queries
            segs = lines[~lines.zone_id.isin(lines.parent_id)]  # a parent axis is the union of its segments
            segs = segs if len(segs) else lines
            _geojson(segs, f"{lid}-lines", {"color": colour, "weight": 5, "opacity": 0.85, "dashArray": "10 6",
                                            "className": "scimap-axis"}).add_to(fg)
        if len(pts):
            _geojson(pts, f"{lid}-points", {"color": colour, "weight": 2, "fillColor": "#ffffff", "fillOpacity": 0.9,
                                            "radius": 6, "className": "scimap-point"},
                     marker=folium.CircleMarker(radius=6)).add_to(fg)
        fg.add_to(m)
    if len(unlocated):
        fg = folium.FeatureGroup(name=f"{i18n.t('not_located', lang)} ({len(unlocated)})", show=False)
        _geojson(with_props(unlocated, ZONE_FIELDS, lang, "z"), "unlocated", {"color": "#6b7280", "weight": 1.5, "fillColor": "#f3f4f6", "fillOpacity": 0.8,
                                          "radius": 5, "dashArray": "2 3", "className": "scimap-unlocated"},
                 marker=folium.CircleMarker(radius=5)).add_to(fg)
        fg.add_to(m)

    legend = _thematic_legend(values, measure_label, lang) if values is not None else ""
    legend += (f"<div style='background:rgba(255,255,255,.9);padding:3px 8px;font:11px sans-serif;margin-top:4px;"
               f"border-radius:4px'>{html.escape(i18n.t('legend_precision', lang))}</div>")
    Legend(legend, key="base").add_to(m)
    Renderer(lang, measure_label).add_to(m)
    plugins.Fullscreen(position="topleft").add_to(m)
    plugins.MeasureControl(position="topleft", primary_length_unit="meters", secondary_length_unit="kilometers",
                           primary_area_unit="sqmeters", secondary_area_unit="hectares").add_to(m)
    if tiles:
        mini = folium.TileLayer(tiles=tiles[0]["tiles"], attr=tiles[0]["attr"], subdomains=tiles[0]["subdomains"])
        plugins.MiniMap(tile_layer=mini, position="bottomleft", toggle_display=True, zoom_level_offset=-5).add_to(m)
    assets.localize(m, opts.asset_base)
    return m


DETAIL_MAX = 3000  # above this many parcels in view, the map shows density cells instead
VIEW_PAD = 0.25  # at district scale the parcels of the view and a quarter of it on each side are sent
LEAN_FIELDS = ["project_id", "name_zh", "sector_zh", "land_mu", "geometry_source"]


def viewport_bounds(center, zoom: int, size_px=(1600, 700)) -> tuple[float, float, float, float]:
    """WGS84 bounds of a Web Mercator view of `size_px` centred on `center` (lat, lon): what Leaflet
    will report, estimated before it has (the first run at a street zoom from a shared link)."""
    lat, lon = center
    deg_per_px = 360 / (256 * 2 ** zoom)
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    dy = math.radians(size_px[1] * deg_per_px) / 2
    dx = size_px[0] * deg_per_px / 2

    def lat_of(v):
        return math.degrees(2 * math.atan(math.exp(v)) - math.pi / 2)

    return (lon - dx, lat_of(y - dy), lon + dx, lat_of(y + dy))


def in_view(parcels: gpd.GeoDataFrame, box) -> gpd.GeoDataFrame:
    """Parcels whose bounds meet `box` (WGS84 minx, miny, maxx, maxy); uses the bounds columns that
    geo.core.join.parcels_joined prepares, else a spatial index."""
    x0, y0, x1, y1 = box
    if {"bx0", "by0", "bx1", "by1"} <= set(parcels.columns):
        hit = ((parcels.bx1.to_numpy() >= x0) & (parcels.bx0.to_numpy() <= x1)
               & (parcels.by1.to_numpy() >= y0) & (parcels.by0.to_numpy() <= y1))
        return parcels[hit]
    return parcels.iloc[np.sort(parcels.sindex.query(shapely.box(x0, y0, x1, y1), predicate="intersects"))]


def parcel_layer(sel: Selection, opts: MapOptions, bounds=None, zoom: int | None = None) -> folium.FeatureGroup:
    """Parcels, one GeoJSON per sector group with a fixed style, and their legend. Kept apart from
    the base map so that the app can swap it in place (st_folium feature_group_to_add) when only
    the project filters or the view change: the map is not rebuilt in the browser.

    District scale: when more than DETAIL_MAX parcels would be drawn, only those in the current view
    (`bounds`, WGS84 (minx, miny, maxx, maxy), padded by a quarter) are sent with lean properties
    (the full record comes on click, beside the map); if the view still holds too many, the map shows
    density cells (count and Σ亩 per cell) instead."""
    lang = opts.lang
    parcels_all = sel.parcels
    fields = PARCEL_FIELDS
    if len(parcels_all) > DETAIL_MAX:
        fields = LEAN_FIELDS
        if bounds is not None:
            minx, miny, maxx, maxy = bounds
            px, py = (maxx - minx) * VIEW_PAD, (maxy - miny) * VIEW_PAD
            parcels_all = in_view(parcels_all, (minx - px, miny - py, maxx + px, maxy + py))
        if len(parcels_all) > DETAIL_MAX or bounds is None:
            return density_layer(parcels_all, opts, zoom)
    parcels = _shift(parcels_all, basemaps.BASEMAPS[opts.basemap].datum)
    fg = folium.FeatureGroup(name=f"{i18n.t('parcels', lang)} ({len(parcels)})", show=True)
    legend_rows = []
    if len(parcels):
        pp = with_props(parcels, fields, lang, "p").assign(
            sector_group_zh=parcels.sector_group_zh.values, sector_group_en=parcels.sector_group_en.values,
            geometry_source=parcels.geometry_source.values)
        pp["_group"] = pp.sector_group_zh.map(lambda g: str(g).split(";")[0])
        for grp, part in pp.groupby("_group", sort=True):
            colour = style.group_colour(grp)
            for precise, sub in part.groupby(part.geometry_source.isin(["surveyed", "digitised"])):
                st = {"color": colour, "weight": _stroke(2, opts), "fillColor": colour, "fillOpacity": 0.55,
                      "dashArray": None if precise else "4 3", "className": "scimap-parcel"}
                _geojson(sub, f"parcels-{grp}", st).add_to(fg)
            label = grp if lang == "zh" else part.sector_group_en.iloc[0].split(";")[0]
            legend_rows.append((colour, f"{label} ({len(part)})", "dashed"))
    Legend(style.legend_html(i18n.t("legend_sector", lang), legend_rows) if legend_rows else "", key="parcels",
           position="bottomright").add_to(fg)
    return fg


def density_layer(parcels: gpd.GeoDataFrame, opts: MapOptions, zoom: int | None) -> folium.FeatureGroup:
    """Square cells (size by zoom) with the number of parcels and Σ亩 — a district-scale overview."""
    lang = opts.lang
    cell_m = {None: 1000, 10: 2000, 11: 1000, 12: 500, 13: 250}.get(zoom, 250 if (zoom or 0) >= 13 else 2000)
    fg = folium.FeatureGroup(name=f"{i18n.t('parcels', lang)} · {'密度' if lang == 'zh' else 'density'} ({len(parcels)})",
                             show=True)
    if not len(parcels):
        return fg
    crs = "EPSG:4544"
    if "rep_x" in parcels.columns:
        xs, ys = parcels.rep_x.to_numpy(dtype=float), parcels.rep_y.to_numpy(dtype=float)
    else:
        pts = parcels.geometry.representative_point().to_crs(crs)
        xs, ys = pts.x.to_numpy(), pts.y.to_numpy()
    gx = np.floor(xs / cell_m).astype(np.int64)
    gy = np.floor(ys / cell_m).astype(np.int64)
    df = pd.DataFrame({"gx": gx, "gy": gy, "mu": parcels.area_mu.to_numpy(dtype=float)})
    agg = df.groupby(["gx", "gy"]).agg(n=("mu", "size"), mu=("mu", "sum")).reset_index()
    cells = [shapely.box(x * cell_m, y * cell_m, (x + 1) * cell_m, (y + 1) * cell_m) for x, y in zip(agg.gx, agg.gy, strict=True)]
    g = gpd.GeoDataFrame(agg, geometry=cells, crs=crs).to_crs(WGS84)
    g = _shift(g, basemaps.BASEMAPS[opts.basemap].datum)
    idx, bins = style.classify(g.n.to_numpy(dtype=float))
    cols = style.class_colours(len(bins))
    unit = "亩" if lang == "zh" else "mu"
    for k in sorted(set(idx)):
        part = g[idx == k]
        recs = [{"_k": "cell", "_n": (f"{int(r.n)} 块地块" if lang == "zh" else f"{int(r.n)} parcels"),
                 "_s": f"Σ {r.mu:,.0f} {unit}", "zone_id": f"{cell_m} m", "_w": ""} for r in part.itertuples()]
        sub = gpd.GeoDataFrame({"_p": recs}, geometry=part.geometry.values, crs=WGS84)
        _geojson(sub, f"density-{k}", {"color": "#7c2d12", "weight": 0.5, "fillColor": cols[int(k)], "fillOpacity": 0.7,
                                       "className": "scimap-density"}, highlight=False, precision=5).add_to(fg)
    rows, lo = [], None
    for c, hi in zip(cols, bins, strict=False):
        rows.append((c, f"≤ {hi:,.0f}" if lo is None else f"{lo:,.0f} – {hi:,.0f}", "solid"))
        lo = hi
    title = (f"地块数 / {cell_m} m 网格（放大查看地块）" if lang == "zh" else f"Parcels per {cell_m} m cell (zoom in for parcels)")
    Legend(style.legend_html(title, rows), key="parcels", position="bottomright").add_to(fg)
    return fg


def build_map(data: PlanData, sel: Selection, opts: MapOptions, bounds=None, zoom: int | None = None) -> folium.Map:
    """The whole map in one page (exports, tests, benchmark): base map + parcels + layer control."""
    m = base_map(data, sel, opts)
    parcel_layer(sel, opts, bounds, zoom).add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    assets.localize(m, opts.asset_base)
    return m


def _thematic_polys(fg, polys, values: pd.Series, colour: str, lid: str):
    v = polys.zone_id.map(values).astype(float).to_numpy()
    idx, bins = style.classify(v)
    cols = style.class_colours(len(bins))
    polys = polys.assign(_cls=idx)
    for k, part in polys.groupby("_cls"):
        fill = style.NO_DATA if k < 0 else cols[int(k)]
        st = {"color": colour, "weight": 1.5, "fillColor": fill, "fillOpacity": 0.0 if k < 0 else 0.5,
              "dashArray": "6 4", "className": f"scimap-zone scimap-{lid} scimap-class-{k}"}
        _geojson(part, f"{lid}-class-{k}", st).add_to(fg)


def _thematic_legend(values: pd.Series, title: str, lang: str) -> str:
    v = values.dropna().to_numpy(dtype=float)
    idx, bins = style.classify(v)
    cols = style.class_colours(len(bins))
    rows, lo = [], None
    for c, hi in zip(cols, bins, strict=False):
        rows.append((c, f"≤ {style.fmt(hi, 1)}" if lo is None else f"{style.fmt(lo, 1)} – {style.fmt(hi, 1)}", "solid"))
        lo = hi
    rows.append(("#ffffff", i18n.t("missing", lang), "dashed"))
    return style.legend_html(f"{title} · Natural Breaks (Jenks)", rows)


def highlight_group(data: PlanData, ident: str, basemap: str) -> folium.FeatureGroup:
    """The selected parcel or zone outlined in yellow. Kept out of the map itself so that st_folium
    can swap it (feature_group_to_add) without redrawing the whole map."""
    fg = folium.FeatureGroup(name="selected", control=False)
    hit = data.parcels[data.parcels.project_id == ident]
    if not len(hit):
        hit = data.zones[data.zones.zone_id == ident]
    if ident and len(hit):
        g = _shift(hit[["geometry"]].copy(), basemaps.BASEMAPS[basemap].datum)
        folium.GeoJson(g.to_json(drop_id=True), name="selected-outline",
                       style_function=lambda _f: {"color": "#facc15", "weight": 5, "fill": False, "opacity": 1,
                                                  "className": "scimap-selected"}).add_to(fg)
    return fg


def map_feature_counts(m: folium.Map) -> dict:
    """How many features each GeoJson layer carries (for tests and the status line)."""
    out = {}
    for el in m._children.values():
        for sub in getattr(el, "_children", {}).values():
            if isinstance(sub, folium.GeoJson):
                out[sub.layer_name] = len(json.loads(sub.data if isinstance(sub.data, str) else json.dumps(sub.data))["features"])
    return out


def poi_layer(data: PlanData, opts: MapOptions, bounds=None) -> folium.FeatureGroup:
    """Rail stations and universities as small markers (within `bounds` if given)."""
    lang = opts.lang
    fg = folium.FeatureGroup(name="站点与高校" if lang == "zh" else "Stations and universities", show=True)
    if data.pois is None:
        return fg
    pois = data.pois[data.pois.geometry.notna() & data.pois.category.isin(["metro_station", "university"])]
    if bounds is not None:
        minx, miny, maxx, maxy = bounds
        pois = pois.cx[minx:maxx, miny:maxy]
    pois = _shift(pois, basemaps.BASEMAPS[opts.basemap].datum)
    for cat, colour in (("metro_station", "#dc2626"), ("university", "#047857")):
        sub = pois[pois.category == cat].drop_duplicates("geometry")
        if not len(sub):
            continue
        recs = [{"_k": "poi", "_n": r.name_zh if lang == "zh" else r.name_en,
                 "_s": (r.lines or "") if cat == "metro_station" else ("高校（近似位置）" if lang == "zh" else "university (approximate)"),
                 "zone_id": r.poi_id, "_w": ""} for r in sub.itertuples()]
        g = gpd.GeoDataFrame({"_p": recs}, geometry=sub.geometry.values, crs=sub.crs)
        _geojson(g, f"poi-{cat}", {"color": colour, "weight": 2, "fillColor": "#ffffff", "fillOpacity": 1, "radius": 5,
                                   "className": f"scimap-poi scimap-{cat}"},
                 marker=folium.CircleMarker(radius=5), highlight=False, precision=6).add_to(fg)
    return fg


def match_layer(data: PlanData, ranked: pd.DataFrame, opts: MapOptions, top: int = 10) -> folium.FeatureGroup:
    """The best-matching parcels with their rank, coloured from best (dark) to weaker (light)."""
    lang = opts.lang
    fg = folium.FeatureGroup(name="匹配地块" if lang == "zh" else "Matching parcels", show=True)
    best = ranked.head(top)
    parcels = data.parcels.set_index("parcel_id").loc[best.parcel_id].reset_index()
    parcels = _shift(gpd.GeoDataFrame(parcels, geometry="geometry", crs=WGS84), basemaps.BASEMAPS[opts.basemap].datum)
    joined = parcels[["parcel_id", "project_id", "geometry"]].merge(best, on=["parcel_id", "project_id"],
                           how="left")
    joined["rank"] = range(1, len(joined) + 1)
    for r in joined.itertuples():
        shade = style.SEQUENTIAL[4] if r.rank == 1 else (style.SEQUENTIAL[3] if r.rank <= 3 else style.SEQUENTIAL[2])
        rec = {"_k": "p", "_n": f"#{r.rank} {r.name_zh if lang == 'zh' else r.name_en}",
               "_s": f"{'匹配度' if lang == 'zh' else 'score'} {r.score:.2f}", "project_id": r.project_id,
               "land_mu": style.fmt(r.land_mu, 0), "_w": "schematic",
               "reasons": r.reasons_zh if lang == "zh" else r.reasons_en}
        g = gpd.GeoDataFrame({"_p": [rec]}, geometry=[r.geometry], crs=WGS84)
        _geojson(g, f"match-{r.rank}", {"color": "#7c2d12", "weight": 3, "fillColor": shade, "fillOpacity": 0.75,
                                        "className": "scimap-match"}, precision=6).add_to(fg)
        c = r.geometry.representative_point()
        folium.Marker([c.y, c.x], icon=folium.DivIcon(
            html=f"<div class='scimap-rank' style='font:700 12px sans-serif;color:#fff;background:#7c2d12;"
                 f"border-radius:9px;width:18px;height:18px;line-height:18px;text-align:center'>{int(r.rank)}</div>",
            icon_size=(18, 18), icon_anchor=(9, 9))).add_to(fg)
    return fg

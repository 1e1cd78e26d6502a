"""Build the Folium map for a selection: layers per layout, parcels per sector, thematic zones.

Everything user- or data-controlled that reaches HTML (names, quotes, notes) is escaped here,
once, into the `_tip`/`_popup` properties; Folium inserts those as HTML without escaping.
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
from branca.element import MacroElement, Template
from folium import plugins

from geo import aggregate, assets, basemaps, i18n, style
from geo.filter import Selection
from geo.gcj02 import gdf_to_gcj02, wgs84_to_gcj02
from geo.load import PlanData

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


# ------------------------------------------------------------------ HTML for tooltips and popups

def _val(v, lang: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v == "":
        return ""
    if isinstance(v, float):
        return style.fmt(v, 2)
    return str(v)


def table_html(row: pd.Series, fields: list[str], lang: str) -> str:
    cells = []
    for f in fields:
        if f not in row.index:
            continue
        v = _val(row[f], lang)
        if f == "geometry_source" or f == "parcel_geometry_source":
            v = i18n.geometry_source_label(v, lang) if v else v
        if not v:
            continue
        cells.append(f"<tr><th style='text-align:left;padding-right:8px;vertical-align:top;white-space:nowrap'>"
                     f"{html.escape(i18n.label(f, lang))}</th><td>{html.escape(v)}</td></tr>")
    return "<table style='font-size:12px;max-width:420px'>" + "".join(cells) + "</table>"


def _warning(geometry_source: str, lang: str) -> str:
    if geometry_source == "schematic":
        return f"<p style='color:#92400e;font-size:11px;margin:4px 0'>⚠ {html.escape(i18n.t('schematic_warning', lang))}</p>"
    if geometry_source == "gazetteer":
        return f"<p style='color:#92400e;font-size:11px;margin:4px 0'>⚠ {html.escape(i18n.t('approx_warning', lang))}</p>"
    return ""


PARCEL_FIELDS = ["project_id", "name_zh", "name_en", "kind", "sector_zh", "sector_en", "sector_group_zh",
                 "zone_name_zh", "region_zh", "district", "function_zh", "function_en", "land_mu", "land_mu_text", "land_note",
                 "area_mu", "output_target_yi", "output_target_text", "target_year", "output_per_mu_wan",
                 "geometry_source", "placement_note", "source_doc", "source_ref", "quote_zh", "notes"]
ZONE_FIELDS = ["zone_id", "name_zh", "name_en", "layout", "role_zh", "role_en", "district_zh", "sectors_zh",
               "area_mu_plan", "geometry_source", "position_method", "position_confidence", "position_note",
               "extent_method", "position_source", "source_doc", "source_ref", "quote_zh"]


def _name(row, lang):
    return row.get("name_zh", "") if lang == "zh" else (row.get("name_en", "") or row.get("name_zh", ""))


def parcel_props(parcels: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = parcels.copy()
    tips, pops = [], []
    for _, r in parcels.iterrows():
        name = _name(r, lang)
        land = style.fmt(r.land_mu, 0) + " " + i18n.t("unit_mu", lang) if not pd.isna(r.land_mu) else ""
        tips.append(f"<b>{html.escape(name)}</b><br>{html.escape(str(r.sector_zh if lang == 'zh' else r.sector_en))}"
                    f"{' · ' + html.escape(land) if land else ''}<br>"
                    f"<span style='color:#666'>{html.escape(i18n.label('project_id', lang))} {html.escape(r.project_id)}</span>")
        pops.append(f"<h4 style='margin:0 0 4px'>{html.escape(name)}</h4>{_warning(r.geometry_source, lang)}"
                    + table_html(r, PARCEL_FIELDS, lang))
    out["_tip"], out["_popup"] = tips, pops
    return out


def zone_props(zones: pd.DataFrame, lang: str, values: pd.Series | None = None, measure_label: str = "") -> pd.DataFrame:
    out = zones.copy()
    tips, pops = [], []
    for _, r in zones.iterrows():
        name = _name(r, lang)
        role = r.role_zh if lang == "zh" else (r.role_en or r.role_zh)
        extra = ""
        if values is not None and r.zone_id in values.index and not pd.isna(values[r.zone_id]):
            extra = f"<br>{html.escape(measure_label)}: {html.escape(style.fmt(values[r.zone_id], 1))}"
        tips.append(f"<b>{html.escape(name)}</b>{(' · ' + html.escape(role)) if role else ''}{extra}<br>"
                    f"<span style='color:#666'>{html.escape(i18n.label('zone_id', lang))} {html.escape(r.zone_id)}</span>")
        pops.append(f"<h4 style='margin:0 0 4px'>{html.escape(name)}</h4>{_warning(r.geometry_source, lang)}"
                    + table_html(r, ZONE_FIELDS, lang))
    out["_tip"], out["_popup"] = tips, pops
    return out


# ------------------------------------------------------------------ layers

def _geojson(gdf: gpd.GeoDataFrame, name: str, style_dict: dict, marker=None, highlight: bool = True) -> folium.GeoJson:
    data = gdf[["_tip", "_popup", "geometry"]].to_json(ensure_ascii=False, drop_id=True)
    kw = {}
    if marker is not None:
        kw["marker"] = marker
    return folium.GeoJson(
        data, name=name, style_function=lambda _f, s=style_dict: s,
        highlight_function=(lambda _f: {"weight": 4, "fillOpacity": 0.35}) if highlight else None,
        tooltip=folium.GeoJsonTooltip(fields=["_tip"], labels=False, localize=False, sticky=True),
        popup=folium.GeoJsonPopup(fields=["_popup"], labels=False, localize=False, max_width=460),
        **kw,
    )


class Legend(MacroElement):
    """A Leaflet control holding pre-escaped legend HTML (works in st_folium and in HTML exports)."""

    _template = Template("""
    {% macro script(this, kwargs) %}
    (function(){
      var c = L.control({position: {{ this.position|tojson }}});
      c.onAdd = function(){ var d = L.DomUtil.create('div'); d.innerHTML = {{ this.html|tojson }};
        L.DomEvent.disableClickPropagation(d); return d; };
      c.addTo({{ this._parent.get_name() }});
    })();
    {% endmacro %}
    """)

    def __init__(self, html_text: str, position: str = "bottomright"):
        super().__init__()
        self._name = "Legend"
        self.html = html_text
        self.position = position


def _shift(gdf: gpd.GeoDataFrame, datum: str) -> gpd.GeoDataFrame:
    return gdf_to_gcj02(gdf) if datum == "gcj02" and len(gdf) else gdf


def zone_values(sel: Selection, memberships: pd.DataFrame, measure: str) -> pd.Series:
    """Σ of a measure per zone over the selected projects (projects of descendant zones and
    parcels inside the zone count once)."""
    t = aggregate.aggregate_memberships(sel.projects, memberships, "zone_id")
    if len(t) == 0:
        return pd.Series(dtype=float)
    return t.set_index("zone_id")[THEMATIC_MEASURES[measure]].astype(float)


def build_map(data: PlanData, sel: Selection, opts: MapOptions, memberships: pd.DataFrame | None = None) -> folium.Map:
    lang = opts.lang
    bm = basemaps.BASEMAPS[opts.basemap]
    center = opts.center
    if bm.datum == "gcj02":
        lon, lat = wgs84_to_gcj02(center[1], center[0])
        center = (lat, lon)
    m = folium.Map(location=list(center), zoom_start=opts.zoom, tiles=None, control_scale=True,
                   prefer_canvas=False, max_zoom=19)
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
    if opts.thematic in THEMATIC_MEASURES and memberships is not None:
        values = zone_values(sel, memberships, opts.thematic)
        shown = zones[(zones.layer_id == opts.thematic_layer) & ~zones.extent_method.str.contains("hull|district boundary")]
        values = values[values.index.isin(shown.zone_id)]
        measure_label = i18n.t({"land": "land_sum", "output": "output_sum", "per_mu": "per_mu"}[opts.thematic], lang)
    zp = zone_props(zones, lang, values, measure_label) if len(zones) else zones
    located = zp[zp.position_confidence != "none"] if len(zp) else zp
    unlocated = zp[zp.position_confidence == "none"] if len(zp) else zp

    default_hidden = {"sti_places", "hts_places", "lj_places", "yz_places", "jlp_places"}
    for layer in data.layers:
        lid = layer["layer_id"]
        if lid == "districts" or not len(located):
            continue
        sub = located[located.layer_id == lid]
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
                _geojson(polys[whole], f"{lid}-outline", {"color": colour, "weight": 2, "fill": False,
                                                          "dashArray": "6 4", "className": f"scimap-zone scimap-{lid}"}).add_to(fg)
        else:
            for precise, part in polys.groupby(polys.geometry_source.isin(["surveyed", "digitised"])):
                st = {"color": colour, "weight": layer["default_style"]["weight"], "fillColor": colour,
                      "fillOpacity": 0.0 if lid == "towns" else layer["default_style"]["fill_opacity"],
                      "dashArray": None if precise else "6 4", "className": f"scimap-zone scimap-{lid}"}
                _geojson(part, f"{lid}-{'precise' if precise else 'approx'}", st).add_to(fg)
        if len(lines):
            # the axis segments are drawn; the parent axis (their union) stays in the data for queries
            segs = lines[lines.zone_id != "sti_axis"] if (lines.zone_id != "sti_axis").any() else lines
            _geojson(segs, f"{lid}-lines", {"color": colour, "weight": 5, "opacity": 0.85, "dashArray": "10 6",
                                            "className": "scimap-axis"}).add_to(fg)
        if len(pts):
            _geojson(pts, f"{lid}-points", {"color": colour, "weight": 2, "fillColor": "#ffffff", "fillOpacity": 0.9,
                                            "radius": 6, "className": "scimap-point"},
                     marker=folium.CircleMarker(radius=6)).add_to(fg)
        fg.add_to(m)
    if len(unlocated):
        fg = folium.FeatureGroup(name=f"{i18n.t('not_located', lang)} ({len(unlocated)})", show=False)
        _geojson(unlocated, "unlocated", {"color": "#6b7280", "weight": 1.5, "fillColor": "#f3f4f6", "fillOpacity": 0.8,
                                          "radius": 5, "dashArray": "2 3", "className": "scimap-unlocated"},
                 marker=folium.CircleMarker(radius=5)).add_to(fg)
        fg.add_to(m)

    # parcels: one layer per sector group with a fixed style
    parcels = _shift(sel.parcels, bm.datum)
    legend_rows = []
    if len(parcels):
        pp = parcel_props(parcels, lang)
        fg = folium.FeatureGroup(name=f"{i18n.t('parcels', lang)} ({len(pp)})", show=True)
        pp["_group"] = pp.sector_group_zh.map(lambda g: str(g).split(";")[0])
        for grp, part in pp.groupby("_group", sort=True):
            colour = style.group_colour(grp)
            for precise, sub in part.groupby(part.geometry_source.isin(["surveyed", "digitised"])):
                st = {"color": colour, "weight": 2, "fillColor": colour, "fillOpacity": 0.55,
                      "dashArray": None if precise else "4 3", "className": "scimap-parcel"}
                _geojson(sub, f"parcels-{grp}", st).add_to(fg)
            label = grp if lang == "zh" else part.sector_group_en.iloc[0].split(";")[0]
            legend_rows.append((colour, f"{label} ({len(part)})", "dashed"))
        fg.add_to(m)

    legend = style.legend_html(i18n.t("legend_sector", lang), legend_rows) if legend_rows else ""
    if values is not None:
        legend += _thematic_legend(values, measure_label, lang)
    legend += (f"<div style='background:rgba(255,255,255,.9);padding:3px 8px;font:11px sans-serif;margin-top:4px;"
               f"border-radius:4px'>{html.escape(i18n.t('legend_precision', lang))}</div>")
    Legend(legend).add_to(m)

    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    plugins.Fullscreen(position="topleft").add_to(m)
    plugins.MeasureControl(position="topleft", primary_length_unit="meters", secondary_length_unit="kilometers",
                           primary_area_unit="sqmeters", secondary_area_unit="hectares").add_to(m)
    if tiles:
        mini = folium.TileLayer(tiles=tiles[0]["tiles"], attr=tiles[0]["attr"], subdomains=tiles[0]["subdomains"])
        plugins.MiniMap(tile_layer=mini, position="bottomleft", toggle_display=True, zoom_level_offset=-5).add_to(m)
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

"""Parcel fact sheets for prospective firms: HTML and PDF, Chinese or English.

One page per parcel: a map of the parcel and its surroundings (drawn with matplotlib in the
CGCS2000 Gauss–Krüger plane, Noto Sans CJK labels), area in 亩 and m², zone and layout role, the
plan's intended function and sector, output target and output per 亩, distances to the nearest
stations and universities, related projects nearby, the plan sources, the geometry's precision and
a configurable contact block. The PDF is printed by headless Chromium, which embeds the subset of
the CJK font it uses. Every value reaching the HTML is escaped.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import config as paths
from geo import i18n
from geo.core.crs import M2_PER_MU, WGS84, gk_epsg_for_lon
from geo.core.model import PlanData

CJK_FONT_FILES = ["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                  "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"]
NEARBY_M = 3000.0

TEXT = {
    "title": ("地块推介资料", "Parcel fact sheet"),
    "subtitle": ("西部（重庆）科学城 · 科学城规划一张图", "Western (Chongqing) Science City · Science City Planning Map"),
    "area": ("占地面积", "Land area"), "zone": ("所在片区", "Zone"), "layout": ("空间布局角色", "Role in the layout"),
    "function": ("规划用途", "Intended use (plan)"), "sector": ("赛道", "Sector"), "district": ("区县", "District"),
    "output": ("产值目标", "Output target"), "per_mu": ("亩均产值目标", "Target output per mu"),
    "year": ("目标年份", "Target year"), "stations": ("最近的轨道站点", "Nearest rail stations"),
    "universities": ("最近的高校", "Nearest universities"), "nearby": ("周边规划项目（3 公里内）", "Planned projects nearby (within 3 km)"),
    "sources": ("规划依据", "Plan sources"), "precision": ("几何精度", "Geometry precision"),
    "contact": ("联系我们", "Contact"), "missing": ("规划未给出", "not given in the plan"),
    "legend_parcel": ("本地块", "This parcel"), "legend_other": ("其他规划地块", "Other planned parcels"),
    "legend_zone": ("规划片区（近似范围）", "Planned zones (approximate)"), "legend_station": ("轨道站点", "Rail station"),
    "legend_univ": ("高校（近似位置）", "University (approximate)"), "generated": ("生成时间", "Generated"),
    "distance_note": ("距离为地块边界到站点的直线距离，按 CGCS2000 高斯–克吕格投影计算。",
                      "Distances are straight lines from the parcel boundary, computed in the CGCS2000 Gauss–Krüger plane."),
    "schematic": ("本地块图形为示意：位置依据规划文字描述，面积按规划亩数绘制，并非测绘边界。实际用地边界以规划和自然资源部门为准。",
                  "This parcel outline is schematic: its position follows the plan's description and its size the plan's "
                  "figure in mu; it is not a surveyed boundary. The planning authority holds the actual boundary."),
    "surveyed": ("本地块图形来自测绘或数字化边界。", "This parcel outline comes from a surveyed or digitised boundary."),
    "quote": ("原文", "Plan text"),
}


def t(key: str, lang: str) -> str:
    return i18n.pick(TEXT, key, lang)


def esc(v) -> str:
    return html.escape("" if v is None else str(v))


def load_contact() -> dict:
    """Contact block from SCIMAP_CONTACT_FILE or config/contact.json (promoters fill it in)."""
    path = Path(paths.settings().contact_file)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def _fmt(x, digits=1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{x:,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{x:,.0f}"


def _cjk_font():
    from matplotlib import font_manager
    for f in CJK_FONT_FILES:
        if Path(f).exists():
            font_manager.fontManager.addfont(f)
    names = {f.name for f in font_manager.fontManager.ttflist}
    return "Noto Sans CJK SC" if "Noto Sans CJK SC" in names else ("Noto Sans CJK JP" if "Noto Sans CJK JP" in names else None)


def map_png(data: PlanData, parcel_ids: list[str], lang: str = "zh", size=(7.6, 4.3)) -> bytes:
    """A map of the parcel(s) and their surroundings in the GK plane, as PNG bytes."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    family = _cjk_font()
    if family:
        plt.rcParams["font.family"] = [family, "DejaVu Sans"]
    sel = data.parcels[data.parcels.parcel_id.isin(parcel_ids)]
    crs = f"EPSG:{gk_epsg_for_lon(sel.geometry.union_all().representative_point().x)}"
    focus = sel.to_crs(crs)
    minx, miny, maxx, maxy = focus.total_bounds
    pad = max(1500.0, 0.6 * max(maxx - minx, maxy - miny))
    box = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    fig, ax = plt.subplots(figsize=size, dpi=160)
    zones = data.zones[data.zones.geom_type.isin(["Polygon", "MultiPolygon"]) &
                       (data.zones.position_confidence != "none")].to_crs(crs).cx[box[0]:box[2], box[1]:box[3]]
    zones = zones[~zones.extent_method.str.contains("hull|district boundary")]
    if len(zones):
        zones.boundary.plot(ax=ax, color="#7c3aed", linewidth=0.7, linestyle=(0, (4, 3)), alpha=0.6)
        placed: list[tuple[float, float]] = []
        for r in zones[zones.layer_id == "towns"].itertuples():  # town names only: the others share positions
            c = r.geometry.centroid
            if box[0] < c.x < box[2] and box[1] < c.y < box[3] and all(math.hypot(c.x - x, c.y - y) > 800 for x, y in placed):
                placed.append((c.x, c.y))
                ax.annotate(r.name_zh if lang == "zh" else r.name_en, (c.x, c.y), fontsize=7, color="#5b21b6",
                            ha="center", alpha=0.8)
    others = data.parcels[~data.parcels.parcel_id.isin(parcel_ids)].to_crs(crs).cx[box[0]:box[2], box[1]:box[3]]
    if len(others):
        others.plot(ax=ax, facecolor="#93c5fd", edgecolor="#1d4ed8", linewidth=0.6, alpha=0.6)
    focus.plot(ax=ax, facecolor="#f59e0b", edgecolor="#b45309", linewidth=1.6, alpha=0.85)
    pois = data.pois[data.pois.geometry.notna()].to_crs(crs).cx[box[0]:box[2], box[1]:box[3]]
    for cat, marker, colour in (("metro_station", "^", "#dc2626"), ("university", "*", "#047857")):
        pp = pois[pois.category == cat]
        if len(pp):
            ax.scatter(pp.geometry.x, pp.geometry.y, marker=marker, s=42, color=colour, zorder=5)
            for r in pp.drop_duplicates("geometry").itertuples():
                label = r.name_zh if lang == "zh" else r.name_en
                ax.annotate(label, (r.geometry.x, r.geometry.y), xytext=(4, 3), textcoords="offset points",
                            fontsize=6.5, color=colour)
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    # scale bar and north arrow
    span = box[2] - box[0]
    bar = 1000 if span < 8000 else 2000
    x0, y0 = box[0] + 0.05 * span, box[1] + 0.05 * (box[3] - box[1])
    ax.plot([x0, x0 + bar], [y0, y0], color="black", linewidth=2.5)
    ax.annotate(f"{bar / 1000:g} km", (x0 + bar / 2, y0), xytext=(0, 4), textcoords="offset points", ha="center", fontsize=7)
    ax.annotate("N", xy=(0.95, 0.93), xytext=(0.95, 0.83), xycoords="axes fraction", ha="center", fontsize=9,
                arrowprops={"arrowstyle": "-|>", "color": "black"})
    handles = [Patch(facecolor="#f59e0b", edgecolor="#b45309", label=t("legend_parcel", lang)),
               Patch(facecolor="#93c5fd", edgecolor="#1d4ed8", label=t("legend_other", lang)),
               Line2D([], [], color="#7c3aed", linestyle="--", label=t("legend_zone", lang)),
               Line2D([], [], marker="^", color="#dc2626", linestyle="", label=t("legend_station", lang)),
               Line2D([], [], marker="*", color="#047857", linestyle="", label=t("legend_univ", lang))]
    ax.legend(handles=handles, loc="upper left", fontsize=6.5, framealpha=0.9)
    ax.text(0.99, 0.01, "CGCS2000 / GK " + crs.replace("EPSG:", "EPSG "), transform=ax.transAxes, fontsize=5.5,
            ha="right", va="bottom", color="#555")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def facts(data: PlanData, project_id: str, lang: str = "zh") -> dict:
    """Everything a fact sheet says about one project's parcel, computed once (also used by tests)."""
    p = data.enriched
    if project_id not in set(p.project_id):
        raise KeyError(f"no project {project_id!r} in data/projects.csv")
    row = p.set_index("project_id").loc[project_id]
    parcel = data.parcels[data.parcels.project_id == project_id]
    if not len(parcel):
        raise KeyError(f"project {project_id} has no parcel (the plan gives no land area)")
    parcel = parcel.iloc[[0]]
    pg = gpd.GeoDataFrame(parcel, geometry="geometry", crs=WGS84)
    stations = data.pois[(data.pois.category == "metro_station") & data.pois.geometry.notna()]
    univs = data.pois[(data.pois.category == "university") & data.pois.geometry.notna()]
    crs = f"EPSG:{gk_epsg_for_lon(pg.geometry.iloc[0].representative_point().x)}"
    g = pg.to_crs(crs).geometry.iloc[0]

    def top(points: gpd.GeoDataFrame, k: int) -> list[tuple[str, str, float]]:
        pts = points.to_crs(crs)
        d = pts.geometry.distance(g)
        order = np.argsort(d.to_numpy())
        out, seen = [], set()
        for j in order:
            name = pts.iloc[j].name_zh if lang == "zh" else pts.iloc[j].name_en
            if name in seen:
                continue
            seen.add(name)
            out.append((name, pts.iloc[j].get("lines", "") or "", float(d.iloc[j])))
            if len(out) == k:
                break
        return out

    others = data.parcels[data.parcels.project_id != project_id].to_crs(crs)
    near = others[others.geometry.distance(g) <= NEARBY_M]
    near_rows = p.set_index("project_id").loc[near.project_id] if len(near) else p.iloc[0:0]
    zone = data.zones.set_index("zone_id").loc[row.zone_id]
    # headline area: the plan's figure for a schematic footprint (sized to it), the geometry's otherwise
    precise = parcel.geometry_source.iloc[0] in ("surveyed", "digitised")
    area_mu = float(parcel.area_mu.iloc[0]) if precise or pd.isna(row.land_mu) else float(row.land_mu)
    area_m2 = area_mu * M2_PER_MU
    docs = data.sources.set_index("source_doc")
    return {
        "project_id": project_id, "parcel_id": parcel.parcel_id.iloc[0],
        "name": row.name_zh if lang == "zh" else row.name_en, "name_zh": row.name_zh, "name_en": row.name_en,
        "area_mu": area_mu, "area_m2": area_m2, "geometry_area_mu": float(parcel.area_mu.iloc[0]), "land_mu_plan": row.land_mu,
        "land_note": row.land_note, "zone": zone.name_zh if lang == "zh" else zone.name_en,
        "role": (zone.role_zh if lang == "zh" else zone.role_en) or "", "layout": zone.layout or "",
        "function": row.function_zh if lang == "zh" else (row.function_en or row.function_zh),
        "sector": row.sector_zh if lang == "zh" else row.sector_en, "district": row.district,
        "output_yi": row.output_target_yi, "output_text": row.output_target_text, "target_year": row.target_year,
        "per_mu_wan": row.output_per_mu_wan, "stations": top(stations, 3), "universities": top(univs, 2),
        "nearby": [(r.name_zh if lang == "zh" else r.name_en, r.sector_zh if lang == "zh" else r.sector_en,
                    r.land_mu, float(near.set_index("project_id").loc[i].geometry.distance(g)))
                   for i, r in near_rows.iterrows()],
        "source": f"{row.source_doc} · {docs.loc[row.source_doc, 'title_zh' if lang == 'zh' else 'title_en']} · {row.source_ref}",
        "quote": row.quote_zh, "geometry_source": parcel.geometry_source.iloc[0],
        "placement_note": parcel.placement_note.iloc[0],
    }


CSS = """
@page { size: A4; margin: 14mm 14mm 16mm 14mm; }
body { font-family: "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans", sans-serif; color: #1f2937; font-size: 10.5pt; }
.sheet { page-break-after: always; }
.sheet:last-child { page-break-after: auto; }
header { border-bottom: 3px solid #b45309; padding-bottom: 6px; margin-bottom: 10px; }
header .kicker { color: #b45309; font-size: 9pt; letter-spacing: .08em; }
h1 { font-size: 19pt; margin: 2px 0 0; }
h1 small { font-size: 10pt; color: #6b7280; font-weight: normal; margin-left: 8px; }
h2 { font-size: 11pt; color: #92400e; margin: 12px 0 4px; border-left: 4px solid #f59e0b; padding-left: 6px; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 4px 18px; }
.kv { display: flex; justify-content: space-between; border-bottom: 1px dotted #d1d5db; padding: 2px 0; }
.kv b { color: #4b5563; font-weight: 600; margin-right: 10px; white-space: nowrap; }
.big { font-size: 17pt; font-weight: 700; color: #b45309; }
.map { width: 100%; border: 1px solid #d1d5db; margin-top: 6px; }
table { width: 100%; border-collapse: collapse; font-size: 9.5pt; }
td, th { border-bottom: 1px solid #e5e7eb; padding: 3px 4px; text-align: left; }
td:last-child { white-space: nowrap; text-align: right; }
.note { font-size: 8.5pt; color: #92400e; background: #fffbeb; border: 1px solid #fde68a; padding: 5px 7px; margin-top: 6px; }
.quote { font-size: 8.5pt; color: #4b5563; }
.contact { background: #f3f4f6; padding: 7px 9px; margin-top: 10px; font-size: 9.5pt; }
footer { font-size: 7.5pt; color: #9ca3af; margin-top: 8px; }
"""


def sheet_html(f: dict, png: bytes, lang: str, contact: dict, generated: str) -> str:
    def kv(k, v):
        return f"<div class='kv'><b>{esc(k)}</b><span>{esc(v) if v not in (None, '') else esc(t('missing', lang))}</span></div>"

    out_text = f"{_fmt(f['output_yi'])} 亿元" if lang == "zh" else f"{_fmt(f['output_yi'])} × 100 M CNY"
    if f["output_yi"] is None or (isinstance(f["output_yi"], float) and math.isnan(f["output_yi"])):
        out_text = ""
    per_mu = f"{_fmt(f['per_mu_wan'])} 万元/亩" if lang == "zh" else f"{_fmt(f['per_mu_wan'])} × 10k CNY/mu"
    if f["per_mu_wan"] is None or (isinstance(f["per_mu_wan"], float) and math.isnan(f["per_mu_wan"])):
        per_mu = ""
    area = f"{_fmt(f['area_mu'], 0)} 亩 · {_fmt(f['area_m2'], 0)} m²" if lang == "zh" else \
        f"{_fmt(f['area_mu'], 0)} mu · {_fmt(f['area_m2'], 0)} m² ({_fmt(f['area_m2'] / 1e4, 2)} ha)"
    if f["land_note"]:
        area += f"（{f['land_note']}）" if lang == "zh" else f" ({f['land_note']})"
    st_rows = "".join(f"<tr><td>{esc(n)}</td><td>{esc(lines)}</td><td>{esc(_fmt(d / 1000, 2))} km</td></tr>"
                      for n, lines, d in f["stations"])
    un_rows = "".join(f"<tr><td>{esc(n)}</td><td></td><td>{esc(_fmt(d / 1000, 2))} km</td></tr>" for n, _, d in f["universities"])
    near = "".join(f"<tr><td>{esc(n)}</td><td>{esc(s)}</td><td>{esc(_fmt(mu, 0))} {'亩' if lang == 'zh' else 'mu'}</td>"
                   f"<td>{esc(_fmt(d / 1000, 2))} km</td></tr>" for n, s, mu, d in sorted(f["nearby"], key=lambda x: x[3]))
    precise = f["geometry_source"] in ("surveyed", "digitised")
    c = contact.get(lang, contact) if isinstance(contact, dict) else {}
    contact_html = "".join(f"<div>{esc(v)}</div>" for v in (c.get("org"), c.get("person"), c.get("phone"),
                                                            c.get("email"), c.get("address")) if v)
    return f"""
<section class="sheet">
<header><div class="kicker">{esc(t('title', lang))} · {esc(t('subtitle', lang))}</div>
<h1>{esc(f['name'])}<small>{esc(f['name_en'] if lang == 'zh' else f['name_zh'])} · {esc(f['project_id'])}</small></h1></header>
<div class="grid">
  <div><div class="big">{esc(area)}</div>
  {kv(t('zone', lang), f['zone'])}{kv(t('layout', lang), ' · '.join(x for x in (f['layout'], f['role']) if x))}
  {kv(t('district', lang), f['district'])}{kv(t('function', lang), f['function'])}{kv(t('sector', lang), f['sector'])}
  {kv(t('output', lang), out_text)}{kv(t('per_mu', lang), per_mu)}{kv(t('year', lang), str(int(f['target_year'])) if f['target_year'] is not None and not pd.isna(f['target_year']) else '')}
  </div>
  <div><h2>{esc(t('stations', lang))}</h2><table>{st_rows}</table>
  <h2>{esc(t('universities', lang))}</h2><table>{un_rows}</table>
  <div class="quote">{esc(t('distance_note', lang))}</div></div>
</div>
<img class="map" src="data:image/png;base64,{base64.b64encode(png).decode()}" alt="map">
<div class="note"><b>{esc(t('precision', lang))}:</b> {esc(t('surveyed' if precise else 'schematic', lang))}</div>
<h2>{esc(t('nearby', lang))}</h2><table>{near or '<tr><td>—</td></tr>'}</table>
<h2>{esc(t('sources', lang))}</h2><div>{esc(f['source'])}</div>
<div class="quote">{esc(t('quote', lang))}: “{esc(f['quote'])}”</div>
<div class="contact"><b>{esc(t('contact', lang))}</b>{contact_html}</div>
<footer>{esc(t('generated', lang))}: {esc(generated)} · 科学城规划一张图 · Science City Planning Map</footer>
</section>"""


def factsheet_html(data: PlanData, project_ids: list[str], lang: str = "zh", contact: dict | None = None) -> str:
    import datetime as dt
    contact = load_contact() if contact is None else contact
    generated = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    parts = []
    for pid in project_ids:
        f = facts(data, pid, lang)
        parts.append(sheet_html(f, map_png(data, [f["parcel_id"]], lang), lang, contact, generated))
    title = f"{t('title', lang)} · " + " / ".join(esc(p) for p in project_ids)
    return (f"<!DOCTYPE html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>"
            f"<title>{title}</title><style>{CSS}</style></head><body>{''.join(parts)}</body></html>")


def html_to_pdf(page_html: str) -> bytes:
    """Print HTML to PDF with headless Chromium (fonts are embedded as subsets)."""
    from playwright.sync_api import sync_playwright
    chromium = paths.settings().chromium
    if not Path(chromium).exists():
        raise RuntimeError(f"Chromium not found at {chromium}: install Debian's chromium (scripts/run.sh does)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium), headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"])
        try:
            page = b.new_page()
            page.route("**/*", lambda r: r.abort() if r.request.url.startswith("http") else r.continue_())
            page.set_content(page_html, wait_until="load")
            return page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        finally:
            b.close()


def write_factsheet(data: PlanData, project_ids: list[str], out: str | os.PathLike, lang: str = "zh",
                    contact: dict | None = None) -> Path:
    """Write FILE.pdf or FILE.html (by suffix) atomically."""
    from geo.io import atomic as gio
    out = Path(out)
    page = factsheet_html(data, project_ids, lang, contact)
    if out.suffix.lower() == ".html":
        gio.write_text(out, page)
    else:
        pdf = html_to_pdf(page)
        with gio.atomic_path(out) as tmp:
            Path(tmp).write_bytes(pdf)
    return out

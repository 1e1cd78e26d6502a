"""Parcel fact sheets for prospective firms: HTML and PDF, Chinese or English.

One page per parcel: a map of the parcel and its surroundings (:mod:`geo.render.sheetmap`), area in
亩 and m², zone and layout role, the plan's intended function and sector, output target and output
per 亩, distances to the nearest stations and universities (:mod:`geo.core.nearest`, in the parcel's
own Gauss–Krüger zone), related projects nearby, the plan sources, the geometry's precision and the
promoter's contact block (the caller passes it in: ``geo.io.contact.load_contact``). The PDF is
printed by headless Chromium, which embeds the subset of the CJK font it uses. Every value reaching
the HTML is escaped; every string comes from ``i18n.SHEET``.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo import config, i18n
from geo.config import M2_PER_MU, WGS84
from geo.core.missing import is_blank, is_missing
from geo.core.model import PlanData
from geo.core.nearest import nearest_k, within
from geo.render.sheetmap import map_png

NEARBY_M = 3000.0
PRECISE = ("surveyed", "digitised")


def _t(key: str, lang: str, **values: object) -> str:
    return i18n.pick(i18n.SHEET, key, lang, **values)


def _esc(v: object) -> str:
    return html.escape("" if v is None else str(v))


def _closest(points: gpd.GeoDataFrame, geom: Any, k: int, lang: str) -> list[tuple[str, str, float]]:
    """(name, lines, metres) of the ``k`` nearest points, one row per name."""
    name = i18n.col("name", lang)
    hit = nearest_k(points, geom, k, distinct=name)
    lines = hit["lines"] if "lines" in hit.columns else pd.Series("", index=hit.index)
    return [(n, ln if isinstance(ln, str) else "", float(d))
            for n, ln, d in zip(hit[name], lines, hit.distance_m, strict=True)]


def _nearby(data: PlanData, project_id: str, geom: Any, lang: str) -> list[tuple[str, str, float, float]]:
    """(name, sector, 亩 in the plan, metres) of the other projects' parcels within NEARBY_M."""
    others = data.parcels[data.parcels.project_id != project_id]
    hit = within(others, geom, NEARBY_M)
    projects = data.enriched.set_index("project_id")
    name, sector = i18n.col("name", lang), i18n.col("sector", lang)
    return [(projects.at[pid, name], projects.at[pid, sector], projects.at[pid, "land_mu"], float(d))
            for pid, d in zip(hit.project_id, hit.distance_m, strict=True)]


def _parcel(data: PlanData, project_id: str) -> gpd.GeoDataFrame:
    if project_id not in set(data.enriched.project_id):
        raise KeyError(f"no project {project_id!r} in data/projects.csv")
    parcel = data.parcels[data.parcels.project_id == project_id]
    if not len(parcel):
        raise KeyError(f"project {project_id} has no parcel (the plan gives no land area)")
    return gpd.GeoDataFrame(parcel.iloc[[0]], geometry="geometry", crs=WGS84)


def facts(data: PlanData, project_id: str, lang: str = "zh") -> dict[str, Any]:
    """Everything a fact sheet says about one project's parcel, computed once (also used by tests).

    Parameters
    ----------
    data : PlanData
    project_id : str
    lang : {"zh", "en"}, default "zh"
        Language of the names (places, zones, sectors).

    Returns
    -------
    dict
        Names, areas (the plan's figure for a schematic footprint sized to it, the geometry's
        otherwise), zone and role, output figures, ``stations`` (3) and ``universities`` (2) as
        (name, lines, metres), ``nearby`` projects as (name, sector, 亩, metres), source, quote and
        the geometry's provenance.

    Raises
    ------
    KeyError
        An unknown project, or one without a parcel.
    """
    parcel = _parcel(data, project_id)
    row = data.enriched.set_index("project_id").loc[project_id]
    geom = parcel.geometry.iloc[0]
    pois = data.pois[data.pois.geometry.notna()]
    zone = data.zones.set_index("zone_id").loc[row.zone_id]
    source = parcel.geometry_source.iloc[0]
    area_mu = float(parcel.area_mu.iloc[0]) if source in PRECISE or is_missing(row.land_mu) else float(row.land_mu)
    title = data.sources.set_index("source_doc").loc[row.source_doc, i18n.col("title", lang)]
    return {
        "project_id": project_id, "parcel_id": parcel.parcel_id.iloc[0],
        "name": row[i18n.col("name", lang)], "name_zh": row.name_zh, "name_en": row.name_en,
        "area_mu": area_mu, "area_m2": area_mu * M2_PER_MU, "geometry_area_mu": float(parcel.area_mu.iloc[0]),
        "land_mu_plan": row.land_mu, "land_note": row.land_note, "zone": zone[i18n.col("name", lang)],
        "role": zone[i18n.col("role", lang)] or "", "layout": zone.layout or "",
        "function": row[i18n.col("function", lang)] or row.function_zh,
        "sector": row[i18n.col("sector", lang)], "district": row.district,
        "output_yi": row.output_target_yi, "output_text": row.output_target_text, "target_year": row.target_year,
        "per_mu_wan": row.output_per_mu_wan,
        "stations": _closest(pois[pois.category == "metro_station"], geom, 3, lang),
        "universities": _closest(pois[pois.category == "university"], geom, 2, lang),
        "nearby": _nearby(data, project_id, geom, lang),
        "source": f"{row.source_doc} · {title} · {row.source_ref}",
        "quote": row.quote_zh, "geometry_source": source, "placement_note": parcel.placement_note.iloc[0],
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


def _kv(key: str, value: object, lang: str) -> str:
    shown = _esc(value) if not is_blank(value) else _esc(_t("missing", lang))
    return f"<div class='kv'><b>{_esc(_t(key, lang))}</b><span>{shown}</span></div>"


def _figures(f: dict[str, Any], lang: str) -> dict[str, str]:
    """The headline area and the output figures in words ("" where the plan gives none)."""
    area = _t("area_value", lang, mu=i18n.number(f["area_mu"], 0), m2=i18n.number(f["area_m2"], 0),
              ha=i18n.number(f["area_m2"] / 1e4, 2))
    if not is_blank(f["land_note"]):
        area += _t("area_note", lang, note=f["land_note"])
    year = f["target_year"]
    return {
        "area": area,
        "output": "" if is_missing(f["output_yi"]) else _t("output_value", lang, v=i18n.number(f["output_yi"])),
        "per_mu": "" if is_missing(f["per_mu_wan"]) else _t("per_mu_value", lang, v=i18n.number(f["per_mu_wan"])),
        "year": "" if is_missing(year) else str(int(year)),
    }


def _tables(f: dict[str, Any], lang: str) -> dict[str, str]:
    """Rows of the stations, universities and nearby projects tables."""
    def km(d: float) -> str:
        return _esc(i18n.distance(d, "km"))

    mu = _esc(i18n.t("unit_mu", lang))
    return {
        "stations": "".join(f"<tr><td>{_esc(n)}</td><td>{_esc(lines)}</td><td>{km(d)}</td></tr>"
                            for n, lines, d in f["stations"]),
        "universities": "".join(f"<tr><td>{_esc(n)}</td><td></td><td>{km(d)}</td></tr>" for n, _, d in f["universities"]),
        "nearby": "".join(f"<tr><td>{_esc(n)}</td><td>{_esc(s)}</td><td>{_esc(i18n.number(m, 0))} {mu}</td>"
                          f"<td>{km(d)}</td></tr>" for n, s, m, d in sorted(f["nearby"], key=lambda x: x[3])),
    }


def _contact_html(contact: dict[str, Any], lang: str) -> str:
    c = contact.get(lang, contact) if isinstance(contact, dict) else {}
    c = c if isinstance(c, dict) else {}
    return "".join(f"<div>{_esc(c[k])}</div>" for k in config.CONTACT_KEYS if isinstance(c.get(k), str) and c[k])


def sheet_html(f: dict[str, Any], png: bytes, lang: str, contact: dict[str, Any], generated: str) -> str:
    """One parcel's page (a ``<section>``) of the fact sheet.

    Parameters
    ----------
    f : dict
        The parcel's :func:`facts`.
    png : bytes
        Its map (:func:`geo.render.sheetmap.map_png`).
    lang : {"zh", "en"}
    contact : dict
        The promoter's contact block, per language (``{"zh": {...}, "en": {...}}``) or one for both:
        keys org, person, phone, email, address.
    generated : str
        When the sheet was made, as printed in the footer.

    Returns
    -------
    str
        HTML, every value escaped.
    """
    v, rows = _figures(f, lang), _tables(f, lang)
    precise = f["geometry_source"] in PRECISE
    other_name = f[i18n.col("name", i18n.other(lang))]
    return f"""
<section class="sheet">
<header><div class="kicker">{_esc(_t('title', lang))} · {_esc(_t('subtitle', lang))}</div>
<h1>{_esc(f['name'])}<small>{_esc(other_name)} · {_esc(f['project_id'])}</small></h1></header>
<div class="grid">
  <div><div class="big">{_esc(v['area'])}</div>
  {_kv('zone', f['zone'], lang)}{_kv('layout', ' · '.join(x for x in (f['layout'], f['role']) if x), lang)}
  {_kv('district', f['district'], lang)}{_kv('function', f['function'], lang)}{_kv('sector', f['sector'], lang)}
  {_kv('output', v['output'], lang)}{_kv('per_mu', v['per_mu'], lang)}{_kv('year', v['year'], lang)}
  </div>
  <div><h2>{_esc(_t('stations', lang))}</h2><table>{rows['stations']}</table>
  <h2>{_esc(_t('universities', lang))}</h2><table>{rows['universities']}</table>
  <div class="quote">{_esc(_t('distance_note', lang))}</div></div>
</div>
<img class="map" src="data:image/png;base64,{base64.b64encode(png).decode()}" alt="map">
<div class="note"><b>{_esc(_t('precision', lang))}:</b> {_esc(_t('surveyed' if precise else 'schematic', lang))}</div>
<h2>{_esc(_t('nearby', lang))}</h2><table>{rows['nearby'] or '<tr><td>—</td></tr>'}</table>
<h2>{_esc(_t('sources', lang))}</h2><div>{_esc(f['source'])}</div>
<div class="quote">{_esc(_t('quote', lang))}: “{_esc(f['quote'])}”</div>
<div class="contact"><b>{_esc(_t('contact', lang))}</b>{_contact_html(contact, lang)}</div>
<footer>{_esc(_t('generated', lang))}: {_esc(generated)} · {_esc(_t('footer', lang))}</footer>
</section>"""


def factsheet_html(data: PlanData, project_ids: list[str], lang: str = "zh",
                   contact: dict[str, Any] | None = None) -> str:
    """The fact sheet of one or more projects' parcels as one HTML page (one ``<section>`` each).

    Parameters
    ----------
    data : PlanData
    project_ids : list of str
    lang : {"zh", "en"}, default "zh"
    contact : dict, optional
        The promoter's contact block (``geo.io.contact.load_contact``); none: an empty block.

    Returns
    -------
    str

    Raises
    ------
    KeyError
        An unknown project, or one without a parcel.
    """
    generated = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    parts = []
    for pid in project_ids:
        f = facts(data, pid, lang)
        parts.append(sheet_html(f, map_png(data, [f["parcel_id"]], lang), lang, contact or {}, generated))
    title = f"{_t('title', lang)} · " + " / ".join(_esc(p) for p in project_ids)
    return (f"<!DOCTYPE html><html lang='{i18n.html_lang(lang)}'><head><meta charset='utf-8'>"
            f"<title>{title}</title><style>{CSS}</style></head><body>{''.join(parts)}</body></html>")


def html_to_pdf(page_html: str) -> bytes:
    """Print HTML to PDF with headless Chromium (fonts are embedded as subsets).

    Parameters
    ----------
    page_html : str
        A whole page; it may load nothing from the network.

    Returns
    -------
    bytes
        The PDF (A4).

    Raises
    ------
    RuntimeError
        Chromium is not installed where ``geo.config`` says.
    """
    from playwright.sync_api import sync_playwright
    chromium = config.settings().chromium
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


def document(data: PlanData, project_ids: list[str], suffix: str = ".pdf", lang: str = "zh",
             contact: dict[str, Any] | None = None) -> bytes:
    """The fact sheet as a file's bytes: PDF, or HTML for a ``.html`` suffix (the caller writes it).

    Parameters
    ----------
    data : PlanData
    project_ids : list of str
    suffix : str, default ".pdf"
        The target file's suffix.
    lang : {"zh", "en"}, default "zh"
    contact : dict, optional
        The promoter's contact block.

    Returns
    -------
    bytes

    Raises
    ------
    KeyError
        An unknown project, or one without a parcel.
    RuntimeError
        No Chromium to print the PDF.
    """
    page = factsheet_html(data, project_ids, lang, contact)
    return page.encode("utf-8") if suffix.lower() == ".html" else html_to_pdf(page)

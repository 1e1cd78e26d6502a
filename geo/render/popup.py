"""What a map feature carries and how a record reads: fields, plain-text values, the details table.

Nothing user- or data-controlled becomes HTML on the map: features carry plain, formatted values
(no markup), and one renderer per page (:class:`geo.render.elements.renderer.Renderer`) builds the
tooltip and popup DOM with textContent, so no name or quote can inject markup. The details panel
beside the map is an escaped table (:func:`table_html`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from geo import i18n
from geo.core.missing import is_blank
from geo.render import markup

PARCEL_FIELDS = ["project_id", "name_zh", "name_en", "kind", "sector_zh", "sector_en", "sector_group_zh",
                 "sector_group_en", "zone_name_zh", "zone_name_en", "region_zh", "district", "function_zh", "function_en",
                 "land_mu", "land_mu_text", "land_note", "area_mu", "output_target_yi", "output_target_text", "target_year",
                 "output_per_mu_wan", "geometry_source", "placement_note", "source_doc", "source_ref", "quote_zh", "notes"]
ZONE_FIELDS = ["zone_id", "name_zh", "name_en", "layout", "role_zh", "role_en", "district_zh", "sectors_zh",
               "area_mu_plan", "geometry_source", "position_method", "position_confidence", "position_note",
               "extent_method", "position_source", "source_doc", "source_ref", "quote_zh"]
TIP_FIELDS = ("project_id", "zone_id", "land_mu")
"""The fields a tooltip reads besides the ``_``-keys: a map without popups carries only these (the full
record is shown beside the map), which keeps the page a third of the size."""


def map_fields(fields: list[str], popups: bool) -> list[str]:
    """The fields a map's features carry: all asked for with popups, else the tooltip's.

    Parameters
    ----------
    fields : list of str
    popups : bool

    Returns
    -------
    list of str
    """
    return list(fields) if popups else [f for f in fields if f in TIP_FIELDS]


GEOMETRY_SOURCE_FIELDS = ("geometry_source", "parcel_geometry_source")
VALUE_FIELDS = frozenset({"kind", "position_method", "position_confidence", "extent_method", "placement_note",
                          "district", "district_zh", "district_pip", "districts", "layout"})
"""Values written in the language through :func:`geo.i18n.value` (enumerations, generated notes, districts)."""
FREE_TEXT = frozenset({"notes", "land_note", "position_note", "position_source"})
"""Curators' notes (mostly English): shown only where they read in the page's language (:func:`geo.i18n.readable`)."""
HIDDEN = {
    "zh": frozenset({"name_en", "sector_en", "sector_group_en", "zone_name_en", "function_en", "role_en"}),
    "en": frozenset({"name_zh", "sector_zh", "sector_group_zh", "zone_name_zh", "function_zh", "role_zh", "region_zh",
                     "land_mu_text", "output_target_text", "source_ref", "quote_zh", "sectors_zh"}),
}
"""Fields a page in each language leaves out: the other language's columns, and in English the Chinese text
as printed (the English name is written with its Chinese name beside it)."""
NAMED = {"zh": {}, "en": {"name_en": "name_zh"}}
"""Columns written with the other language's value beside them: "Jinfeng Laboratory (金凤实验室)"."""


def shown_fields(fields: list[str], lang: str) -> list[str]:
    """The fields a record shows in a language, in order.

    Parameters
    ----------
    fields : list of str
    lang : {"zh", "en"}

    Returns
    -------
    list of str
    """
    hidden = HIDDEN[i18n.code(lang)]
    return [f for f in fields if f not in hidden]


def value_text(v: Any, field: str, lang: str, names: Mapping[str, tuple[str, str]] | None = None) -> str:
    """One value as shown: "" when blank, a geometry source or enumeration in words, a float to 2 decimals;
    a curator's note only when it reads in the language.

    Parameters
    ----------
    v : Any
        The cell.
    field : str
        Its column.
    lang : {"zh", "en"}
    names : mapping of str to (str, str), optional
        Zone ids → (Chinese, English) names, for the zones generated notes name (:func:`place_names`).

    Returns
    -------
    str
    """
    if is_blank(v):
        return ""
    if field in GEOMETRY_SOURCE_FIELDS:
        return i18n.geometry_source_label(str(v), lang)
    if field in VALUE_FIELDS:
        return i18n.value(field, v, lang, names)
    if field in FREE_TEXT:
        return str(v) if i18n.readable(v, lang) else ""
    if isinstance(v, float):
        return i18n.number(v, 2)
    return str(v)


def _texts(df: pd.DataFrame, column: str, lang: str, names: Mapping[str, tuple[str, str]] | None = None) -> list[str]:
    """A column's values as shown (all "" when the frame has no such column)."""
    if column not in df.columns:
        return [""] * len(df)
    return [value_text(v, column, lang, names) for v in df[column].tolist()]


def _column(df: pd.DataFrame, field: str, lang: str, names: Mapping[str, tuple[str, str]] | None = None) -> list[str]:
    """A field's values as shown; an English name carries its Chinese name beside it."""
    texts = _texts(df, field, lang, names)
    beside = NAMED[i18n.code(lang)].get(field)
    if beside is None:
        return texts
    zh = _texts(df, beside, lang)
    return [f"{a} ({b})" if a and b and b != a else (a or b) for a, b in zip(texts, zh, strict=True)]


def shown(df: pd.DataFrame, fields: list[str], lang: str,
          names: Mapping[str, tuple[str, str]] | None = None) -> dict[str, list[str]]:
    """Each field a page in ``lang`` shows, with its values as shown (one record per row of ``df``).

    Parameters
    ----------
    df : pandas.DataFrame
        Parcels, projects or zones.
    fields : list of str
        The fields asked for (``PARCEL_FIELDS``, ``ZONE_FIELDS``); missing columns are left out.
    lang : {"zh", "en"}
    names : mapping of str to (str, str), optional
        As :func:`value_text`.

    Returns
    -------
    dict of str to list of str
        In the order of ``fields``; a blank value is "".
    """
    return {f: _column(df, f, lang, names) for f in shown_fields(fields, lang) if f in df.columns}


def place_names(zones: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Zone id → (Chinese, English) name, for :func:`table_html` and :func:`shown`.

    Parameters
    ----------
    zones : pandas.DataFrame
        With ``zone_id``, ``name_zh`` and ``name_en``.

    Returns
    -------
    dict
    """
    en = zones["name_en"].fillna("") if "name_en" in zones.columns else [""] * len(zones)
    return {z: (zh, e) for z, zh, e in zip(zones["zone_id"], zones["name_zh"].fillna(""), en, strict=True)}


def table_html(row: pd.Series, fields: list[str], lang: str, names: Mapping[str, tuple[str, str]] | None = None) -> str:
    """Escaped HTML table of a record's fields (the details panel beside the map).

    Parameters
    ----------
    row : pandas.Series
        One parcel or zone.
    fields : list of str
        The fields to show, in order (blank ones, and those of the other language, are left out).
    lang : {"zh", "en"}
    names : mapping of str to (str, str), optional
        Zone names for generated notes (:func:`place_names`).

    Returns
    -------
    str
    """
    cells = []
    for f, (v,) in shown(row.to_frame().T, fields, lang, names).items():
        if v:
            cells.append(f"<tr><th style='text-align:left;padding-right:8px;vertical-align:top;white-space:nowrap'>"
                         f"{markup.html(i18n.label(f, lang))}</th><td>{markup.html(v)}</td></tr>")
    return "<table style='font-size:12px;max-width:420px'>" + "".join(cells) + "</table>"


def _local(df: pd.DataFrame, base: str, lang: str) -> list[str]:
    """A bilingual column in the language, falling back to the Chinese value where it is blank."""
    zh = _texts(df, i18n.col(base, "zh"), lang)
    local = _texts(df, i18n.col(base, lang), lang)
    return [a or b for a, b in zip(local, zh, strict=True)]


def records(df: pd.DataFrame, fields: list[str], lang: str, kind: str,
            values: pd.Series | None = None) -> list[dict[str, Any]]:
    """Formatted properties per feature, column by column (a district view formats 10⁴ rows per pan).

    Parameters
    ----------
    df : pandas.DataFrame
        Parcels or zones.
    fields : list of str
        The fields a popup lists (blank values, and fields of the other language, are left out:
        :func:`shown`).
    lang : {"zh", "en"}
    kind : {"p", "z"}
        Parcels or zones: ``_s`` (the second line) is the sector or the layout role.
    values : pandas.Series, optional
        A thematic measure per ``zone_id`` (zones only): ``_v``.

    Returns
    -------
    list of dict
        Also ``_k`` (kind), ``_n`` (name), ``_w`` (geometry source).
    """
    cols = shown(df, fields, lang)
    names = _local(df, "name", lang)
    second = _texts(df, i18n.col("sector", lang), lang) if kind == "p" else _local(df, "role", lang)
    how = df["geometry_source"].tolist() if "geometry_source" in df.columns else [None] * len(df)
    zone_ids = df["zone_id"].tolist() if "zone_id" in df.columns else [None] * len(df)
    vals = values.dropna().to_dict() if values is not None else {}
    recs = []
    for i in range(len(df)):
        d = {f: v[i] for f, v in cols.items() if v[i]}
        d.update(_k=kind, _n=names[i], _w=how[i] if isinstance(how[i], str) else "", _s=second[i])
        if kind != "p" and zone_ids[i] in vals:
            d["_v"] = i18n.number(float(vals[zone_ids[i]]), 1)
        recs.append(d)
    return recs


def with_props(gdf: gpd.GeoDataFrame, fields: list[str], lang: str, kind: str,
               values: pd.Series | None = None) -> gpd.GeoDataFrame:
    """The features' geometry with one ``_p`` column of :func:`records`.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
    fields, lang, kind, values
        As :func:`records`.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    return gpd.GeoDataFrame({"_p": records(gdf, fields, lang, kind, values)}, geometry=gdf.geometry.values, crs=gdf.crs)

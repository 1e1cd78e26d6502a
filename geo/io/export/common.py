"""What every format shares: the selection as three layers, the CRS conversion (with the one GCJ-02
shift path, :func:`geo.core.gcj02.shift_frame`), the metadata, the file name (cut to fit a file
system's 255 bytes), cleaned attribute values, the one rule that keeps spreadsheet formulas out of
exported tables (:func:`formula_leading`), and the WKT tables of the CSV and Excel formats.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import zipfile

import geopandas as gpd
import pandas as pd
import shapely

from geo import config
from geo.core import aggregate
from geo.core.crs import WGS84
from geo.core.filter import Filter, Selection
from geo.core.gcj02 import shift_frame
from geo.core.missing import is_missing
from geo.core.model import PlanData
from geo.io.export.base import CRS_CHOICES

PARCEL_COLUMNS = ["parcel_id", "project_id", "name_zh", "name_en", "kind", "sector_zh", "sector_en", "sector_group_zh",
                  "sector_group_en", "zone_id", "zone_name_zh", "region_zh", "function_zh", "function_en", "land_mu",
                  "land_mu_text", "land_note", "area_mu", "output_target_yi", "output_target_text", "target_year",
                  "geometry_source", "placement_note", "source_doc", "source_ref", "quote_zh", "notes"]
ZONE_COLUMNS = ["zone_id", "layer_id", "name_zh", "name_en", "layout", "role_zh", "role_en", "parent_id", "district_zh",
                "geom_kind", "geometry_source", "position_method", "position_confidence", "position_source",
                "position_note", "extent_method", "area_mu_plan", "sectors_zh", "source_doc", "source_ref", "quote_zh"]
PROJECT_COLUMNS = ["project_id", "name_zh", "name_en", "kind", "sector_zh", "sector_en", "sector_group_zh", "zone_id",
                   "zone_name_zh", "district", "region_zh", "function_zh", "land_mu", "land_mu_text", "land_note",
                   "floor_area_m2", "output_target_yi", "output_target_text", "target_year", "investment_yi",
                   "output_per_mu_wan", "parcel_id", "source_doc", "source_ref", "quote_zh", "notes", "geom_basis"]


# ------------------------------------------------------------------ selection → layers

def _frame(df: pd.DataFrame, columns: list[str]) -> gpd.GeoDataFrame:
    cols = [c for c in columns if c in df.columns] + ["geometry"]
    return gpd.GeoDataFrame(df[cols], geometry="geometry", crs=WGS84).reset_index(drop=True)


def layers_of(sel: Selection) -> dict[str, gpd.GeoDataFrame]:
    """The three layers of a snapshot, in WGS84.

    Parameters
    ----------
    sel : Selection

    Returns
    -------
    dict
        ``parcels`` (polygons with their project's attributes), ``zones`` (the selected zones) and
        ``projects`` (each located at its parcel's, else its zone's representative point; ``geom_basis``
        says which, ``none`` without geometry).
    """
    p = sel.projects.copy()
    parcel_geom = sel.parcels.set_index("project_id").geometry if len(sel.parcels) else pd.Series(dtype=object)
    zone_geom = sel.zones.set_index("zone_id").geometry if len(sel.zones) else pd.Series(dtype=object)
    geoms, basis = [], []
    for r in p.itertuples():
        if r.project_id in parcel_geom.index:
            geoms.append(parcel_geom[r.project_id].representative_point())
            basis.append("parcel")
        elif r.zone_id in zone_geom.index:
            geoms.append(zone_geom[r.zone_id].representative_point())
            basis.append("zone")
        else:
            geoms.append(None)
            basis.append("none")
    p["geom_basis"] = basis
    projects = gpd.GeoDataFrame(p[[c for c in PROJECT_COLUMNS if c in p.columns]], geometry=geoms, crs=WGS84)
    return {"parcels": _frame(sel.parcels, PARCEL_COLUMNS), "zones": _frame(sel.zones, ZONE_COLUMNS),
            "projects": projects.reset_index(drop=True)}


def to_crs(gdf: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    """A WGS84 layer in a snapshot CRS (GCJ-02: shifted, labelled WGS84).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
    crs : str
        A key of :data:`~geo.io.export.base.CRS_CHOICES`.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    if crs == "GCJ02":
        return shift_frame(gdf)
    if crs == "EPSG:4326":
        return gdf
    return gdf.to_crs(crs)


def from_crs(gdf: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    """A layer read back from a snapshot, in WGS84 again (round-trip checks, snapshot comparison).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
    crs : str
        The snapshot's CRS.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    if crs == "GCJ02":
        return shift_frame(gdf, inverse=True)
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        return gdf.to_crs(WGS84)
    return gdf.set_crs(WGS84, allow_override=True)


def file_crs(crs: str) -> str:
    """The CRS a file of a snapshot in ``crs`` declares (GCJ-02 has no code: WGS84, by convention).

    Parameters
    ----------
    crs : str

    Returns
    -------
    str
    """
    return WGS84 if crs in ("EPSG:4326", "GCJ02") else crs


# ------------------------------------------------------------------ metadata and names

def _num(x: object) -> float | None:
    return None if is_missing(x) else round(float(x), 6)


def metadata(data: PlanData, f: Filter, sel: Selection, fmt: str, crs: str, lang: str, when: dt.datetime,
             data_version: str) -> dict:
    """The snapshot's metadata: product, time, format, CRS, filter, data version, counts, totals, sources.

    Parameters
    ----------
    data : PlanData
    f : Filter
    sel : Selection
        ``f`` applied to ``data``.
    fmt, crs, lang : str
    when : datetime.datetime
        Timezone-aware.
    data_version : str
        The store's content hash (:meth:`geo.io.store.Store.data_version`).

    Returns
    -------
    dict
        JSON-serialisable.
    """
    s = aggregate.summarize(sel.projects)
    return {
        "product": "科学城规划一张图 Science City Planning Map",
        "created": when.isoformat(timespec="seconds"),
        "format": fmt, "crs": crs, "crs_name": CRS_CHOICES[crs], "language": lang,
        "filter": f.to_dict(), "filter_summary": f.summary(),
        "data_version": data_version,
        "counts": {"parcels": int(len(sel.parcels)), "zones": int(len(sel.zones)), "projects": int(len(sel.projects))},
        "totals": {"land_mu": _num(s["land_mu"]), "output_target_yi": _num(s["output_target_yi"]),
                   "output_per_mu_wan": _num(s["output_per_mu_wan"])},
        "units": {"land_mu": "亩 (1 亩 = 10000/15 m²)", "output_target_yi": "亿元"},
        "sources": data.sources[["source_doc", "title_zh"]].to_dict("records") if len(data.sources) else [],
        "geometry_note": "Zones are approximate or schematic unless geometry_source says surveyed/digitised; "
                         "schematic parcels are squares sized to the plan's 亩.",
    }


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
"""Characters no file name of a snapshot holds (separators, controls, what Windows refuses)."""
NAME_HASH_CHARS = 8
"""Hex digits of the hash that keeps a cut name unique."""


def fit_name(name: str, max_bytes: int) -> str:
    """A name cut to at most ``max_bytes`` UTF-8 bytes at a character boundary, unique by a short hash.

    A name that fits is returned as it is. A longer one keeps as many whole characters as fit
    before ``~`` and the first :data:`NAME_HASH_CHARS` hex digits of the SHA-256 of the whole name,
    so two long names that share their beginning stay apart.

    Parameters
    ----------
    name : str
    max_bytes : int
        At least ``NAME_HASH_CHARS + 1``.

    Returns
    -------
    str
    """
    raw = name.encode("utf-8")
    if len(raw) <= max_bytes:
        return name
    tag = "~" + hashlib.sha256(raw).hexdigest()[:NAME_HASH_CHARS]
    head = raw[: max_bytes - len(tag)].decode("utf-8", "ignore")  # a split character is dropped whole
    return head + tag


def stem_max_bytes() -> int:
    """The longest snapshot file stem: a file system's name limit less the room for suffix and sidecar.

    Returns
    -------
    int
        :data:`geo.config.FILE_NAME_MAX_BYTES` − :data:`geo.config.FILE_SUFFIX_RESERVE_BYTES`.
    """
    return config.FILE_NAME_MAX_BYTES - config.FILE_SUFFIX_RESERVE_BYTES


def safe_name_part(text: object) -> str:
    """A piece of a file name: no path separator, control character or character Windows refuses.

    Parameters
    ----------
    text : object

    Returns
    -------
    str
        Such runs replaced by "-", leading dots and spaces removed ("" stays "").
    """
    return _UNSAFE_NAME.sub("-", str(text)).lstrip(". ")


def file_stem(meta: dict) -> str:
    """The snapshot's file name without suffix: ``scimap_<time>_<filter>_<crs>`` (several a day are distinct).

    Long filters (many Chinese names) are cut so that the file, its sidecar ``.metadata.json`` and
    the writers' temporary names stay within :data:`geo.config.FILE_NAME_MAX_BYTES` (:func:`fit_name`:
    a character boundary, a short hash).

    Parameters
    ----------
    meta : dict

    Returns
    -------
    str
        At most :func:`stem_max_bytes` bytes of UTF-8.
    """
    stamp = safe_name_part(meta["created"][:19].replace(":", "").replace("-", ""))  # 20261122T001530
    crs = safe_name_part(meta["crs"].replace("EPSG:", "epsg"))
    head, tail = f"scimap_{stamp}_", f"_{crs}"
    room = stem_max_bytes() - len(head.encode("utf-8")) - len(tail.encode("utf-8"))
    return head + fit_name(safe_name_part(meta["filter_summary"]) or "all", room) + tail


def metadata_json(meta: dict) -> str:
    """The metadata as the indented JSON written beside and inside snapshots.

    Parameters
    ----------
    meta : dict

    Returns
    -------
    str
    """
    return json.dumps(meta, ensure_ascii=False, indent=1)


# ------------------------------------------------------------------ attribute values

def _text(v: object) -> str | None:
    return None if is_missing(v) or v == "" else str(v)


def clean(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy whose text columns hold str or None (missing, never ""), nullable integers as floats.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame

    Returns
    -------
    geopandas.GeoDataFrame
    """
    out = gdf.copy()
    for c in out.columns:
        if c == "geometry":
            continue
        if str(out[c].dtype) == "Int64":
            out[c] = out[c].astype("float64")
        elif out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(_text)
    return out


# ------------------------------------------------------------------ spreadsheet formulas

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
"""What makes a spreadsheet read a cell as a formula (OWASP "CSV injection"), with the full-width forms an
input method types (some spreadsheets read them as their ASCII twins)."""
_FORMULA = re.compile(r"'*[ \n\u00a0\u3000]*[=+\-@\t\r＝＋－＠]")
"""A text starting with a formula lead, after any number of single quotes and then of spaces (ASCII,
no-break, ideographic) or line feeds: a spreadsheet that trims cells on import would find the lead."""


def formula_leading(value: object) -> bool:
    """Whether a cell is text a spreadsheet could run as a formula (the one rule of every table export).

    A text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return — ``=HYPERLINK(…)``,
    ``-2+3+cmd|' /C calc'!A0``, ``@SUM(…)`` — is what Excel, LibreOffice and Google Sheets evaluate
    when a CSV is opened; so is one whose lead comes after spaces or line feeds (an import that trims
    cells finds it) or is a full-width ``＝ ＋ － ＠``. Texts that begin with single quotes before such a
    start count too, so that :func:`neutral_cell` is undone exactly by :func:`restore_cell`.

    Numbers are never formulas: ``-2.5`` in a numeric column stays a number. A *text* that reads as a
    number (``"-5%"``, ``"+86 23 6555"``) is neutralised like any other text: the rule looks at the first
    character only, never guesses what a spreadsheet would make of the rest, and the quote it adds is
    taken off again when a CSV snapshot is read back.

    Parameters
    ----------
    value : object

    Returns
    -------
    bool
    """
    return isinstance(value, str) and _FORMULA.match(value) is not None


def neutral_cell(value: object) -> object:
    """A cell as written to CSV: formula-leading text (:func:`formula_leading`) prefixed with ``'``; the rest as is.

    Parameters
    ----------
    value : object

    Returns
    -------
    object
    """
    return "'" + value if formula_leading(value) else value


def restore_cell(value: object) -> object:
    """A cell read back from a CSV snapshot: the ``'`` that :func:`neutral_cell` added is taken off.

    Parameters
    ----------
    value : object

    Returns
    -------
    object
    """
    if isinstance(value, str) and value.startswith("'") and formula_leading(value[1:]):
        return value[1:]
    return value


def neutral_table(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot run as formulas (:func:`neutral_cell`); numeric columns untouched.

    Parameters
    ----------
    df : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
    """
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(neutral_cell)
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV with a byte-order mark (Excel reads Chinese text), formulas neutralised.

    The one writer of every CSV the app hands out (snapshot layers, the project table's download). Rows end
    in CRLF (RFC 4180), so that a cell holding a carriage return or a line feed is quoted: a bare CR in an
    unquoted cell would start a new row in Excel, and the text after it (``=1+1``) a live formula.

    Parameters
    ----------
    df : pandas.DataFrame

    Returns
    -------
    bytes
    """
    return neutral_table(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


# ------------------------------------------------------------------ WKT tables (CSV, Excel)

def wkt_table(g: gpd.GeoDataFrame) -> pd.DataFrame:
    """A layer as a plain table: attributes, a representative point's ``x``/``y`` and the geometry's ``wkt``.

    Parameters
    ----------
    g : geopandas.GeoDataFrame

    Returns
    -------
    pandas.DataFrame
    """
    t = pd.DataFrame(clean(g).drop(columns="geometry"))
    rep = g.geometry.map(lambda x: x.representative_point() if x is not None and not x.is_empty else None)
    t["x"] = rep.map(lambda p: None if p is None else round(p.x, 8))
    t["y"] = rep.map(lambda p: None if p is None else round(p.y, 8))
    t["wkt"] = g.geometry.map(lambda x: None if x is None else shapely.to_wkt(x, rounding_precision=-1))
    return t


def from_wkt_table(t: pd.DataFrame, crs: str) -> gpd.GeoDataFrame:
    """A layer back from :func:`wkt_table` (``x``/``y`` dropped, empty cells None).

    Parameters
    ----------
    t : pandas.DataFrame
    crs : str
        The snapshot's CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        In the file's CRS (:func:`file_crs`).
    """
    geom = t["wkt"].map(lambda w: shapely.from_wkt(w) if isinstance(w, str) and w else None)
    attrs = t.drop(columns=["wkt", "x", "y"])
    return gpd.GeoDataFrame(attrs.where(attrs.notna(), None), geometry=list(geom), crs=file_crs(crs))


def zip_members(path: str | os.PathLike, members: dict[str, str | bytes]) -> None:
    """Write a deflated zip archive of named texts or bytes.

    Parameters
    ----------
    path : str or Path
    members : dict
        Member name → content (text is written as UTF-8).
    """
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)

"""The one filter shared by the map, the exports and the CLI.

`Filter` is a plain value (it round-trips through URL query parameters and the CLI flags);
`apply_filter` turns it into a `Selection` of projects, parcels and zones. Semantics:
- every criterion left empty places no constraint;
- a range on 亩 or output excludes projects whose figure is missing (we cannot say it is in range);
- geometry precision filters what is drawn (parcels, zones), not the project list;
- sector narrows projects and parcels; zones stay as context unless plan/layout/district/zone
  criteria narrow them;
- district takes district names and functional-area ids or names (:mod:`geo.core.areas`): a project
  matches if any of its districts or areas does, a zone likewise; a project without a district is
  counted (:func:`without_district`), never silently lost from the counts the page shows.

:func:`bounds_of` is where the map goes after a filter change; :func:`unlocated` lists what the
selection has that cannot be drawn where it is (with the parent it is shown at).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo import i18n
from geo.config import COMMON_LAYER
from geo.core import areas, join
from geo.core.model import PlanData


@dataclass
class Filter:
    """What to show: each criterion left empty places no constraint.

    Attributes
    ----------
    plans : list of str
        Plan ids (``source_doc``, see :attr:`geo.core.model.PlanData.catalogue`).
    layouts : list of str
        Layout or layer ids.
    sectors : list of str
        Sectors or sector groups, Chinese or English.
    districts : list of str
        District (区) names and functional-area ids or names, Chinese or English
        (:func:`geo.core.areas.resolve`).
    zones : list of str
        Zone ids; their sub-zones are included.
    land_mu, output_yi : tuple of (float or None, float or None)
        Ranges of 亩 and of output (亿元); a project without the figure is outside any range.
    geometry_sources : list of str
        Precision of what is drawn (surveyed, digitised, gazetteer, schematic).
    query : str
        Name search (Chinese, English, pinyin, pinyin initials).
    """

    plans: list[str] = field(default_factory=list)  # source_doc ids
    layouts: list[str] = field(default_factory=list)  # layout_id / layer_id
    sectors: list[str] = field(default_factory=list)  # sector or sector group, Chinese or English
    districts: list[str] = field(default_factory=list)  # 区 names, functional-area ids or names
    zones: list[str] = field(default_factory=list)  # zone_ids (descendants included)
    land_mu: tuple[float | None, float | None] = (None, None)
    output_yi: tuple[float | None, float | None] = (None, None)
    geometry_sources: list[str] = field(default_factory=list)
    query: str = ""

    def is_empty(self) -> bool:
        """Whether the filter keeps everything.

        Returns
        -------
        bool
        """
        return self == Filter()

    def to_dict(self) -> dict:
        """The filter as a plain dict (for snapshot metadata and caches).

        Returns
        -------
        dict
        """
        return asdict(self)

    def summary(self) -> str:
        """Short, filename-safe description ("all" when empty).

        Returns
        -------
        str
            At most 80 characters.
        """
        parts = []
        for name in ("plans", "layouts", "sectors", "districts", "zones", "geometry_sources"):
            v = getattr(self, name)
            if v:
                parts.append("+".join(v))
        for name, unit in (("land_mu", "mu"), ("output_yi", "yi")):
            lo, hi = getattr(self, name)
            if lo is not None or hi is not None:
                parts.append(f"{'' if lo is None else f'{lo:g}'}-{'' if hi is None else f'{hi:g}'}{unit}")
        if self.query:
            parts.append(f"q-{self.query}")
        s = "_".join(parts) or "all"
        s = re.sub(r"[^\w\-+.]+", "-", s, flags=re.UNICODE).strip("-")
        return s[:80]


@dataclass
class Selection:
    """What a filter keeps: enriched projects, their parcels joined with them, and the zones to show
    (``filter``: the filter that kept them, which :func:`bounds_of` reads)."""

    projects: pd.DataFrame  # enriched projects
    parcels: gpd.GeoDataFrame  # parcels joined with their project
    zones: gpd.GeoDataFrame
    filter: Filter = field(default_factory=Filter)


def isin(s: pd.Series, values: Iterable) -> np.ndarray:
    """`s.isin(values)` as a boolean array, through Arrow for string columns.

    pandas converts each of the values to an Arrow scalar in Python (0.4 s for 50,000 project ids
    at district scale); Arrow's hash lookup takes milliseconds.

    Parameters
    ----------
    s : pandas.Series
    values : iterable
        A list, set, Series or array.

    Returns
    -------
    numpy.ndarray of bool
    """
    if not pd.api.types.is_string_dtype(s.dtype):
        return s.isin(list(values) if isinstance(values, set) else values).to_numpy(dtype=bool)
    vals = pd.Series(list(values) if isinstance(values, set) else values, dtype="str")
    hit = pc.is_in(pa.array(s.astype("str")), value_set=pa.array(vals, type=pa.string()))
    return hit.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)


def split_multi(value: object) -> list[str]:
    """The values of a multi-valued cell: sectors separated by ';' (a project serving several).

    Parameters
    ----------
    value : object
        A cell (None and NaN give an empty list).

    Returns
    -------
    list of str
    """
    return [v.strip() for v in str(value or "").split(";") if v.strip()]


def sectors_of(projects: pd.DataFrame, lang: str = "zh") -> list[str]:
    """The distinct sectors of some projects, sorted.

    Parameters
    ----------
    projects : pandas.DataFrame
    lang : {"zh", "en"}

    Returns
    -------
    list of str
    """
    col = i18n.col("sector", lang)
    return sorted({s for v in projects[col] for s in split_multi(v)})


def sector_vocabulary(projects: pd.DataFrame) -> tuple[dict[str, str], list[str], list[str]]:
    """The sector filter's vocabulary, read from the distinct (sector, group) cells, not from every row.

    Parameters
    ----------
    projects : pandas.DataFrame

    Returns
    -------
    tuple
        (Chinese → English names of sectors and groups, the groups, the groups then the other sectors).
    """
    cols = ["sector_zh", "sector_en", "sector_group_zh", "sector_group_en"]
    pairs = projects[cols].drop_duplicates()
    names: dict[str, str] = {}
    for szh, sen, gzh, gen in pairs.itertuples(index=False):
        for zh, en in zip(split_multi(szh), split_multi(sen), strict=False):
            names[zh] = en
        for zh, en in zip(split_multi(gzh), split_multi(gen), strict=False):
            names[zh] = en
    groups = sorted({g for v in pairs.sector_group_zh for g in split_multi(v)})
    return names, groups, groups + [s for s in sectors_of(pairs) if s not in groups]


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", str(s or "")).lower()


def text_match(df: pd.DataFrame, query: str, cols: Iterable[str] = ("name_zh", "name_en", "pinyin")) -> pd.Series:
    """Case-, space-insensitive substring match over Chinese, English and pinyin names.

    Pinyin initials ("kxg" → 科学谷) also match.

    Parameters
    ----------
    df : pandas.DataFrame
    query : str
    cols : iterable of str
        Columns searched (those missing from ``df`` are skipped).

    Returns
    -------
    pandas.Series of bool
        True everywhere for an empty query.
    """
    q = _norm(query)
    if not q:
        return pd.Series(True, index=df.index)
    hit = pd.Series(False, index=df.index)
    for c in cols:
        if c in df.columns:
            hit |= df[c].fillna("").map(_norm).str.contains(q, regex=False)
    if "pinyin" in df.columns and q.isascii():
        initials = df["pinyin"].fillna("").map(lambda p: "".join(w[:1] for w in str(p).split()))
        hit |= initials.str.startswith(q)
    return hit


def _in_range(s: pd.Series, rng: tuple[float | None, float | None]) -> pd.Series:
    lo, hi = rng
    ok = pd.Series(True, index=s.index)
    if lo is not None:
        ok &= s >= lo
    if hi is not None:
        ok &= s <= hi
    if lo is not None or hi is not None:
        ok &= s.notna()
    return ok.fillna(False).astype(bool)


def apply_filter(data: PlanData, f: Filter) -> Selection:
    """Apply a filter to the plan data.

    Parameters
    ----------
    data : PlanData
        The loaded data (its derived tables are computed once, on first use).
    f : Filter
        What to keep; empty criteria keep everything.

    Returns
    -------
    Selection
        The matching projects, their parcels and the zones to show.
    """
    zone_set: set[str] = set()
    for z in f.zones:
        zone_set |= join.descendants(data.zones, z)
    p = data.enriched
    projects = p[_project_mask(data, f, zone_set)].reset_index(drop=True)
    parcels = data.parcels_joined
    parcels = parcels[isin(parcels.project_id, projects.project_id)]
    if f.geometry_sources:
        parcels = parcels[isin(parcels.geometry_source, f.geometry_sources)]
    zones = data.zones[_zone_mask(data, f, zone_set, projects)].reset_index(drop=True)
    return Selection(projects, parcels.reset_index(drop=True), zones, f)


def _project_mask(data: PlanData, f: Filter, zone_set: set[str]) -> pd.Series:
    """Which enriched projects the filter keeps."""
    p = data.enriched
    m = data.memberships
    keep = pd.Series(True, index=p.index)
    if f.plans:
        keep &= isin(p.source_doc, f.plans)
    if f.sectors:
        wanted = set(f.sectors)
        hit = pd.Series(False, index=p.index)
        for col in ("sector_zh", "sector_en", "sector_group_zh", "sector_group_en"):
            # decide once per distinct cell value (a handful), not once per row (10⁵ at district scale)
            chosen = [v for v in p[col].dropna().unique() if wanted & set(split_multi(v))]
            hit |= isin(p[col], chosen)
        keep &= hit
    if f.districts:
        dist, area_ids = areas.resolve(data, f.districts)
        keep &= areas.cells_naming(p.districts, dist) | areas.cells_naming(p.areas, area_ids)
    if f.layouts:
        in_layout = m.project_id[isin(m.layout_id, f.layouts) | isin(m.layer_id, f.layouts)]
        keep &= isin(p.project_id, in_layout)
    if f.zones:
        keep &= isin(p.project_id, m.project_id[isin(m.zone_id, zone_set)])
    keep &= _in_range(p.land_mu, f.land_mu)
    keep &= _in_range(p.output_target_yi, f.output_yi)
    if f.query:
        zhit = set(data.zones.zone_id[text_match(data.zones, f.query)])
        keep &= text_match(p, f.query) | isin(p.zone_id, zhit)
    return keep


def _zone_mask(data: PlanData, f: Filter, zone_set: set[str], projects: pd.DataFrame) -> pd.Series:
    """Which zones to show: plan, layout, district and zone criteria narrow them; sector does not."""
    zones = data.zones
    zkeep = pd.Series(True, index=zones.index)
    if f.plans:  # the places every plan shares stay as context
        zkeep &= zones.source_doc.isin(f.plans) | (zones.layer_id == COMMON_LAYER)
    if f.layouts:
        zkeep &= zones.layout_id.isin(f.layouts) | zones.layer_id.isin(f.layouts)
    if f.districts:
        dist, area_ids = areas.resolve(data, f.districts)
        facts = data.zone_facts.reindex(zones.zone_id)
        zkeep &= areas.cells_naming(facts.districts.fillna(""), dist) | areas.cells_naming(facts.areas.fillna(""), area_ids)
    if f.zones:
        zkeep &= zones.zone_id.isin(zone_set)
    if f.query:
        zkeep &= text_match(zones, f.query) | isin(zones.zone_id, projects.zone_id.dropna())
    if f.geometry_sources:
        zkeep &= zones.geometry_source.isin(f.geometry_sources)
    return zkeep


def search(data: PlanData, query: str, limit: int = 20) -> pd.DataFrame:
    """Projects and zones whose names match (:func:`text_match`), exact names first.

    Parameters
    ----------
    data : PlanData
    query : str
    limit : int, default 20

    Returns
    -------
    pandas.DataFrame
        Columns kind ("zone" or "project"), id, name_zh, name_en and bounds (WGS84), for flying to a hit.
    """
    rows = []
    z = data.zones[text_match(data.zones, query)]
    for r in z.itertuples():
        rows.append(("zone", r.zone_id, r.name_zh, r.name_en, r.geometry.bounds))
    parcels = data.parcels.set_index("project_id")
    zb = data.zones.set_index("zone_id").geometry
    p = data.projects[text_match(data.projects, query)]
    for r in p.itertuples():
        if r.project_id in parcels.index:
            b = parcels.loc[r.project_id].geometry.bounds
        elif r.zone_id in zb.index:
            b = zb.loc[r.zone_id].bounds
        else:
            continue
        rows.append(("project", r.project_id, r.name_zh, r.name_en, b))
    out = pd.DataFrame(rows, columns=["kind", "id", "name_zh", "name_en", "bounds"])
    exact = out.name_zh.map(_norm) == _norm(query)
    return out.assign(_e=~exact).sort_values(["_e", "kind"]).drop(columns="_e").head(limit).reset_index(drop=True)


def without_district(projects: pd.DataFrame) -> int:
    """How many projects have no district (the page says so: none is silently dropped).

    Parameters
    ----------
    projects : pandas.DataFrame
        Enriched projects (``districts``; an older table's ``district`` is used without it).

    Returns
    -------
    int
    """
    col = "districts" if "districts" in projects.columns else "district"
    return int((projects[col].fillna("").astype(str).str.strip() == "").sum())


UNLOCATED_COLUMNS = ["id", "kind", "name_zh", "name_en", "plan", "layer_id", "parent_id",
                     "parent_name_zh", "parent_name_en", "parent_located"]
"""Columns of :func:`unlocated`."""


def unlocated(data: PlanData, sel: Selection) -> pd.DataFrame:
    """What the selection has that is not located: its zones without a position, and its projects
    without a parcel whose whole zone chain is unlocated; each with the parent it is shown at.

    Parameters
    ----------
    data : PlanData
    sel : Selection

    Returns
    -------
    pandas.DataFrame
        :data:`UNLOCATED_COLUMNS`: id, kind ("zone" | "project"), name_zh, name_en, plan (source_doc),
        layer_id, parent_id (a zone's parent, a project's zone), parent_name_zh, parent_name_en,
        parent_located (whether the parent has a position of its own).
    """
    facts = data.zone_facts
    z = data.zones.set_index("zone_id")
    zs = sel.zones[~facts.located.reindex(sel.zones.zone_id).fillna(False).to_numpy(dtype=bool)]
    zones = pd.DataFrame({"id": zs.zone_id, "kind": "zone", "name_zh": zs.name_zh, "name_en": zs.name_en,
                          "plan": zs.source_doc, "layer_id": zs.layer_id, "parent_id": zs.parent_id.fillna("")})
    p = sel.projects
    no_parcel = p.parcel_id.isna().to_numpy() if "parcel_id" in p.columns else np.ones(len(p), dtype=bool)
    nowhere = facts.bx0.reindex(p.zone_id).isna().to_numpy()
    ps = p[no_parcel & nowhere]
    projects = pd.DataFrame({"id": ps.project_id, "kind": "project", "name_zh": ps.name_zh, "name_en": ps.name_en,
                             "plan": ps.source_doc, "layer_id": ps.zone_id.map(z.layer_id) if len(z) else "",
                             "parent_id": ps.zone_id.fillna("")})
    out = pd.concat([zones, projects], ignore_index=True)
    out["parent_name_zh"] = out.parent_id.map(z.name_zh).fillna("") if len(z) else ""
    out["parent_name_en"] = out.parent_id.map(z.name_en).fillna("") if len(z) else ""
    out["parent_located"] = out.parent_id.map(facts.located).fillna(False).astype(bool)
    out["layer_id"] = out.layer_id.fillna("")
    return out[UNLOCATED_COLUMNS].reset_index(drop=True)


def _narrows_zones(f: Filter) -> bool:
    return bool(f.plans or f.layouts or f.districts or f.zones or f.query)


def _zone_bounds(data: PlanData, sel: Selection) -> tuple[np.ndarray, np.ndarray]:
    """Drawn bounds (own, or the nearest located ancestor's) of the zones the filter matched: the
    narrower ones, and the context layer's separately (used only when nothing narrower is found)."""
    f, facts = sel.filter, data.zone_facts
    empty = np.zeros((0, 4))
    zones = sel.zones
    if f.is_empty():
        return facts.loc[zones.zone_id, ["bx0", "by0", "bx1", "by1"]].to_numpy(), empty
    ids = zones.zone_id if _narrows_zones(f) else pd.Series([], dtype=str)
    # the zones of the projects that have no parcel: where those projects are drawn (a sector filter)
    p = sel.projects
    bare = p.zone_id[p.parcel_id.isna()] if "parcel_id" in p.columns else p.zone_id
    ids = pd.concat([ids, bare.dropna()], ignore_index=True).drop_duplicates()
    ids = ids[isin(ids, facts.index)]
    explicit = {d for z in f.zones for d in join.descendants(data.zones, z)}
    layer = data.zones.set_index("zone_id").layer_id.reindex(ids).fillna("")
    context = (layer == COMMON_LAYER).to_numpy() & ~isin(ids, explicit) & ~isin(layer, f.layouts)
    b = facts.loc[ids, ["bx0", "by0", "bx1", "by1"]].to_numpy()
    return b[~context], b[context]


def bounds_of(data: PlanData, sel: Selection) -> tuple[float, float, float, float] | None:
    """WGS84 bounds of what the selection draws, for the map to fit.

    With an empty filter: every parcel and located zone. Otherwise the selected parcels, the located
    zones the filter matched (an unlocated one counts where it is shown: its nearest located
    ancestor) and the zones of selected projects without a parcel — not the context layer
    (:data:`geo.config.COMMON_LAYER`) unless nothing narrower is found or the filter names it.

    Parameters
    ----------
    data : PlanData
    sel : Selection
        From :func:`apply_filter` (its ``filter`` says what was matched).

    Returns
    -------
    (minx, miny, maxx, maxy) or None
        None when nothing of the selection is located.
    """
    parts = []
    pc_ = sel.parcels
    if len(pc_):
        if "bx0" in pc_.columns:
            parts.append(np.column_stack([pc_.bx0.min(), pc_.by0.min(), pc_.bx1.max(), pc_.by1.max()]))
        else:
            parts.append(np.array([pc_.total_bounds]))
    narrow, context = _zone_bounds(data, sel)
    parts.append(narrow)
    b = np.vstack(parts) if parts else np.zeros((0, 4))
    b = b[~np.isnan(b).any(axis=1)]
    if not len(b):
        b = context[~np.isnan(context).any(axis=1)]
    if not len(b):
        return None
    return (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max()))


def narrows_projects_only(f: Filter) -> bool:
    """Whether the filter has criteria that pick projects but leave the zones shown (sector, ranges).

    Parameters
    ----------
    f : Filter

    Returns
    -------
    bool
    """
    return bool(f.sectors) or any(v is not None for v in (*f.land_mu, *f.output_yi))


def reached_zones(data: PlanData, sel: Selection) -> list[str] | None:
    """The zones shown that the selected projects reach — declared (the project's zone and its
    ancestors) or by containing one of their parcels; the others are faded on the map.

    Parameters
    ----------
    data : PlanData
    sel : Selection

    Returns
    -------
    list of str or None
        Zone ids, in the order of ``sel.zones``; None when the filter picks no projects by
        :func:`narrows_projects_only` criteria (every zone shown is part of the answer).
    """
    if not narrows_projects_only(sel.filter):
        return None
    m = data.memberships
    hit = set(m.zone_id[isin(m.project_id, sel.projects.project_id)])
    return [z for z in sel.zones.zone_id if z in hit]

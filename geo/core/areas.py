"""Districts and functional areas: which 区 and which named areas each project and zone belongs to.

A project's districts come, in this order, from
- ``plan``: its plan's own words — the 区 its printed location (``region_zh``) names, or the district
  whose own plan it is (a ``kind=district`` row of ``data/src/functional_areas.csv``, ``plan:<doc>``);
- ``zone``: its zone chain — the zone's ``district_zh`` (the plan or the reference data), else the
  districts its placement gives: a hull spans the districts of the places it is drawn around, a
  located zone lies in its point-in-polygon district (``district_pip``), a zone that is not located
  is shown at its parent and takes the parent's; the chain is walked up (:func:`geo.core.join.ancestors`)
  while nothing is found;
- ``geometry``: its parcel's representative point inside a district polygon (``PlanData.districts``).
``district_how`` records which route gave them ("" when none did).

Functional areas (重庆高新区直管园, 西部(重庆)科学城, 两江新区 …) are the rows of
``data/src/functional_areas.csv`` (``PlanData.functional_areas``), each with the rule that decides
membership (``members``: ``plan:<source_doc>``, ``zone:<zone_id>`` (and its sub-zones),
``district:<name>``, ``;``-separated, any of them), quoted from the plans. No extent is invented:
where a plan does not print one, membership is the plan's jurisdiction.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import i18n
from geo.config import WGS84
from geo.core import join
from geo.core.model import PlanData

MEMBER_KINDS = ("plan", "zone", "district")
"""The kinds of a membership rule's terms (``kind:value``)."""
HOW = ("plan", "zone", "geometry", "")
"""How a project's districts were obtained (the ``district_how`` column)."""
UNLOCATED = "none"
"""``position_confidence`` of a zone that is not located (drawn at its parent, if anywhere)."""


def parse_members(members: str) -> list[tuple[str, str]]:
    """The terms of a membership rule.

    Parameters
    ----------
    members : str
        ``"plan:HTS;plan:STI"``, ``"zone:htz"``, ``"district:渝中区"``.

    Returns
    -------
    list of (kind, value)
        A term without a known kind comes back with kind "" (the validator reports it).
    """
    out = []
    for term in (t.strip() for t in str(members or "").split(";")):
        kind, _, value = term.partition(":")
        if term:
            ok = kind.strip() in MEMBER_KINDS and value.strip()
            out.append((kind.strip(), value.strip()) if ok else ("", term))
    return out


def norm_name(s: object) -> str:
    """A name as the filter compares it: no white space or brackets (either width), lower case.

    Parameters
    ----------
    s : object

    Returns
    -------
    str
    """
    return re.sub(r"[\s()（）]+", "", str(s or "")).lower()


def area_table(data: PlanData) -> pd.DataFrame:
    """The functional areas table of the data (empty with its columns when the data has none).

    Parameters
    ----------
    data : PlanData

    Returns
    -------
    pandas.DataFrame
        area_id, name_zh, name_en, kind, members, source_doc, source_ref, quote_zh, note.
    """
    cols = ["area_id", "name_zh", "name_en", "kind", "members", "source_doc", "source_ref", "quote_zh", "note"]
    fa = data.functional_areas
    if fa is None or not len(fa):
        return pd.DataFrame(columns=cols, dtype=str)
    return fa.reindex(columns=cols).fillna("").astype(str).reset_index(drop=True)


def district_names(data: PlanData) -> list[str]:
    """Every district name the data knows: the district layer's, then any other the zones print.

    Parameters
    ----------
    data : PlanData

    Returns
    -------
    list of str
    """
    names = list(data.districts.name_zh) if "name_zh" in data.districts.columns else []
    for col in ("district_zh", "district_pip"):
        if col in data.zones.columns:
            names += [n for v in data.zones[col].dropna().unique() for n in _split(v)]
    return list(dict.fromkeys(n for n in names if n))


def _split(v: object) -> list[str]:
    return [x.strip() for x in str(v or "").split(";") if x.strip()]


def _hull_members(zones: pd.DataFrame) -> dict[str, list[str]]:
    """The places each hull zone is drawn around (named in its position_source by the build)."""
    ids = set(zones.zone_id)
    out = {}
    for z, method, src in zip(zones.zone_id, zones.extent_method.fillna(""), zones.position_source.fillna("")):
        if "hull" in str(method):
            out[z] = [t for t in re.findall(r"[A-Za-z0-9_]+", str(src)) if t in ids and t != z]
    return out


def zone_districts(zones: pd.DataFrame) -> dict[str, list[str]]:
    """Each zone's districts (see the module docstring), the placement's own district first.

    Parameters
    ----------
    zones : pandas.DataFrame
        zone_id, parent_id, district_zh, district_pip, position_confidence, extent_method, position_source.

    Returns
    -------
    dict
        zone_id → list of district names (empty when nothing places it in one).
    """
    z = zones.set_index("zone_id")
    col = lambda c: z[c].fillna("").astype(str) if c in z.columns else pd.Series("", index=z.index)  # noqa: E731
    dzh, pip, parent, conf = col("district_zh"), col("district_pip"), col("parent_id"), col("position_confidence")
    hulls = _hull_members(zones.assign(extent_method=col("extent_method").to_numpy(),
                                       position_source=col("position_source").to_numpy()))
    memo: dict[str, list[str]] = {}

    def resolve(zid: str, seen: frozenset) -> list[str]:
        if zid in memo:
            return memo[zid]
        if zid not in z.index or zid in seen:
            return []
        seen = seen | {zid}
        out = _split(dzh[zid])
        if not out and zid in hulls:
            out = _split(pip[zid]) + [d for m in hulls[zid] for d in resolve(m, seen)]
        if not out and conf[zid] != UNLOCATED:
            out = _split(pip[zid])
        if not out and parent[zid]:  # not located (shown at its parent), or nothing of its own: the parent's
            out = resolve(parent[zid], seen)
        if not out:
            out = _split(pip[zid])
        memo[zid] = list(dict.fromkeys(out))
        return memo[zid]

    return {zid: resolve(zid, frozenset()) for zid in z.index}


def _plan_districts(data: PlanData, projects: pd.DataFrame, names: list[str]) -> pd.Series:
    """Districts the plan itself gives: named in region_zh, or the district whose own plan it is."""
    own: dict[str, list[str]] = {}
    fa = area_table(data)
    for r in fa[fa.kind == "district"].itertuples():
        for kind, value in parse_members(r.members):
            if kind == "plan":
                own.setdefault(value, []).append(r.name_zh)
    keys = projects[["region_zh", "source_doc"]].fillna("").astype(str)
    uniq = keys.drop_duplicates()
    found = {}
    for region, doc in uniq.itertuples(index=False):
        named = [n for n in names if n in region]
        found[(region, doc)] = ";".join(dict.fromkeys(named or own.get(doc, [])))
    return pd.Series([found[k] for k in zip(keys.region_zh, keys.source_doc)], index=projects.index, dtype=str)


def _geometry_districts(data: PlanData, project_ids: pd.Series) -> pd.Series:
    """District of each project's parcel (representative point in a district polygon), by project id."""
    d = data.districts
    parc = data.parcels[data.parcels.project_id.isin(set(project_ids))][["project_id", "geometry"]]
    if not len(parc) or not len(d) or "name_zh" not in d.columns:
        return pd.Series(dtype=str)
    pts = gpd.GeoDataFrame(parc.assign(geometry=parc.geometry.representative_point()), geometry="geometry", crs=WGS84)
    hit = gpd.sjoin(pts, d[["name_zh", "geometry"]].to_crs(WGS84), predicate="within")
    return hit.groupby("project_id").name_zh.agg(lambda s: ";".join(dict.fromkeys(s)))


def project_districts(data: PlanData, projects: pd.DataFrame) -> pd.DataFrame:
    """Each project's districts and how they were obtained (see the module docstring).

    Parameters
    ----------
    data : PlanData
    projects : pandas.DataFrame
        project_id, zone_id, region_zh, source_doc.

    Returns
    -------
    pandas.DataFrame
        Aligned with ``projects``: ``districts`` (";"-separated, "" when none), ``district_how``
        ("plan" | "zone" | "geometry" | "").
    """
    names = district_names(data)
    plan = _plan_districts(data, projects, names)
    zd = {k: ";".join(v) for k, v in zone_districts(data.zones).items()}
    zone = projects.zone_id.map(zd).fillna("").astype(str)
    out = pd.DataFrame({"districts": plan, "district_how": np.where(plan != "", "plan", "")}, index=projects.index)
    use_zone = (out.districts == "") & (zone != "")
    out.loc[use_zone, "districts"], out.loc[use_zone, "district_how"] = zone[use_zone], "zone"
    rest = out.districts == ""
    if rest.any():
        geo = projects.project_id[rest].map(_geometry_districts(data, projects.project_id[rest])).fillna("")
        got = geo[geo != ""].index
        out.loc[got, "districts"], out.loc[got, "district_how"] = geo[got], "geometry"
    return out


def cells_naming(cells: pd.Series, wanted: set[str]) -> np.ndarray:
    """Which ';'-separated cells name any of ``wanted``, decided once per distinct cell (a handful),
    not once per row (10⁵ at district scale).

    Parameters
    ----------
    cells : pandas.Series
        Cells such as ``"九龙坡区;沙坪坝区"``.
    wanted : set of str

    Returns
    -------
    numpy.ndarray of bool
    """
    chosen = [v for v in cells.dropna().unique() if wanted & set(_split(v))]
    return cells.isin(chosen).to_numpy(dtype=bool)


def project_area_masks(data: PlanData, projects: pd.DataFrame, memberships: pd.DataFrame) -> dict[str, np.ndarray]:
    """For each functional area (``kind=functional``), which projects belong to it.

    Parameters
    ----------
    data : PlanData
    projects : pandas.DataFrame
        project_id, source_doc and ``districts`` (:func:`project_districts`).
    memberships : pandas.DataFrame
        :attr:`geo.core.model.PlanData.memberships` (project_id, zone_id).

    Returns
    -------
    dict
        area_id → boolean array aligned with ``projects``.
    """
    fa = area_table(data)
    out = {}
    for r in fa[fa.kind == "functional"].itertuples():
        hit = np.zeros(len(projects), dtype=bool)
        for kind, value in parse_members(r.members):
            if kind == "plan":
                hit |= (projects.source_doc == value).to_numpy()
            elif kind == "zone":
                inside = join.descendants(data.zones, value)
                hit |= projects.project_id.isin(set(memberships.project_id[memberships.zone_id.isin(inside)])).to_numpy()
            elif kind == "district":
                hit |= cells_naming(projects.districts, {value})
        out[r.area_id] = hit
    return out


def join_masks(masks: dict[str, np.ndarray], n: int) -> pd.Series:
    """The ';'-separated ids whose masks are true, row by row (one string per distinct combination).

    Parameters
    ----------
    masks : dict
        id → boolean array of length ``n``.
    n : int

    Returns
    -------
    pandas.Series of str
    """
    if not masks:
        return pd.Series([""] * n, dtype=str)
    ids = list(masks)
    code = np.zeros(n, dtype=np.int64)
    for k, i in enumerate(ids):
        code |= masks[i].astype(np.int64) << k
    labels = {c: ";".join(i for k, i in enumerate(ids) if c >> k & 1) for c in np.unique(code)}
    return pd.Series(code).map(labels).astype(str)


def zone_area_ids(data: PlanData, zone_districts_: dict[str, list[str]], enriched: pd.DataFrame) -> pd.Series:
    """Each zone's functional areas: by the rule's plans, zones and districts, and the zones (with their
    ancestors) of the area's projects.

    Parameters
    ----------
    data : PlanData
    zone_districts_ : dict
        :func:`zone_districts`.
    enriched : pandas.DataFrame
        Projects with their ``areas``.

    Returns
    -------
    pandas.Series of str
        Aligned with ``data.zones``.
    """
    zones = data.zones
    anc = join.ancestors(zones)
    dcells = zones.zone_id.map(lambda z: ";".join(zone_districts_.get(z, [])))
    fa = area_table(data)
    masks = {}
    for r in fa[fa.kind == "functional"].itertuples():
        hit = np.zeros(len(zones), dtype=bool)
        for kind, value in parse_members(r.members):
            if kind == "plan":
                hit |= (zones.source_doc == value).to_numpy()
            elif kind == "zone":
                hit |= zones.zone_id.isin(join.descendants(zones, value)).to_numpy()
            elif kind == "district":
                hit |= cells_naming(dcells, {value})
        in_area = enriched.zone_id[cells_naming(enriched.areas, {r.area_id})].dropna().unique()
        hit |= zones.zone_id.isin({a for z in in_area for a in anc.get(z, [z])}).to_numpy()
        masks[r.area_id] = hit
    return join_masks(masks, len(zones)).set_axis(zones.index)


def functional_areas(data: PlanData) -> pd.DataFrame:
    """The districts that have projects, then the functional areas: what the 区县与功能区 picker offers.

    Parameters
    ----------
    data : PlanData

    Returns
    -------
    pandas.DataFrame
        area_id (a district's is its name), name_zh, name_en, kind ("district" | "functional"),
        n_projects (projects in it; a project in several districts counts in each).
    """
    e = data.enriched
    fa = area_table(data)
    en = dict(zip(data.districts.get("name_zh", []), data.districts.get("name_en", [])))
    en.update({r.name_zh: r.name_en for r in fa[fa.kind == "district"].itertuples()})
    en = {zh: i18n.pick(i18n.DISTRICTS, zh, "en", default=name) for zh, name in en.items()}  # the UI's names
    each = e.districts.fillna("").astype(str).str.split(";").explode().str.strip()
    counts = each[each != ""].value_counts()
    order = [d for d in district_names(data) if d in counts.index] + sorted(set(counts.index) - set(district_names(data)))
    rows = [(d, d, en.get(d, d), "district", int(counts[d])) for d in order]
    for r in fa[fa.kind == "functional"].itertuples():
        rows.append((r.area_id, r.name_zh, r.name_en, "functional", int(cells_naming(e.areas, {r.area_id}).sum())))
    return pd.DataFrame(rows, columns=["area_id", "name_zh", "name_en", "kind", "n_projects"])


def resolve(data: PlanData, values: list[str]) -> tuple[set[str], set[str]]:
    """What the filter's district criterion asks for: district names and functional-area ids.

    Parameters
    ----------
    data : PlanData
    values : list of str
        District names (Chinese, or the district layer's English) and functional-area ids or names
        (Chinese or English; white space, bracket width and case are ignored).

    Returns
    -------
    (districts, area_ids) : (set of str, set of str)
        A value that names nothing known is kept as a district name (it matches nothing).
    """
    fa = area_table(data)
    keys: dict[str, tuple[str, str]] = {}
    for zh, en_ in zip(data.districts.get("name_zh", []), data.districts.get("name_en", [])):
        for k in (zh, en_, f"{en_} district", i18n.pick(i18n.DISTRICTS, zh, "en", default=zh)):
            keys[norm_name(k)] = ("district", zh)
    for r in fa.itertuples():
        target = ("district", r.name_zh) if r.kind == "district" else ("area", r.area_id)
        for k in (r.area_id, r.name_zh, r.name_en):
            keys.setdefault(norm_name(k), target)
    districts, area_ids = set(), set()
    for v in values:
        kind, name = keys.get(norm_name(v), ("district", v))
        (districts if kind == "district" else area_ids).add(name)
    return districts, area_ids


def zone_facts(data: PlanData) -> pd.DataFrame:
    """Per zone: districts, functional areas, located, and the bounds it is drawn at.

    Parameters
    ----------
    data : PlanData

    Returns
    -------
    pandas.DataFrame
        Indexed by zone_id: ``districts``, ``areas`` (";"-separated), ``located`` (bool), and
        ``bx0``…``by1``: WGS84 bounds of its own geometry when located, else of its nearest located
        ancestor (NaN when none is located).
    """
    zones = data.zones
    zd = zone_districts(zones)
    located = (zones.position_confidence.fillna("") != UNLOCATED).to_numpy() if len(zones) else np.zeros(0, bool)
    b = zones.geometry.bounds.to_numpy() if len(zones) else np.zeros((0, 4))
    own = {z: b[i] for i, z in enumerate(zones.zone_id) if located[i]}
    anc = join.ancestors(zones)
    nan4 = np.full(4, np.nan)
    drawn = np.array([next((own[a] for a in anc.get(z, [z]) if a in own), nan4) for z in zones.zone_id]).reshape(-1, 4)
    out = pd.DataFrame({"zone_id": zones.zone_id.to_numpy(),
                        "districts": [";".join(zd.get(z, [])) for z in zones.zone_id],
                        "areas": zone_area_ids(data, zd, data.enriched).to_numpy(), "located": located,
                        "bx0": drawn[:, 0], "by0": drawn[:, 1], "bx1": drawn[:, 2], "by1": drawn[:, 3]})
    return out.set_index("zone_id")

"""Firm matching for investment promoters: which parcels fit this firm, and why.

A firm profile (sector as free text or from the sector list, land need in 亩, preferred districts
or zones, wishes: near a metro station, near a university, inside the bonded zone) is scored
against every parcel. Each component is in [0, 1] with a reason a promoter can read out; distances
are metres in the parcel's own CGCS2000 Gauss–Krüger zone (:mod:`geo.core.nearest`). The weights and
distances of the score are settings (:mod:`geo.config`).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from geo import i18n
from geo.config import (
    BONDED_ZONES,
    LOCATION_FAR_M,
    MATCH_WEIGHTS,
    METRO_FAR_M,
    METRO_NEAR_M,
    PRESELECT,
    UNIV_FAR_M,
    UNIV_NEAR_M,
    WGS84,
)
from geo.core import areas
from geo.core.crs import own_zone
from geo.core.filter import split_multi
from geo.core.missing import is_missing
from geo.core.model import PlanData
from geo.core.nearest import nearest

# topic: (words a firm might use, words in a parcel's plan text that serve it)
TOPICS: dict[str, tuple[list[str], list[str]]] = {
    "ic": (["半导体", "芯片", "集成电路", "微电子", "ic", "semiconductor", "chip", "integrated circuit", "eda", "晶圆"],
           ["集成电路", "IC", "微电子", "芯"]),
    "software": (["软件", "信息技术", "信创", "software", "saas", "数据中心", "data center", "云计算", "cloud", "互联网"],
                 ["软件", "信息", "信创", "数据中心", "电子信息"]),
    "testing": (["检验", "检测", "认证", "计量", "testing", "inspection", "certification", "metrology"],
                ["检验", "检测"]),
    "biomed": (["生物", "医药", "医疗", "制药", "器械", "biotech", "pharma", "medical", "health", "大健康"],
               ["生物", "医药", "医疗", "健康"]),
    "creative": (["文创", "工业设计", "创意设计", "游戏", "电竞", "影视", "动漫", "creative", "industrial design", "game",
                  "esports", "film", "animation", "media"], ["文创", "创意", "电子竞技", "工业设计", "数字文创"]),
    "finance": (["金融", "投资", "基金", "银行", "保险", "finance", "fintech", "fund", "investment", "bank"], ["金融"]),
    "ai": (["人工智能", "智能制造", "机器人", "智能装备", "智能硬件", "artificial intelligence", "ai", "robot",
            "intelligent manufacturing", "hardware", "automation"], ["人工智能", "智能装备", "智能制造", "智能硬件"]),
    "rd": (["研发", "孵化", "实验室", "r&d", "research", "incubat", "laboratory", "lab"], ["研发", "孵化", "研究"]),
    "science": (["大科学装置", "科学装置", "重大科技基础设施", "big science", "large facility"],
                ["重大科学基础设施", "大科学装置"]),
}
@dataclass
class FirmProfile:
    """What a firm looks for, as a promoter enters it.

    Attributes
    ----------
    name : str
    sector_text : str
        Free text, Chinese or English ("半导体设计", "IC design").
    sectors : list of str
        Chosen from the plans' sectors and sector groups.
    land_min, land_max : float or None
        Land need in 亩 (None: open-ended).
    districts, zones : list of str
        Preferred districts (区 names) or functional areas (ids or names: :func:`geo.core.areas.resolve`)
        and zones (zone ids).
    near_metro, near_university, in_bonded_zone : bool
        Wishes.
    """

    name: str = ""
    sector_text: str = ""
    sectors: list[str] = field(default_factory=list)
    land_min: float | None = None
    land_max: float | None = None
    districts: list[str] = field(default_factory=list)
    zones: list[str] = field(default_factory=list)
    near_metro: bool = False
    near_university: bool = False
    in_bonded_zone: bool = False

    def to_dict(self) -> dict:
        """The profile as a plain dict (for URLs, caches and the fact sheet's record).

        Returns
        -------
        dict
        """
        return asdict(self)


def topics_of(text: str) -> list[str]:
    """The topics of :data:`TOPICS` a firm's words name (English words match at word starts only).

    Parameters
    ----------
    text : str

    Returns
    -------
    list of str
    """
    t = str(text or "").lower()
    found = []
    for topic, (words, _) in TOPICS.items():
        for w in words:
            hit = re.search(r"(?<![a-z])" + re.escape(w), t) if re.search(r"[a-z]", w) else w in t
            if hit:
                found.append(topic)
                break
    return found


def _lin(d: float, near: float, far: float) -> float:
    if np.isnan(d):
        return 0.0
    return float(np.clip((far - d) / (far - near), 0.0, 1.0))


def _preselect(parcels: gpd.GeoDataFrame, firm: FirmProfile, topics: list[str], zone_sectors: dict,
               member_zones: dict) -> gpd.GeoDataFrame:
    """Cheap vectorised sector and area scores; keep the PRESELECT best (and every parcel in a
    preferred zone or district) for the full scoring."""
    text = (parcels.function_zh.fillna("") + " " + parcels.name_zh.fillna("") + " " + parcels.sector_zh.fillna("") + " "
            + parcels.sector_group_zh.fillna("") + " " + parcels.zone_id.map(zone_sectors).fillna(""))
    uniq = {v: sum(any(w in v for w in TOPICS[t][1]) for t in topics) for v in text.unique()} if topics else {}
    sec = text.map(uniq).fillna(0).to_numpy(dtype=float) if topics else np.zeros(len(parcels))
    if firm.sectors:
        wanted = set(firm.sectors)
        for col in ("sector_zh", "sector_group_zh"):  # decided once per distinct value
            vals = parcels[col].fillna("")
            verdict = {v: float(bool(wanted & set(split_multi(v)))) for v in vals.unique()}
            sec = sec + vals.map(verdict).to_numpy(dtype=float)
    mu = parcels.land_mu.fillna(parcels.area_mu).to_numpy(dtype=float)
    lo = firm.land_min if firm.land_min is not None else -np.inf
    hi = firm.land_max if firm.land_max is not None else np.inf
    area = np.where((mu >= lo) & (mu <= hi), 1.0, 0.0)
    pre = sec * 2 + area
    keep = np.zeros(len(parcels), dtype=bool)
    keep[np.argsort(-pre, kind="stable")[:PRESELECT]] = True
    if firm.zones or firm.districts:
        pref = set(firm.zones)
        keep |= parcels.project_id.map(lambda p: bool(pref & member_zones.get(p, set()))).to_numpy() | \
            (parcels.pref_places.map(len) > 0).to_numpy()
    return parcels[keep].reset_index(drop=True)


@dataclass
class _Context:
    """What every parcel's score needs, computed once per ranking."""

    firm: FirmProfile
    topics: list[str]
    wanted: set[str]
    zone_sectors: dict
    zone_names: dict
    place_names: dict[str, tuple[str, str]]
    member_zones: dict[str, set]
    pref_zones: gpd.GeoDataFrame
    bonded: BaseGeometry | None


@dataclass
class _Part:
    """One component of the score (None: the firm left it open) and its reasons in both languages."""

    score: float | None
    zh: list[str] = field(default_factory=list)
    en: list[str] = field(default_factory=list)

    def add(self, key: str, **values: object) -> _Part:
        """Append a reason (a template of ``i18n.REASONS``) in both languages."""
        zh, en = i18n.both(i18n.REASONS, key, **values)
        self.zh.append(zh)
        self.en.append(en)
        return self


def _topic_fit(r: tuple, ctx: _Context) -> tuple[float, list[str]]:
    """Each of the firm's topics scores 1 (the plan's function names it), 0.7 (the parcel's sector or
    zone does) or 0; generic R&D counts half, so "biotech R&D" prefers the biomedicine parcel."""
    # the plan's intended use for this parcel
    specific = " ".join(str(x) for x in (r.function_zh, r.name_zh, r.function_en) if isinstance(x, str))
    # the parcel's own sector and its declared zone's planned functions (not the wide ancestors)
    general = " ".join([str(r.sector_zh), str(r.sector_group_zh), str(ctx.zone_sectors.get(r.zone_id, ""))])
    got, total, whys = 0.0, 0.0, []
    for t in ctx.topics:
        w = 0.5 if t == "rd" else 1.0
        total += w
        terms = TOPICS[t][1]
        hit = next((x for x in terms if x in specific), None)
        if hit:
            got += w
            whys.append(hit)
        elif next((x for x in terms if x in general), None):
            got += 0.7 * w
            whys.append(next(x for x in terms if x in general))
    return (got / total if total else 0.0), whys


def _sector_part(r: tuple, ctx: _Context) -> _Part:
    s_sector, whys = _topic_fit(r, ctx)
    why = f"{r.function_zh or r.name_zh}（{'、'.join(dict.fromkeys(whys))}）" if whys else ""
    parcel_sectors = set(split_multi(r.sector_zh)) | set(split_multi(r.sector_group_zh)) | \
        set(split_multi(r.sector_en)) | set(split_multi(r.sector_group_en))
    if ctx.wanted & parcel_sectors:
        s_sector, why = 1.0, f"{r.sector_zh}（{'、'.join(sorted(ctx.wanted & parcel_sectors))}）"
    part = _Part(s_sector if (ctx.topics or ctx.wanted) else None)
    if s_sector > 0:
        part.add("sector_fit", why=why, sector_en=r.sector_en)
    elif ctx.topics or ctx.wanted:
        part.add("sector_mismatch", use_zh=r.function_zh or r.sector_zh, use_en=r.function_en or r.sector_en)
    return part


def _area_part(mu: float, firm: FirmProfile) -> _Part:
    lo, hi = firm.land_min, firm.land_max
    need = f"{i18n.number(lo or 0, 2)}–{'∞' if hi is None else i18n.number(hi, 2)}"
    if lo is None and hi is None:
        return _Part(None)
    if (lo is None or mu >= lo) and (hi is None or mu <= hi):
        return _Part(1.0).add("area_within", mu=i18n.number(mu, 2), need=need)
    bound = lo if lo is not None and mu < lo else hi
    return _Part(max(0.0, 1 - abs(mu - bound) / bound)).add("area_outside", mu=i18n.number(mu, 2), need=need)


def _location_part(r: tuple, ctx: _Context) -> _Part:
    firm = ctx.firm
    if not (firm.zones or firm.districts):
        return _Part(None)
    members = ctx.member_zones.get(r.project_id, set())
    in_place = list(r.pref_places)
    if bool(set(firm.zones) & members) or in_place:
        zones = [ctx.zone_names.get(z, (z, z)) for z in firm.zones if z in members]
        where = zones or [ctx.place_names.get(p, (p, p)) for p in in_place]
        return _Part(1.0).add("in_area", where_zh=i18n.pick(i18n.REASONS, "list_sep", "zh").join(w[0] for w in where),
                              where_en=i18n.pick(i18n.REASONS, "list_sep", "en").join(w[1] for w in where))
    if not len(ctx.pref_zones):
        return _Part(0.0)
    crs = own_zone(r.geometry)
    d = float(gpd.GeoSeries([r.geometry], crs=WGS84).to_crs(crs).iloc[0].distance(
        ctx.pref_zones.to_crs(crs).union_all()))
    return _Part(max(0.0, 1 - d / LOCATION_FAR_M)).add("near_area", d=i18n.distance(d))


def _wishes_part(r: tuple, ctx: _Context, metro: tuple[str, float], univ: tuple[str, float]) -> tuple[_Part, bool]:
    firm = ctx.firm
    (metro_n, dm), (univ_n, du) = metro, univ
    part = _Part(None)
    scores = []
    if firm.near_metro:
        scores.append(_lin(dm, METRO_NEAR_M, METRO_FAR_M))
    if firm.near_university:
        scores.append(_lin(du, UNIV_NEAR_M, UNIV_FAR_M))
    in_bonded = bool(ctx.bonded is not None and r.geometry.intersects(ctx.bonded)) or \
        bool(set(BONDED_ZONES) & ctx.member_zones.get(r.project_id, set()))
    if firm.in_bonded_zone:
        scores.append(1.0 if in_bonded else 0.0)
        part.add("bonded_in" if in_bonded else "bonded_out")
    part.add("metro", name=metro_n, d=i18n.distance(dm))
    part.add("university", name=univ_n, d=i18n.distance(du))
    part.score = float(np.mean(scores)) if scores else None
    return part, in_bonded


def _score(parts: dict[str, _Part]) -> float:
    active = {k: p.score for k, p in parts.items() if p.score is not None}
    return sum(MATCH_WEIGHTS[k] * v for k, v in active.items()) / sum(MATCH_WEIGHTS[k] for k in active) if active else 0.0


def _row(r: tuple, ctx: _Context, metro: tuple[str, float], univ: tuple[str, float]) -> dict:
    """One parcel's score, its components, distances and reasons."""
    mu = float(r.land_mu) if not is_missing(r.land_mu) else float(r.area_mu)
    wishes, in_bonded = _wishes_part(r, ctx, metro, univ)
    parts = {"sector": _sector_part(r, ctx), "area": _area_part(mu, ctx.firm), "location": _location_part(r, ctx),
             "wishes": wishes}
    zh = [x for p in parts.values() for x in p.zh]
    en = [x for p in parts.values() for x in p.en]
    if r.geometry_source == "schematic":
        note = _Part(None).add("schematic")
        zh, en = zh + note.zh, en + note.en
    return {"parcel_id": r.parcel_id, "project_id": r.project_id, "name_zh": r.name_zh, "name_en": r.name_en,
            "zone_name_zh": r.zone_name_zh, "sector_zh": r.sector_zh, "function_zh": r.function_zh,
            "land_mu": mu, "output_target_yi": r.output_target_yi, "score": round(_score(parts), 4),
            "s_sector": parts["sector"].score, "s_area": parts["area"].score, "s_location": parts["location"].score,
            "s_wishes": wishes.score, "metro_m": metro[1], "metro_name": metro[0], "university_m": univ[1],
            "university_name": univ[0], "in_bonded_zone": in_bonded,
            "reasons_zh": i18n.pick(i18n.REASONS, "reason_sep", "zh").join(zh),
            "reasons_en": i18n.pick(i18n.REASONS, "reason_sep", "en").join(en)}


def preferred_places(data: PlanData, parcels: pd.DataFrame, wanted: list[str]) -> pd.Series:
    """Per parcel, which of the preferred districts and functional areas it lies in.

    Parameters
    ----------
    data : PlanData
    parcels : pandas.DataFrame
        With ``districts`` and ``areas`` (';'-separated district names and functional-area ids).
    wanted : list of str
        District names and functional-area ids or names (:func:`geo.core.areas.resolve`).

    Returns
    -------
    pandas.Series of list of str
        District names and area ids, on the parcels' index ([] where none).
    """
    if not wanted:
        return pd.Series([[] for _ in range(len(parcels))], index=parcels.index, dtype=object)
    dists, area_ids = areas.resolve(data, wanted)
    cells = zip(parcels["districts"].fillna(""), parcels["areas"].fillna("") if "areas" in parcels else [""] * len(parcels),
                strict=True)
    return pd.Series([[d for d in split_multi(ds) if d in dists] + [a for a in split_multi(ar) if a in area_ids]
                      for ds, ar in cells], index=parcels.index, dtype=object)


def _place_names(data: PlanData) -> dict[str, tuple[str, str]]:
    """District names and functional-area ids → (Chinese, English) names."""
    fa = data.area_summary
    return {r.area_id: (r.name_zh, r.name_en or r.name_zh) for r in fa.itertuples()}


def _context(data: PlanData, firm: FirmProfile) -> tuple[gpd.GeoDataFrame, _Context]:
    """The candidate parcels (preselected at district scale) and what scoring them needs."""
    parcels = data.parcels_joined.merge(
        data.enriched[["project_id", "district", "districts", "areas", "output_per_mu_wan"]], on="project_id",
        how="left", suffixes=("", "_e"))
    parcels = gpd.GeoDataFrame(parcels, geometry="geometry", crs=WGS84).reset_index(drop=True)
    parcels["districts"] = parcels.districts.fillna("").astype(str)
    parcels["pref_places"] = preferred_places(data, parcels, firm.districts)
    zones = data.zones.set_index("zone_id")
    member_zones: dict[str, set] = {}
    m = data.memberships
    for pid, z in zip(m.project_id.tolist(), m.zone_id.tolist(), strict=True):  # a groupby-agg(set) took 4 s at 50k
        member_zones.setdefault(pid, set()).add(z)
    topics = topics_of(firm.sector_text + " " + firm.name)
    if len(parcels) > PRESELECT:
        parcels = _preselect(parcels, firm, topics, zones.sectors_zh.to_dict(), member_zones)
    bonded = data.zones[data.zones.zone_id.isin(BONDED_ZONES)]
    zone_names = {z: (zh, en if isinstance(en, str) and en else zh)
                  for z, zh, en in zip(zones.index, zones.name_zh, zones.name_en, strict=True)}
    ctx = _Context(firm, topics, set(firm.sectors), zones.sectors_zh.to_dict(), zone_names, _place_names(data),
                   member_zones,
                   data.zones[data.zones.zone_id.isin(firm.zones)],
                   bonded.geometry.union_all() if len(bonded) else None)
    return parcels, ctx


def match(data: PlanData, firm: FirmProfile, lang: str = "zh") -> pd.DataFrame:
    """Rank the parcels for a firm.

    Parameters
    ----------
    data : PlanData
    firm : FirmProfile
    lang : {"zh", "en"}
        Language of the reasons.

    Returns
    -------
    pandas.DataFrame
        Ranked parcels with score components, distances and reasons (best first).
    """
    parcels, ctx = _context(data, firm)
    pois = data.pois if data.pois is not None else gpd.GeoDataFrame(columns=["name_zh", "category", "geometry"])
    metro = nearest(pois[pois.category == "metro_station"], parcels)
    univ = nearest(pois[pois.category == "university"], parcels)
    metro_n, metro_d = metro["name"].to_numpy(dtype=object), metro["distance_m"].to_numpy(dtype=float)
    univ_n, univ_d = univ["name"].to_numpy(dtype=object), univ["distance_m"].to_numpy(dtype=float)
    rows = [_row(r, ctx, (metro_n[i], metro_d[i]), (univ_n[i], univ_d[i]))
            for i, r in enumerate(parcels.itertuples(index=False))]  # parcels are positionally indexed
    out = pd.DataFrame(rows)
    return out.sort_values(["score", "land_mu"], ascending=[False, True]).reset_index(drop=True)

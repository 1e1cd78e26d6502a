"""Firm matching for investment promoters: which parcels fit this firm, and why.

A firm profile (sector as free text or from the sector list, land need in 亩, preferred districts
or zones, wishes: near a metro station, near a university, inside the bonded zone) is scored
against every parcel. Each component is in [0, 1] with a reason a promoter can read out; distances
are metres in the parcel's own CGCS2000 Gauss–Krüger zone.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.core.crs import WGS84, gk_epsg_for_lon
from geo.core.filter import split_multi
from geo.core.model import PlanData

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
WEIGHTS = {"sector": 0.40, "area": 0.25, "location": 0.15, "wishes": 0.20}
METRO_NEAR_M, METRO_FAR_M = 800.0, 5000.0
UNIV_NEAR_M, UNIV_FAR_M = 1500.0, 8000.0
LOCATION_FAR_M = 5000.0
BONDED_ZONES = ("xiyong_bonded_zone", "hts_xiyong_bonded_b")


@dataclass
class FirmProfile:
    name: str = ""
    sector_text: str = ""  # free text, Chinese or English ("半导体设计", "IC design")
    sectors: list[str] = field(default_factory=list)  # chosen from the plans' sectors / groups
    land_min: float | None = None
    land_max: float | None = None
    districts: list[str] = field(default_factory=list)
    zones: list[str] = field(default_factory=list)
    near_metro: bool = False
    near_university: bool = False
    in_bonded_zone: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


def topics_of(text: str) -> list[str]:
    t = str(text or "").lower()
    found = []
    for topic, (words, _) in TOPICS.items():
        for w in words:
            if re.search(r"[a-z]", w):
                if re.search(r"(?<![a-z])" + re.escape(w), t):
                    found.append(topic)
                    break
            elif w in t:
                found.append(topic)
                break
    return found


def _lin(d: float, near: float, far: float) -> float:
    if np.isnan(d):
        return 0.0
    return float(np.clip((far - d) / (far - near), 0.0, 1.0))


def nearest(points: gpd.GeoDataFrame, parcels: gpd.GeoDataFrame) -> pd.DataFrame:
    """For each parcel: the nearest point's name and the distance (m) from the parcel's boundary,
    measured in the parcel's own GK zone (0 when the point lies inside the parcel). One STRtree
    query per zone, not a distance to every point per parcel."""
    out = pd.DataFrame({"name": pd.Series([None] * len(parcels), index=parcels.index, dtype=object),
                        "distance_m": np.full(len(parcels), np.nan)}, index=parcels.index)
    pts = points[points.geometry.notna()]
    if not len(pts) or not len(parcels):
        return out
    zones = [f"EPSG:{gk_epsg_for_lon(x)}" for x in parcels.geometry.representative_point().x]
    names = pts["name_zh"].to_numpy(dtype=object)
    for crs, idx in parcels.groupby(pd.Series(zones, index=parcels.index)).groups.items():
        pp = parcels.loc[idx].to_crs(crs)
        qq = pts.to_crs(crs)
        (src, dst), dist = qq.sindex.nearest(pp.geometry.values, return_distance=True, return_all=False)
        out.loc[pp.index[src], "name"] = names[dst]
        out.loc[pp.index[src], "distance_m"] = dist
    return out


PRESELECT = 2000  # at district scale, full scoring (distances, reasons) runs on the best candidates only


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
            parcels.district.isin(firm.districts).to_numpy()
    return parcels[keep].reset_index(drop=True)


def _fmt_m(d: float, lang: str) -> str:
    if np.isnan(d):
        return "—"
    if d < 1000:
        return f"{d:.0f} m"
    return f"{d / 1000:.1f} km"


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
    p = data.enriched
    m = data.memberships
    parcels = data.parcels_joined.merge(
        p[["project_id", "district", "output_per_mu_wan"]], on="project_id", how="left", suffixes=("", "_e"))
    parcels = gpd.GeoDataFrame(parcels, geometry="geometry", crs=WGS84).reset_index(drop=True)
    zone_sectors = data.zones.set_index("zone_id").sectors_zh.to_dict()
    zone_names = data.zones.set_index("zone_id").name_zh.to_dict()
    member_zones: dict[str, set] = {}
    for pid, z in zip(m.project_id.tolist(), m.zone_id.tolist(), strict=True):  # a groupby-agg(set) took 4 s at 50k
        member_zones.setdefault(pid, set()).add(z)
    firm_topics_pre = topics_of(firm.sector_text + " " + firm.name)
    if len(parcels) > PRESELECT:
        parcels = _preselect(parcels, firm, firm_topics_pre, zone_sectors, member_zones)
    pois = data.pois if data.pois is not None else gpd.GeoDataFrame(columns=["name_zh", "category", "geometry"])
    metro = nearest(pois[pois.category == "metro_station"], parcels)
    univ = nearest(pois[pois.category == "university"], parcels)
    bonded_geoms = data.zones[data.zones.zone_id.isin(BONDED_ZONES)].geometry.union_all() \
        if data.zones.zone_id.isin(BONDED_ZONES).any() else None

    firm_topics = topics_of(firm.sector_text + " " + firm.name)
    wanted_sectors = set(firm.sectors)
    pref_zone_geoms = data.zones[data.zones.zone_id.isin(firm.zones)]
    rows = []
    metro_n, metro_d = metro["name"].to_numpy(dtype=object), metro["distance_m"].to_numpy(dtype=float)
    univ_n, univ_d = univ["name"].to_numpy(dtype=object), univ["distance_m"].to_numpy(dtype=float)
    for i, r in enumerate(parcels.itertuples(index=False)):  # parcels are positionally indexed
        reasons_zh, reasons_en = [], []
        # sector fit: the plan's intended use for this parcel
        specific = " ".join(str(x) for x in (r.function_zh, r.name_zh, r.function_en) if isinstance(x, str))
        # the parcel's own sector and its declared zone's planned functions (not the wide ancestors)
        general = " ".join([str(r.sector_zh), str(r.sector_group_zh), str(zone_sectors.get(r.zone_id, ""))])
        # each of the firm's topics scores 1 (the plan's function names it), 0.7 (the parcel's sector or
        # zone does) or 0; generic R&D counts half, so "biotech R&D" prefers the biomedicine parcel
        got, total, whys = 0.0, 0.0, []
        for t in firm_topics:
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
        s_sector = got / total if total else 0.0
        why = f"{r.function_zh or r.name_zh}（{'、'.join(dict.fromkeys(whys))}）" if whys else ""
        parcel_sectors = set(split_multi(r.sector_zh)) | set(split_multi(r.sector_group_zh)) | \
            set(split_multi(r.sector_en)) | set(split_multi(r.sector_group_en))
        if wanted_sectors & parcel_sectors:
            s_sector, why = 1.0, f"{r.sector_zh}（{'、'.join(sorted(wanted_sectors & parcel_sectors))}）"
        if s_sector > 0:
            reasons_zh.append(f"赛道匹配：规划用途“{why}”")
            reasons_en.append(f"sector fit: the plan intends “{why}” ({r.sector_en})")
        elif firm_topics or wanted_sectors:
            reasons_zh.append(f"赛道不符：规划用途为“{r.function_zh or r.sector_zh}”")
            reasons_en.append(f"sector mismatch: the plan intends “{r.function_en or r.sector_en}”")
        # area fit
        mu = float(r.land_mu) if not pd.isna(r.land_mu) else float(r.area_mu)
        lo, hi = firm.land_min, firm.land_max
        need = f"{lo or 0:g}–{'∞' if hi is None else f'{hi:g}'}"
        if lo is None and hi is None:
            s_area = None
        elif (lo is None or mu >= lo) and (hi is None or mu <= hi):
            s_area = 1.0
            reasons_zh.append(f"面积 {mu:g} 亩，在需求 {need} 亩之内")
            reasons_en.append(f"area {mu:g} mu is within the need of {need} mu")
        else:
            bound = lo if lo is not None and mu < lo else hi
            s_area = max(0.0, 1 - abs(mu - bound) / bound)
            reasons_zh.append(f"面积 {mu:g} 亩，需求 {need} 亩")
            reasons_en.append(f"area {mu:g} mu against a need of {need} mu")
        # preferred location
        s_loc = None
        if firm.zones or firm.districts:
            inside = bool(set(firm.zones) & member_zones.get(r.project_id, set())) or r.district in firm.districts
            if inside:
                s_loc = 1.0
                where = [zone_names.get(z, z) for z in firm.zones if z in member_zones.get(r.project_id, set())] or [r.district]
                reasons_zh.append(f"位于偏好区域：{'、'.join(where)}")
                reasons_en.append(f"inside the preferred area: {', '.join(where)}")
            elif len(pref_zone_geoms):
                crs = f"EPSG:{gk_epsg_for_lon(r.geometry.representative_point().x)}"
                d = float(gpd.GeoSeries([r.geometry], crs=WGS84).to_crs(crs).iloc[0].distance(
                    pref_zone_geoms.to_crs(crs).union_all()))
                s_loc = max(0.0, 1 - d / LOCATION_FAR_M)
                reasons_zh.append(f"距偏好区域 {_fmt_m(d, 'zh')}")
                reasons_en.append(f"{_fmt_m(d, 'en')} from the preferred area")
            else:
                s_loc = 0.0
        # wishes
        wish_scores = []
        dm, du = metro_d[i], univ_d[i]
        if firm.near_metro:
            wish_scores.append(_lin(dm, METRO_NEAR_M, METRO_FAR_M))
        if firm.near_university:
            wish_scores.append(_lin(du, UNIV_NEAR_M, UNIV_FAR_M))
        in_bonded = bool(bonded_geoms is not None and r.geometry.intersects(bonded_geoms)) or \
            bool(set(BONDED_ZONES) & member_zones.get(r.project_id, set()))
        if firm.in_bonded_zone:
            wish_scores.append(1.0 if in_bonded else 0.0)
            reasons_zh.append("位于综合保税区（近似范围）" if in_bonded else "不在综合保税区内")
            reasons_en.append("inside the bonded zone (approximate extent)" if in_bonded else "outside the bonded zone")
        reasons_zh.append(f"最近地铁站 {metro_n[i]} {_fmt_m(dm, 'zh')}")
        reasons_en.append(f"nearest metro station {metro_n[i]} {_fmt_m(dm, 'en')}")
        reasons_zh.append(f"最近高校 {univ_n[i]} {_fmt_m(du, 'zh')}（校区位置为近似）")
        reasons_en.append(f"nearest university {univ_n[i]} {_fmt_m(du, 'en')} (campus position approximate)")
        comps = {"sector": s_sector if (firm_topics or wanted_sectors) else None, "area": s_area, "location": s_loc,
                 "wishes": float(np.mean(wish_scores)) if wish_scores else None}
        active = {k: v for k, v in comps.items() if v is not None}
        score = sum(WEIGHTS[k] * v for k, v in active.items()) / sum(WEIGHTS[k] for k in active) if active else 0.0
        if r.geometry_source == "schematic":
            reasons_zh.append("地块图形为示意（按规划亩数绘制），实际边界以规划部门为准")
            reasons_en.append("the parcel outline is schematic (sized to the plan's mu); the planning bureau holds the boundary")
        rows.append({"parcel_id": r.parcel_id, "project_id": r.project_id, "name_zh": r.name_zh, "name_en": r.name_en,
                     "zone_name_zh": r.zone_name_zh, "sector_zh": r.sector_zh, "function_zh": r.function_zh,
                     "land_mu": mu, "output_target_yi": r.output_target_yi, "score": round(score, 4),
                     "s_sector": comps["sector"], "s_area": s_area, "s_location": s_loc, "s_wishes": comps["wishes"],
                     "metro_m": dm, "metro_name": metro_n[i], "university_m": du,
                     "university_name": univ_n[i], "in_bonded_zone": in_bonded,
                     "reasons_zh": "；".join(reasons_zh), "reasons_en": "; ".join(reasons_en)})
    out = pd.DataFrame(rows)
    return out.sort_values(["score", "land_mu"], ascending=[False, True]).reset_index(drop=True)

"""Joins: projects ↔ parcels ↔ zones, and the zone hierarchy.

A project belongs to its zone and to every ancestor of that zone (a parcel in 科学谷 is also
in 研发创新生态圈). A project is in a layout if its zone chain reaches a zone of the layout, or
if its parcel lies inside one of the layout's zones — the plans often name a town where the
layout names a district-level area.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.config import GK_CM105, WGS84
from geo.core.model import PlanData


def ancestors(zones: pd.DataFrame) -> dict[str, list[str]]:
    """Each zone's chain of ancestors, itself first (cycles cut).

    Parameters
    ----------
    zones : pandas.DataFrame
        ``zone_id`` and ``parent_id`` columns.

    Returns
    -------
    dict
        zone_id → [zone_id, parent, grandparent, …].
    """
    parent = dict(zip(zones.zone_id, zones.parent_id.fillna("")))
    out = {}
    for z in zones.zone_id:
        chain, cur = [], z
        while cur and cur not in chain:
            chain.append(cur)
            cur = parent.get(cur, "")
        out[z] = chain
    return out


def descendants(zones: pd.DataFrame, zone_id: str) -> set[str]:
    """A zone and every zone below it.

    Parameters
    ----------
    zones : pandas.DataFrame
    zone_id : str

    Returns
    -------
    set of str
    """
    anc = ancestors(zones)
    return {z for z, chain in anc.items() if zone_id in chain}


def parcels_joined(data: PlanData) -> gpd.GeoDataFrame:
    """Parcels with their project's attributes and their zone's names (one row per parcel).

    Parameters
    ----------
    data : PlanData

    Returns
    -------
    geopandas.GeoDataFrame
        Also ``rep_x``/``rep_y`` (representative points in :data:`geo.config.GK_CM105`, for density
        cells) and ``bx0``…``by1`` (WGS84 bounds, for viewport queries).
    """
    proj_cols = [c for c in data.projects.columns if c not in ("zone_id",)]
    p = data.parcels.merge(data.projects[proj_cols], on="project_id", how="left", suffixes=("", "_project"))
    z = data.zones[["zone_id", "name_zh", "name_en", "layer_id", "layout", "district_zh"]].rename(
        columns={"name_zh": "zone_name_zh", "name_en": "zone_name_en", "district_zh": "zone_district_zh"})
    p = p.merge(z, on="zone_id", how="left")
    out = gpd.GeoDataFrame(p, geometry="geometry", crs=WGS84)
    if len(out):  # representative points in the GK plane, once (density cells at district scale)
        rep = out.geometry.representative_point().to_crs(GK_CM105)
        out["rep_x"], out["rep_y"] = rep.x.to_numpy(), rep.y.to_numpy()
        # WGS84 bounds, once: the viewport query is then four array comparisons on whatever subset a
        # filter leaves (a spatial index would have to be rebuilt for every subset)
        b = out.geometry.bounds
        out["bx0"], out["by0"], out["bx1"], out["by1"] = (b[c].to_numpy() for c in ("minx", "miny", "maxx", "maxy"))
    return out


def project_zone_chains(data: PlanData) -> pd.Series:
    """Each project's zone and that zone's ancestors.

    Parameters
    ----------
    data : PlanData

    Returns
    -------
    pandas.Series
        Aligned with ``data.projects``: a list of zone ids per project.
    """
    anc = ancestors(data.zones)
    return data.projects.zone_id.map(lambda z: anc.get(z, [z]))


def project_memberships(data: PlanData) -> pd.DataFrame:
    """Long table project_id × zone_id (declared chain ∪ spatial containment), with layout and method.

    Parameters
    ----------
    data : PlanData

    Returns
    -------
    pandas.DataFrame
        project_id, zone_id, method ("declared" wins over "spatial"), layer_id, layout_id.
    """
    # declared: the project's zone and its ancestors, joined per distinct zone (10⁵ projects, 10² zones)
    anc = ancestors(data.zones)
    zones = data.projects.zone_id.dropna().unique()
    pairs = pd.DataFrame([(z, a) for z in zones for a in anc.get(z, [z])], columns=["zone_id", "chain_zone"])
    declared = data.projects[["project_id", "zone_id"]].merge(pairs, on="zone_id")
    declared = pd.DataFrame({"project_id": declared.project_id, "zone_id": declared.chain_zone, "method": "declared"})
    frames = [declared]
    # spatial: parcel (or, without a parcel, the project's zone position) inside an area zone
    pts = data.parcels[["project_id", "geometry"]].copy()
    pts["geometry"] = pts.geometry.representative_point()
    polys = data.zones[data.zones.geom_type.isin(["Polygon", "MultiPolygon"])][["zone_id", "geometry"]]
    if len(pts) and len(polys):
        hit = gpd.sjoin(gpd.GeoDataFrame(pts, crs=WGS84), polys, predicate="within")
        frames.append(pd.DataFrame({"project_id": hit.project_id.to_numpy(), "zone_id": hit.zone_id.to_numpy(),
                                    "method": "spatial"}))
    m = pd.concat(frames, ignore_index=True)
    m = m.sort_values("method").drop_duplicates(["project_id", "zone_id"])  # declared wins
    return m.merge(data.zones[["zone_id", "layer_id", "layout_id"]], on="zone_id", how="left")


def projects_enriched(data: PlanData) -> pd.DataFrame:
    """Projects with parcel id/area/geometry_source, zone names, district and layouts.

    Parameters
    ----------
    data : PlanData

    Returns
    -------
    pandas.DataFrame
        The projects plus parcel_id, parcel_area_mu, parcel_geometry_source, zone names, districts
        (";"-separated, "" when none), district_how ("plan" | "zone" | "geometry" | "", see
        :mod:`geo.core.areas`), district (the first of districts), district_pip (the zone's),
        layout_ids, areas (";"-separated functional-area ids) and output_per_mu_wan (only where both
        figures are given).
    """
    from geo.core import areas  # areas builds on this module's chains
    p = data.projects.copy()
    parc = data.parcels[["project_id", "parcel_id", "area_mu", "geometry_source"]].rename(
        columns={"area_mu": "parcel_area_mu", "geometry_source": "parcel_geometry_source"})
    p = p.merge(parc, on="project_id", how="left")
    z = data.zones[["zone_id", "name_zh", "name_en", "district_zh", "district_pip"]].rename(
        columns={"name_zh": "zone_name_zh", "name_en": "zone_name_en", "district_zh": "zone_district_zh"})
    p = p.merge(z, on="zone_id", how="left")
    p = p.drop(columns=["zone_district_zh"])
    p[["districts", "district_how"]] = areas.project_districts(data, p)
    p["district"] = p.districts.str.split(";").str[0].fillna("")  # the first of them (older callers)
    m = data.memberships
    ml = m.dropna(subset=["layout_id"])
    ml = ml[ml.layout_id.astype(str) != ""]
    # one mask per layout (a handful), not one Python join per project (10⁵ at district scale)
    masks = {lid: p.project_id.isin(set(ml.project_id[ml.layout_id == lid])).to_numpy()
             for lid in sorted(set(ml.layout_id.astype(str)))}
    p["layout_ids"] = areas.join_masks(masks, len(p)).to_numpy()
    p["areas"] = areas.join_masks(areas.project_area_masks(data, p, m), len(p)).to_numpy()
    both = p.output_target_yi.notna() & p.land_mu.notna() & (p.land_mu > 0)
    p["output_per_mu_wan"] = (p.output_target_yi * 1e4 / p.land_mu).where(both)
    return p

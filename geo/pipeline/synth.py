"""Synthetic cadastral layers for scale tests and benchmarks (reproducible by seed).

Parcels are laid out in street blocks over the High-tech Zone's extent: each block is cut into
lots of log-normal size (median ~40 亩, 5–600 亩), slightly rotated, with 4–10 vertices (some
corners clipped), like a 控规 land-use layer. Each parcel gets a project row (sector, function,
亩, output) so every filter, popup, export and the matching run on it unchanged. The projects cite
the catalogue's first plan and lie in the places every plan shares (:data:`geo.config.COMMON_LAYER`).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.config import COMMON_LAYER, GK_CM105, M2_PER_MU, WGS84
from geo.core.crs import areas_mu, project
from geo.core.model import PlanData

EXTENT_WGS84 = (106.22, 29.40, 106.44, 29.66)  # the 直管园 and surroundings
SECTORS = [("研发孵化", "R&D and incubation services", "研发孵化", "R&D and incubation"),
           ("软件信息", "software and information services", "软件信息", "Software and information"),
           ("检验检测", "inspection and testing", "检验检测", "Inspection and testing"),
           ("数字文创", "digital cultural and creative industries", "数字文创", "Digital creative"),
           ("科技金融", "sci-tech finance", "科技金融", "Sci-tech finance"),
           ("智能制造", "intelligent manufacturing", "先进制造与新兴产业", "Advanced manufacturing and emerging industries"),
           ("生物医药", "biomedicine", "生物医药与大健康", "Biomedicine and health")]


def parcels(n: int, seed: int = 0) -> gpd.GeoDataFrame:
    """Synthetic cadastral parcels over the High-tech Zone, reproducible by seed.

    Parameters
    ----------
    n : int
        How many.
    seed : int, default 0

    Returns
    -------
    geopandas.GeoDataFrame
        WGS84, with parcel_id, project_id and area_mu; lots never overlap.
    """
    rng = np.random.default_rng(seed)
    crs = GK_CM105
    x0, y0 = project(shapely.Point(EXTENT_WGS84[0], EXTENT_WGS84[1]), crs).coords[0]
    x1, y1 = project(shapely.Point(EXTENT_WGS84[2], EXTENT_WGS84[3]), crs).coords[0]
    # one cell per parcel over the extent; the lot fills at most 85 % of its cell, so lots never overlap
    cols = int(math.ceil(math.sqrt(n * (x1 - x0) / (y1 - y0))))
    rows = int(math.ceil(n / cols))
    pw, ph = (x1 - x0) / cols, (y1 - y0) / rows
    mu = np.clip(rng.lognormal(math.log(40), 0.9, n), 5, 600)
    geoms = _lots(rng, n, cols, (x0, y0), (pw, ph), mu)
    g = gpd.GeoDataFrame({"parcel_id": [f"P-SYN-{i:06d}" for i in range(n)],
                          "project_id": [f"SYN-{i:06d}" for i in range(n)]}, geometry=geoms, crs=crs).to_crs(WGS84)
    g["geometry"] = shapely.set_precision(g.geometry.values, 1e-7)
    g["area_mu"] = areas_mu(g.geometry.values).round(3)
    return g


def _lots(rng: np.random.Generator, n: int, cols: int, origin: tuple[float, float], cell: tuple[float, float],
          mu: np.ndarray) -> np.ndarray:
    """The lots as polygons (vectorised): a rectangle of the lot's area in its cell, slightly moved and rotated,
    some corners clipped (4–8 vertices)."""
    (x0, y0), (pw, ph) = origin, cell
    r_, c_ = np.divmod(np.arange(n), cols)
    area = np.minimum(mu * M2_PER_MU, (0.85 * pw) * (0.85 * ph) * 0.8)
    w = np.minimum(np.sqrt(area * rng.uniform(0.7, 1.4, n)), 0.85 * pw)
    h = np.minimum(area / w, 0.85 * ph)
    cx = x0 + (c_ + 0.5) * pw + rng.uniform(-1, 1, n) * (pw - w) * 0.05
    cy = y0 + (r_ + 0.5) * ph + rng.uniform(-1, 1, n) * (ph - h) * 0.05
    ang = rng.uniform(-0.05, 0.05, n)
    corners = np.stack([np.stack([-w / 2, -h / 2], 1), np.stack([w / 2, -h / 2], 1),
                        np.stack([w / 2, h / 2], 1), np.stack([-w / 2, h / 2], 1)], 1)  # (n, 4, 2)
    clip = rng.random((n, 4)) < 0.35
    t = rng.uniform(0.05, 0.2, (n, 4))[..., None]
    prev, nxt = np.roll(corners, 1, axis=1), np.roll(corners, -1, axis=1)
    first = np.where(clip[..., None], corners + (prev - corners) * t, corners)  # the corner, or its cut towards prev
    second = corners + (nxt - corners) * t  # … and towards the next corner (kept only where clipped)
    pts = np.stack([first, second], 2).reshape(n, 8, 2)
    keep = np.stack([np.ones_like(clip), clip], 2).reshape(n, 8)
    c, s_ = np.cos(ang)[:, None], np.sin(ang)[:, None]
    x = cx[:, None] + pts[..., 0] * c - pts[..., 1] * s_
    y = cy[:, None] + pts[..., 0] * s_ + pts[..., 1] * c
    counts = keep.sum(1)
    xy = np.stack([x[keep], y[keep]], 1)
    # close each ring: its first vertex again after its last
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    closed = np.insert(xy, np.cumsum(counts), xy[starts], axis=0)
    offsets = np.concatenate([[0], np.cumsum(counts + 1)])
    return shapely.from_ragged_array(shapely.GeometryType.POLYGON, closed, (offsets, np.arange(n + 1)))


def plan_data(n: int, seed: int = 0, base: PlanData | None = None) -> PlanData:
    """The shipped data plus n synthetic parcels and their projects (a district-scale layer).

    Parameters
    ----------
    n : int
        Synthetic parcels to add.
    seed : int, default 0
    base : PlanData, optional
        The data to add them to (default: the shipped data).

    Returns
    -------
    PlanData
    """
    from geo.io import open_store
    base = base or open_store().load()
    rng = np.random.default_rng(seed + 1)
    p = parcels(n, seed)
    sec = rng.integers(0, len(SECTORS), n)
    out = rng.lognormal(math.log(60), 0.8, n)
    has_out = rng.random(n) < 0.6
    town_ids = base.zones[base.zones.layer_id == COMMON_LAYER].zone_id.to_numpy()
    zone_of = town_ids[rng.integers(0, len(town_ids), n)]
    projects = pd.DataFrame({
        "project_id": p.project_id, "name_zh": [f"规划地块{i:06d}" for i in range(n)],
        "name_en": [f"Planned parcel {i:06d}" for i in range(n)], "pinyin": "",
        "kind": "parcel", "sector_zh": [SECTORS[k][0] for k in sec], "sector_en": [SECTORS[k][1] for k in sec],
        "sector_group_zh": [SECTORS[k][2] for k in sec], "sector_group_en": [SECTORS[k][3] for k in sec],
        "zone_id": zone_of, "region_zh": "", "function_zh": [SECTORS[k][0] for k in sec],
        "function_en": [SECTORS[k][1] for k in sec], "land_mu": p.area_mu.round(1), "land_mu_text": "",
        "land_note": "synthetic", "floor_area_m2": np.nan, "floor_area_text": "",
        "output_target_yi": np.where(has_out, (out * p.area_mu / 1e4).round(2), np.nan), "output_target_text": "",
        "target_year": pd.array([2025] * n, dtype="Int64"), "investment_yi": np.nan, "investment_text": "",
        "source_doc": base.catalogue.plan_ids[0], "source_ref": "synthetic benchmark layer", "quote_zh": "",
        "notes": "synthetic"})
    parcels_ = p.assign(geometry_source="surveyed", zone_id=zone_of, placement_note="synthetic")
    data = PlanData(pd.concat([base.projects, projects], ignore_index=True), base.targets, base.zones,
                    gpd.GeoDataFrame(pd.concat([base.parcels, parcels_], ignore_index=True), geometry="geometry", crs=WGS84),
                    base.districts, base.manifest, base.sources, [], base.pois, base.functional_areas)
    return data

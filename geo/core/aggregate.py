"""Aggregates per zone, sector, layout and plan: count, Σ亩, Σ output target, output per 亩.

Missing figures stay missing: a sum over rows that all lack a figure is NaN, not 0, and
output per 亩 (万元/亩) uses only rows that have both figures, so a project with land but
no stated output does not dilute the ratio.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

YI_TO_WAN = 1e4  # 1 亿元 = 10 000 万元


def _summary(g: pd.DataFrame) -> pd.Series:
    both = g.land_mu.notna() & g.output_target_yi.notna() & (g.land_mu > 0)
    land_b = g.land_mu[both].sum()
    return pd.Series({
        "count": int(len(g)),
        "n_with_land": int(g.land_mu.notna().sum()),
        "land_mu": g.land_mu.sum(min_count=1),
        "n_with_output": int(g.output_target_yi.notna().sum()),
        "output_target_yi": g.output_target_yi.sum(min_count=1),
        "output_per_mu_wan": (g.output_target_yi[both].sum() * YI_TO_WAN / land_b) if land_b > 0 else np.nan,
    })


def summarize(projects: pd.DataFrame) -> pd.Series:
    """Totals for one selection of projects."""
    if len(projects) == 0:
        return pd.Series({"count": 0, "n_with_land": 0, "land_mu": np.nan, "n_with_output": 0,
                          "output_target_yi": np.nan, "output_per_mu_wan": np.nan})
    return _summary(projects)


def aggregate(projects: pd.DataFrame, by: str) -> pd.DataFrame:
    """Group by a column of the (enriched) projects: sector_zh, source_doc, zone_id, district …
    Vectorised (one groupby over three columns): a district-scale selection has 10⁵ projects."""
    cols = [by, "count", "n_with_land", "land_mu", "n_with_output", "output_target_yi", "output_per_mu_wan"]
    if len(projects) == 0:
        return pd.DataFrame(columns=cols)
    land, out = projects.land_mu.astype(float), projects.output_target_yi.astype(float)
    both = land.notna() & out.notna() & (land > 0)
    df = pd.DataFrame({by: projects[by].to_numpy(), "land": land.to_numpy(), "out": out.to_numpy(),
                       "land_b": land.where(both).to_numpy(), "out_b": out.where(both).to_numpy()})
    g = df.groupby(by, dropna=False, sort=True)
    land_b, out_b = g.land_b.sum(), g.out_b.sum()
    res = pd.DataFrame({
        "count": g.size().astype(int), "n_with_land": g.land.count().astype(int),
        "land_mu": g.land.sum(min_count=1), "n_with_output": g.out.count().astype(int),
        "output_target_yi": g.out.sum(min_count=1),
        "output_per_mu_wan": (out_b * YI_TO_WAN / land_b).where(land_b > 0),
    })
    return res.rename_axis(by).reset_index()[cols]


def aggregate_memberships(projects: pd.DataFrame, memberships: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per zone (key='zone_id') or per layout (key='layout_id'), counting a project once per group,
    including projects of descendant zones and those inside the zone spatially."""
    m = memberships.dropna(subset=[key])[["project_id", key]].drop_duplicates()
    joined = m.merge(projects.drop(columns=[key], errors="ignore"), on="project_id", how="inner")
    return aggregate(joined, key)


def aggregate_each(projects: pd.DataFrame, by: str, split: object) -> pd.DataFrame:
    """Group by a multi-valued column (``districts``, ``areas``: ";"-separated): a project counts once in
    each of its values; one without any value is in the blank group.

    Parameters
    ----------
    projects : pandas.DataFrame
    by : str
    split : callable
        Cell → list of values (:func:`geo.core.filter.split_multi`).

    Returns
    -------
    pandas.DataFrame
        As :func:`aggregate`.
    """
    each = projects.assign(**{by: projects[by].map(lambda v: split(v) or [""])}).explode(by)
    return aggregate(each.assign(**{by: each[by].replace("", np.nan)}), by)


"""The pure data model: what the app, the exports and the CLI read (`PlanData`), and the
`Issue`/`DataError` every loader and validator reports problems with."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import pandas as pd


@dataclass(frozen=True)
class Issue:
    level: str  # "error" | "warning"
    file: str
    where: str  # "row 12 (HTS-T2-03)" or "feature 4 (hts_core)"
    problem: str

    def __str__(self) -> str:
        return f"{self.level.upper()}: {self.file}: {self.where}: {self.problem}"


class DataError(Exception):
    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


@dataclass
class PlanData:
    """Everything the app, the exports and the CLI read."""

    projects: pd.DataFrame
    targets: pd.DataFrame
    zones: gpd.GeoDataFrame
    parcels: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    manifest: dict
    sources: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    pois: gpd.GeoDataFrame | None = None

    @cached_property
    def layers(self) -> list[dict]:
        """The layer records of the manifest (id, titles, kind, file, style, sources)."""
        return self.manifest["layers"]

    def __copy__(self) -> PlanData:
        """A shallow copy without the derived tables (a copy whose tables are then replaced must not
        carry the original's enriched projects or memberships)."""
        return dataclasses.replace(self)

    def replace(self, **tables) -> PlanData:
        """A copy with some tables replaced; its derived tables are computed afresh on first use.

        Parameters
        ----------
        **tables
            Fields to replace (``projects=``, ``parcels=``, …).

        Returns
        -------
        PlanData
        """
        return dataclasses.replace(self, **tables)

    # Derived tables: computed once per PlanData on first use, never passed around or recomputed.
    @cached_property
    def enriched(self) -> pd.DataFrame:
        """Projects with their zone, layout, district and output per 亩 (`geo.core.join.projects_enriched`)."""
        from geo.core import join
        return join.projects_enriched(self)

    @cached_property
    def memberships(self) -> pd.DataFrame:
        """One row per (project, zone it lies in, directly or through the zone's ancestors)."""
        from geo.core import join
        return join.project_memberships(self)

    @cached_property
    def parcels_joined(self) -> gpd.GeoDataFrame:
        """Parcels with their project's names and sectors, ready to draw and filter."""
        from geo.core import join
        return join.parcels_joined(self)


def is_missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA
